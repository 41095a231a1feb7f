"""Run the real app in a real browser: a Streamlit server on a free port, driven by Playwright;
and the HTTP API in a thread on a free loopback port.

Shared by tests/app/test_e2e_browser.py, tests/app/test_accessibility.py,
tests/app/test_app_api.py, benchmarks/app_latency.py and scripts/screenshots.py.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import uvicorn

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def browser_available() -> bool:
    if not Path(CHROMIUM).exists():
        return False
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(
    index_dir: Path,
    *,
    log: Path | None = None,
    timeout: float = 120.0,
    env: dict[str, str] | None = None,
):
    """`streamlit run app.py` on localhost (with `env` added to the environment); yields its
    base URL, stops it afterwards.

    Its output goes to `log` (a temporary file when None): a pipe nobody reads while it runs
    would fill and stall the server, and the tests read the log for warnings.
    """
    own_log = log is None
    if own_log:
        handle, name = tempfile.mkstemp(prefix="kb-streamlit-", suffix=".log")
        os.close(handle)
        log = Path(name)
    port = free_port()
    env = {**os.environ, **(env or {}), "KB_INDEX_DIR": str(index_dir), "PYTHONUNBUFFERED": "1"}
    cmd = streamlit_command(ROOT / "app.py", port)
    out = log.open("wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_healthy(url, proc, timeout):
            text = log.read_text(errors="replace")
            raise RuntimeError(f"streamlit did not start:\n{text}")
        yield url
    finally:
        stop(proc)
        out.close()
        if own_log:
            log.unlink(missing_ok=True)


def streamlit_command(app: Path, port: int) -> list[str]:
    """`streamlit run APP` headless on localhost:PORT, with this Python."""
    return [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip


def stop(proc: subprocess.Popen) -> None:
    """Ask the process to end; kill it if it has not within 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float, poll: float = 0.3) -> bool:
    """Until the server at `url` answers Streamlit's health check (True), or its process ends
    or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return True
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(poll)


@contextmanager
def browser_page(*, width: int = 1400, height: int = 1000):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            yield page
        finally:
            browser.close()


def wait_ready(page, timeout_ms: int = 120_000) -> None:
    """Until the search box is drawn (model and index loaded)."""
    page.wait_for_selector("input[aria-label=Search]", timeout=timeout_ms)


def run_query(page, query: str, timeout_ms: int = 60_000) -> float:
    """Type `query`, press Enter, wait for its results; return the seconds in between."""
    box = page.locator("input[aria-label=Search]")
    box.fill(query)
    start = time.perf_counter()
    box.press("Enter")
    wait_results(page, query, timeout_ms)
    return time.perf_counter() - start


def type_query(page, query: str, *, delay_ms: int, pause_ms: int) -> tuple[float, int]:
    """Type `query` key by key without Enter (`delay_ms` between keys, `pause_ms` more after
    each space, as someone thinking of the next word); return the seconds from the last key
    to its results, and how many script runs the app made while typing (a search from the
    box is two: the search view's fragment, then the whole page)."""
    before = app_run(page)
    box = page.locator("input[aria-label=Search]")
    box.focus()
    for char in query:
        page.keyboard.type(char)
        page.wait_for_timeout(delay_ms + (pause_ms if char == " " else 0))
    start = time.perf_counter() - delay_ms / 1000  # the last key went before the wait
    wait_results(page, query)
    return time.perf_counter() - start, app_run(page) - before


def wait_results(page, query: str, timeout_ms: int = 60_000) -> None:
    """Until the results for `query` are drawn."""
    # Done when the caption names this query and the first result card is drawn (the
    # caption is written before the cards, so waiting for it alone races the cards), or,
    # when no page answers, the notice that says so (the closest cards are folded).
    page.wait_for_function(
        """q => [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
               .some(el => el.textContent.includes('“' + q + '”'))
             && [...document.querySelectorAll('[data-testid="stMarkdownContainer"]')]
               .some(el => el.querySelector('strong a[href*="page="]')
                           || el.innerText.includes('No page answers this well'))""",
        arg=query,
        timeout=timeout_ms,
        polling="raf",
    )


# The link on a result card's title (opens the page at the section that answers).
TITLE_LINK = '[data-testid="stMarkdownContainer"] strong a[href*="page="]'


def first_result_path(page) -> str:
    """The page of the top result card (the link on its title)."""
    return _page_of(page.locator(TITLE_LINK).first.get_attribute("href"))


def open_in_app(page, href: str) -> None:
    """Go to an in-app URL (`?page=...`) in this tab and session, as the browser's Back and
    Forward do: Streamlit reruns on the history change."""
    page.evaluate(
        """href => { history.pushState({}, '', href);
                    dispatchEvent(new PopStateEvent('popstate')); }""",
        href,
    )


def result_paths(page) -> list[str]:
    """The page of every result card on screen (not those folded away), in order."""
    links = page.locator(TITLE_LINK).filter(visible=True)
    return [_page_of(href) for href in links.evaluate_all("els => els.map(a => a.href)")]


def _page_of(href: str) -> str:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)["page"][0]


def top_expert(page) -> str:
    return expert_names(page)[0]


def expert_names(page, timeout_ms: int = 30_000) -> list[str]:
    """The people in the experts panel, in order (once it is drawn: it comes last)."""
    page.wait_for_function(
        """() => document.querySelector('[class*="st-key-person-"] button')
                 || document.body.innerText.includes('found no one who has written about this')""",
        timeout=timeout_ms,
        polling="raf",
    )
    # The button text starts with its icon's ligature name ("person"); the name is last.
    texts = page.locator('[class*="st-key-person-"] button').all_inner_texts()
    return [text.strip().split("\n")[-1].strip() for text in texts]


def wait_idle(page, timeout_ms: int = 60_000) -> None:
    """Until Streamlit has finished the run (its running indicator is gone) and charts drew."""
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=timeout_ms)
    page.wait_for_timeout(800)


def wait_box_focused(page, timeout_ms: int = 120_000) -> None:
    """Until the search box has the focus the app gives it on load (keys.js looks for the box
    a few times after the run that drew it)."""
    page.wait_for_function(
        "() => document.activeElement?.getAttribute('aria-label') === 'Search'",
        timeout=timeout_ms,
    )


def eventually(check, timeout_s: float = 10.0, poll_s: float = 0.05) -> bool:
    """Whether `check()` becomes true within `timeout_s` (polled): a wait on the condition a
    test then asserts, which returns as soon as it holds, not a fixed pause long enough for
    a slow machine."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(poll_s)
    return True


def app_run(page) -> int:
    """The number of the app's last finished script run in this tab (kb/app/keys.js)."""
    return page.evaluate("window.__kbKeys?.run ?? 0")


def wait_run(page, after: int, timeout_ms: int = 60_000) -> None:
    """Until a script run after run number `after` has finished drawing."""
    page.wait_for_function(
        "n => (window.__kbKeys?.run ?? 0) > n", arg=after, timeout=timeout_ms, polling="raf"
    )


# Every view of the app on the bundled content: its URL, and what to wait for (a Playwright
# selector) before the view is complete: drawn late in its run, or a result of its work (the
# team builder's proposed team, the search's experts).
VIEWS = {
    "landing": ("", "input[aria-label=Search]"),
    "search": ("?q=who+approves+expense+claims+in+Spendwise", "text=Who knows about this?"),
    "page": ("?page=finance/expense-policy.md", "role=heading[name='Expense policy']"),
    "person": ("?person=Victor+Petrov", "text=Teams written for"),
    "people": ("?view=people", "text=People by department"),
    "pairs": ("?view=pairs", "text=Download this round"),
    "team": ("?view=team&project=GDPR+review+of+the+customer+data", "text=Fatima El-Amin"),
    "onboard": ("?view=onboard&join=finance", "text=Read, in this order"),
    "barcamp": ("?view=barcamp", "text=Download the programme"),
    "gaps": ("?view=gaps", "text=Stale pages by owner"),
}


def show_view(page, base_url: str, view: str, *, settle_ms: int = 800) -> None:
    """Open one of `VIEWS` and wait until it is drawn and Streamlit's run is over, then
    `settle_ms` more (charts draw after the run; a check that reads no chart needs less)."""
    query, ready = VIEWS[view]
    page.goto(f"{base_url}/{query}")
    page.locator(ready).first.wait_for(timeout=120_000)
    status = '[data-testid="stStatusWidget"]'
    # A view may run again right after its first run (its link sets the query): the status
    # widget (with its "Stop" button) can come back after the wait. Under load a check then
    # read it (axe: its contrast); wait until a settled view shows none.
    for _ in range(20):
        page.wait_for_selector(status, state="detached", timeout=60_000)
        page.wait_for_timeout(settle_ms)
        if not page.locator(status).count():
            break


def serve_in_thread(app) -> tuple[str, uvicorn.Server]:
    """Serve an ASGI app on a free loopback port in a daemon thread; return its URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", access_log=False)
    )
    threading.Thread(target=server.run, daemon=True).start()
    for _ in range(200):
        if server.started:
            return f"http://127.0.0.1:{port}", server
        time.sleep(0.05)
    raise RuntimeError("the API did not start")
