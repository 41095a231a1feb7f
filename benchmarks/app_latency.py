"""Time from a key to rendered results in a real headless Chromium: Enter, and typing.

Usage: python benchmarks/app_latency.py [--content content/] [--json OUT.json]

Indexes the content, starts `streamlit run app.py` on a free localhost port, warms up with
three queries, then, for the same 20 questions, in one run:
- Enter: the question is put in the box and Enter pressed; timed from Enter to the moment
  the results caption for it and its first card are in the page (results and experts come
  from the same script run);
- type as you go: the box is cleared with Esc, the question typed key by key without Enter
  (a key every 120 ms, and 250 ms more after each space, as someone thinking of the next
  word); timed from the last key to its results. The script runs the app made while typing are
  counted: the debounce (kb/app/keys.py) decides how hard typing works the server.
Needs Debian's chromium and the playwright package (see .ci/run).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from e2e import (  # noqa: E402
    app_run,
    browser_page,
    run_query,
    streamlit_server,
    type_query,
    wait_ready,
    wait_run,
)
from helpers import SEARCHES  # noqa: E402

from kb import SentenceTransformerEmbedder, Settings, build_index  # noqa: E402
from kb.app.keys import WAIT_MS  # noqa: E402

WARM_UP = ["vpn", "expenses", "who knows about contracts"]
KEY_MS, WORD_PAUSE_MS = 120, 250
GOAL_MS = 300


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--content", type=Path, default=ROOT / "content")
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks/results/app_latency.json")
    args = ap.parse_args()

    index_dir = Path(tempfile.mkdtemp(prefix="kb-latency-")) / "index"
    build_index(args.content, index_dir, SentenceTransformerEmbedder(), Settings())
    queries = [q for q, _ in SEARCHES][:20]
    enter: list[float] = []
    typed: list[float] = []
    runs: list[int] = []
    with streamlit_server(index_dir) as url, browser_page() as page:
        page.goto(url)
        wait_ready(page)
        for q in WARM_UP:
            run_query(page, q)
        for q in queries:
            enter.append(run_query(page, q) * 1000)
            before = app_run(page)
            page.locator("input[aria-label=Search]").press("Escape")  # clear: the landing page
            wait_run(page, before)
            seconds, count = type_query(page, q, delay_ms=KEY_MS, pause_ms=WORD_PAUSE_MS)
            typed.append(seconds * 1000)
            runs.append(count)

    result = {
        "queries": len(queries),
        "enter": summary(enter),
        "typed": summary(typed),
        "typed_to_enter_median_ratio": round(
            statistics.median(typed) / statistics.median(enter), 2
        ),
        # A search from the box is two runs: the search view's fragment, then the whole page
        # around it, which reuses that search (kb/app/search.py).
        "runs_per_typed_query": round(statistics.mean(runs), 1),
        "keys_per_typed_query": round(statistics.mean(len(q) for q in queries), 1),
        "debounce_ms": WAIT_MS,
        "key_ms": KEY_MS,
        "word_pause_ms": WORD_PAUSE_MS,
        "goal_median_ms": GOAL_MS,
        "per_query_ms": {
            q: {"enter": round(e, 1), "typed": round(t, 1), "runs": n}
            for q, e, t, n in zip(queries, enter, typed, runs, strict=True)
        },
    }
    print(f"{'metric':<8} {'Enter ms':>9} {'typed ms':>9}")
    for key in ("median", "p95", "min", "max"):
        print(f"{key:<8} {result['enter'][key]:>9.1f} {result['typed'][key]:>9.1f}")
    print(
        f"typed/Enter median ratio {result['typed_to_enter_median_ratio']}; "
        f"{result['runs_per_typed_query']} script runs (two per search) per typed question of "
        f"{result['keys_per_typed_query']} keys (debounce {WAIT_MS} ms)"
    )
    print(f"({len(queries)} queries after {len(WARM_UP)} warm-up; goal: medians < {GOAL_MS} ms)")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"JSON: {args.json}")


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median": round(statistics.median(times), 1),
        "p95": round(p95, 1),
        "min": round(ordered[0], 1),
        "max": round(ordered[-1], 1),
    }


if __name__ == "__main__":
    main()
