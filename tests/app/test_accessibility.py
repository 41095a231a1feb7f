"""Accessibility: axe-core run in a real headless Chromium over every view of the real app.

A serious or critical violation in kb's own markup fails the test. kb's own markup is what
kb writes: the Markdown, captions, headings and HTML tables it hands to st.markdown,
st.caption, st.title/header/subheader and st.html. Streamlit wraps each element in an
`stElementContainer`; a node is kb's when the element right below its container is one of
those (`stMarkdown`, `stHeading`, `stHtml`), whatever the rule. Anything else (a widget, an
alert box, a chart, the app's frame) is Streamlit's markup, and each such finding must be
described in docs/accessibility.md (its rule and element), so a new one fails the test until
someone has looked at it.

axe-core comes from the axe-playwright-python package (the [test] extra; docs/accessibility.md
says why). Like the browser, it is required under CI and skipped elsewhere when missing.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict

import pytest
from e2e import (
    TITLE_LINK,
    VIEWS,
    browser_available,
    browser_page,
    show_view,
    streamlit_server,
    wait_box_focused,
    wait_idle,
    wait_run,
)
from helpers import ROOT

pytestmark = pytest.mark.browser

if not browser_available():
    if os.environ.get("CI"):
        raise RuntimeError("CI must run the browser test: install chromium (see .ci/run)")
    pytest.skip("no chromium or playwright on this machine", allow_module_level=True)
try:
    from axe_playwright_python.sync_playwright import Axe
except ImportError:
    if os.environ.get("CI"):
        raise RuntimeError(
            "CI must run the accessibility test: axe-playwright-python is in the [test] extra"
        ) from None
    pytest.skip("no axe-playwright-python: pip install -e '.[test]'", allow_module_level=True)

AXE_SCRIPT = Axe().axe_script  # the package's axe.min.js (axe-core)
DOCS = ROOT / "docs" / "accessibility.md"
# The elements whose markup kb writes (Streamlit's data-testid of the element's root).
KB_ELEMENTS = {"stMarkdown", "stHeading", "stHtml"}
SEVERE = {"serious", "critical"}
# axe reads no chart; a short pause still lets elements finish fading in after the run.
SETTLE_MS = 200
COLOURS = ["color-contrast", "link-in-text-block"]  # axe's rules that a theme can change
# For each node axe names, the Streamlit element it sits in: the outermost data-testid below
# its nearest stElementContainer; outside any element (the app's frame), its nearest testid.
ELEMENT_OF = """targets => targets.map(target => {
  if (target.length !== 1 || typeof target[0] !== 'string') return 'frame';
  let element = '', nearest = '';
  for (let el = document.querySelector(target[0]); el; el = el.parentElement) {
    const id = el.dataset && el.dataset.testid;
    if (!id) continue;
    if (id === 'stElementContainer') return element || nearest;
    nearest = nearest || id;
    element = id;
  }
  return nearest || 'page';
})"""


@pytest.fixture(scope="module")
def server(bundled_index):
    with streamlit_server(bundled_index) as url:
        yield url


def findings(page, **options) -> list[dict]:
    """axe's serious and critical violations on the page, one per node, with its element."""
    # On the settled view: a run started by the last one (or by the theme switch) shows
    # Streamlit's running indicator for a moment.
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=60_000)
    if not page.evaluate("typeof axe === 'object'"):  # once per page load, not per run
        page.evaluate(AXE_SCRIPT)
    # Streamlit's running indicator (its "Stop" button) is left out: it shows only while a
    # view runs, and a view may run again after the wait (docs/accessibility.md).
    response = page.evaluate(
        "options => axe.run({exclude: [['[data-testid=\"stStatusWidget\"]']]}, options)",
        {"resultTypes": ["violations"], **options},
    )
    out = []
    for v in response["violations"]:
        if v["impact"] not in SEVERE:
            continue
        elements = page.evaluate(ELEMENT_OF, [n["target"] for n in v["nodes"]])
        for node, element in zip(v["nodes"], elements, strict=True):
            message = (node["any"] + node["all"] + node["none"] or [{"message": v["help"]}])[0]
            out.append(
                {
                    "rule": v["id"],
                    "element": element,
                    "html": node["html"][:120],
                    "why": message["message"],
                }
            )
    return out


def documented() -> set[tuple[str, str]]:
    """(rule, element) pairs docs/accessibility.md describes: a table row naming both."""
    pairs = set()
    for line in DOCS.read_text().splitlines():
        rule = re.search(r"`([a-z0-9]+(?:-[a-z0-9]+)*)`", line)
        element = re.search(r"`(st[A-Z][\w-]*)`", line)
        if line.startswith("|") and rule and element:
            pairs.add((rule[1], element[1]))
    return pairs


def report(found: list[dict]) -> str:
    return "\n".join(
        f"{f['view']}: {f['rule']} in {f['element']}: {f['why']}\n    {f['html']}" for f in found
    )


def test_no_serious_violation_in_kbs_markup_on_any_view(server):
    found = []
    # Every rule in the light theme; in the dark one, only colours change. Streamlit follows
    # the system's theme live, and the next view loads in the one the last ended in.
    rules = {"light": {}, "dark": {"runOnly": COLOURS}}
    order = ["light", "dark"]
    with browser_page() as page:
        for view in VIEWS:
            show_view(page, server, view, settle_ms=SETTLE_MS)
            for i, scheme in enumerate(order):
                if i:
                    use_scheme(page, scheme)
                found += [
                    {**f, "view": f"{view} ({scheme})"} for f in findings(page, **rules[scheme])
                ]
            order.reverse()
    ours = [f for f in found if f["element"] in KB_ELEMENTS]
    theirs = [f for f in found if f["element"] not in KB_ELEMENTS]
    assert ours == [], "in kb's markup:\n" + report(ours)
    listed = documented()
    new = [f for f in theirs if (f["rule"], f["element"]) not in listed]
    assert new == [], f"in Streamlit's markup, not described in {DOCS.name}:\n" + report(new)


def use_scheme(page, scheme: str) -> None:
    """Switch the browser's colour scheme and wait for Streamlit's theme to follow."""
    page.emulate_media(color_scheme=scheme)
    page.wait_for_function(
        """dark => {
          const [r, g, b] = getComputedStyle(document.querySelector('.stApp'))
            .backgroundColor.match(/\\d+/g).map(Number);
          return (r + g + b < 384) === dark;
        }""",
        arg=scheme == "dark",
    )


def test_the_rule_tells_kbs_markup_from_streamlits(server):
    # The same faint text, planted in kb's Markdown and in a Streamlit widget's label: axe
    # must find both, and the rule put one on each side (else the test above proves nothing).
    with browser_page() as page:
        show_view(page, server, "people", settle_ms=SETTLE_MS)
        # A widget's code loads on its first use in the tab: the run can end before it draws.
        page.locator('[data-testid="stMain"] [data-testid="stSelectbox"] p').wait_for()
        page.evaluate(
            """() => {
              const faint = (selector, id) => {
                const el = document.querySelector(selector);
                el.style.color = '#c8c8c8';
                el.id = 'faint-' + id;
              };
              const main = '[data-testid="stMain"] ';
              faint(main + '[data-testid="stCaptionContainer"] p', 'kb');
              faint(main + '[data-testid="stSelectbox"] [data-testid="stWidgetLabel"] p', 'widget');
            }"""
        )
        by_element = defaultdict(list)
        for f in findings(page, runOnly=["color-contrast"]):
            by_element[f["element"] in KB_ELEMENTS].append(f["html"])
    assert any('id="faint-kb"' in html for html in by_element[True]), by_element
    assert any('id="faint-widget"' in html for html in by_element[False]), by_element


SEARCH = "?q=who+approves+expense+claims+in+Spendwise"
# What the keyboard has: its element's tag, name, and whether it follows `#who-knows`.
FOCUSED = """() => {
  const el = document.activeElement, heading = document.getElementById('who-knows');
  return {tag: el.tagName, name: (el.innerText || '').trim(), shown: el.offsetWidth > 1,
          after: !!heading && el !== heading
                 && !!(heading.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING)};
}"""


@pytest.mark.parametrize("width", [1400, 390])
def test_the_keyboard_reaches_who_knows_in_one_step(server, width):
    # Tab went through every result to reach the experts, 45 presses at 1400 px, where the
    # link to them was hidden; on a phone the link scrolled there and the next Tab went back
    # to the first result. Now the link is the first stop after the box, shown while it has
    # the focus, and it takes the focus to the experts.
    with browser_page(width=width, height=844) as page:
        page.goto(server + "/" + SEARCH)
        page.get_by_role("heading", name="Who knows about this?").wait_for(timeout=120_000)
        # The search's fragment draws first, then the whole page runs again: the focus given
        # before that run ends is on an element it replaces (failed so in CI).
        wait_idle(page)
        page.locator("input[aria-label=Search]").focus()
        page.keyboard.press("Tab")
        link = page.evaluate(FOCUSED)
        assert link["name"].startswith("Who knows about this: 5 people") and link["shown"], link
        page.keyboard.press("Enter")
        page.wait_for_function("() => document.activeElement.id === 'who-knows'", timeout=5_000)
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUSED)["after"], page.evaluate(FOCUSED)


def test_results_and_who_knows_are_headings_in_order(server):
    # A screen reader skims results by heading: the results view had one, "Who knows about
    # this?", an h3 under the app's h1. Each result's title is now an h2 (looking as the bold
    # line it was, with no anchor link: a Tab stop more per card), and so is "Who knows".
    with browser_page() as page:
        for query in (SEARCH, "?q=canteen+menu+for+friday"):
            show_view_at(page, server, query)
            titles = page.locator(TITLE_LINK).evaluate_all(
                "links => links.map(a => a.closest('h1,h2,h3,h4,h5,h6')?.tagName)"
            )
            assert titles and set(titles) == {"H2"}, (query, titles)
            assert page.locator("h2#who-knows").count() == 1
            cards = page.locator('[class*="st-key-hit-"] a[href^="#"]')
            assert cards.evaluate_all("els => els.filter(a => a.offsetParent).length") == 0
            page.evaluate(AXE_SCRIPT)
            order = page.evaluate("() => axe.run({runOnly: ['heading-order']})")
            assert order["violations"] == [], (query, order["violations"])


def test_every_view_titles_itself_at_the_level_under_the_apps_name(server):
    # The People, Pairs, Team builder, Onboarding, Barcamp and Gaps views were titled h3
    # straight under the app's h1 (axe: heading-order, moderate, on People and Gaps in an
    # accessibility trial); a reader skimming by heading met a level missing.
    with browser_page() as page:
        for view in ("people", "pairs", "team", "onboard", "barcamp", "gaps"):
            show_view(page, server, view, settle_ms=SETTLE_MS)
            page.evaluate(AXE_SCRIPT)
            order = page.evaluate("() => axe.run({runOnly: ['heading-order']})")
            assert order["violations"] == [], (view, order["violations"])


def show_view_at(page, server: str, query: str) -> None:
    page.goto(server + "/" + query)
    page.get_by_role("heading", name="Who knows about this?").wait_for(timeout=120_000)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached")


def test_a_wide_table_on_a_phone_is_readable_in_the_dark_theme(server):
    # The covers that show a table scrolls were white: in the dark theme they hid the first
    # column's white text ("SEV1" on white, at 390 px). They are the theme's background now.
    with browser_page(width=390, height=844) as page:
        page.emulate_media(color_scheme="dark")
        page.goto(server + "/?page=cloud-platform/on-call-and-postmortems.md")
        table = page.locator('.stMain [data-testid="stMarkdownContainer"] table').first
        table.wait_for(timeout=120_000)
        wait_run(page, 0)  # keys.js has seen the run that drew it
        background = page.evaluate(
            "() => getComputedStyle(document.querySelector('.stApp')).backgroundColor"
        )
        assert sum(map(int, re.findall(r"\d+", background)[:3])) < 384  # dark
        covers = table.evaluate("t => getComputedStyle(t).backgroundImage")
        assert covers.count(f"linear-gradient(to right, {background} 30%") == 1, covers
        assert covers.count(f"linear-gradient(to left, {background} 30%") == 1, covers


def test_a_wide_table_on_a_phone_takes_the_keyboard(server):
    # A Markdown table wider than a phone scrolls in its own box: one the keyboard could not
    # focus in Safari (axe's scrollable-region-focusable, serious, in kb's markup), so its
    # last columns were out of a keyboard user's reach. A table that fits is no Tab stop.
    with browser_page(width=390, height=844) as page:
        page.goto(server + "/?page=cloud-platform/on-call-and-postmortems.md")
        table = page.locator('.stMain [data-testid="stMarkdownContainer"] table').first
        table.wait_for(timeout=120_000)
        wait_run(page, 0)  # keys.js has seen the run that drew it
        page.evaluate(AXE_SCRIPT)
        found = page.evaluate("() => axe.run({runOnly: ['scrollable-region-focusable']})")
        assert found["violations"] == [], found["violations"]
        assert table.get_attribute("tabindex") == "0"
        page.set_viewport_size({"width": 1400, "height": 900})  # wide enough: it fits
        page.wait_for_function(
            "t => t.scrollWidth <= t.clientWidth + 1 && !t.hasAttribute('tabindex')",
            arg=table.element_handle(),
        )


def test_results_that_come_as_one_types_are_said_to_a_screen_reader(server):
    # Results arrive after a pause in typing, with no Enter: a screen reader said nothing of
    # them (an accessibility trial). A live region, in the page from the start, says what the
    # results say on screen, for the words in the box.
    with browser_page() as page:
        page.goto(server)
        wait_box_focused(page)
        live = page.locator("#kb-announce[role=status]")
        assert live.count() == 1 and live.inner_text() == ""
        region = live.element_handle()
        for query, said in (
            (SEARCH_WORDS, r"^\d+ pages? likely answers?(; \d+ more, less likely to answer)?\.$"),
            ("canteen menu for friday", r"^No page answers this well\."),
        ):
            page.locator("input[aria-label=Search]").fill(query)  # typed: no Enter
            page.wait_for_function(
                "re => new RegExp(re).test(document.getElementById('kb-announce').textContent)",
                arg=said,
                timeout=60_000,
            )
        # The same node all along: a region added with its words is not read out.
        assert region.evaluate("el => el.isConnected && el.id === 'kb-announce'")


SEARCH_WORDS = "who approves expense claims in Spendwise"


def test_slash_pressed_first_on_the_start_page_types_nothing(server):
    # "/" goes to the search box; on the start page the box has the focus already, and "/"
    # typed a slash into it (an accessibility trial). A slash typed after is one of the words.
    with browser_page() as page:
        page.goto(server)
        wait_box_focused(page)
        box = page.locator("input[aria-label=Search]")
        page.keyboard.type("/ci")
        assert box.input_value() == "ci"
        page.keyboard.type("/cd")
        assert box.input_value() == "ci/cd"


def test_the_answering_sentence_is_marked_by_more_than_colour(server):
    # The sentence that answers, on a card, was marked by a pale blue background alone: 1.10:1
    # on white (WCAG 1.4.1, use of colour). It is underlined in the text's colour, in both
    # themes, and a screen reader hears "Answer:" before it.
    with browser_page() as page:
        show_view_at(page, server, SEARCH)
        answer = page.locator('.st-key-hit-0 [data-testid="stMarkdownContainer"] p').filter(
            has=page.locator(".stMarkdownColoredBackground")
        )
        # "Answer:" is the style's (::before): a snapshot taken before the app's style applies
        # has the sentence without it (a CI saw one). Wait for the style, then read it.
        page.wait_for_function(
            """() => [...document.querySelectorAll('.st-key-hit-0 .stMarkdownColoredBackground')]
                .some(el => getComputedStyle(el, '::before').content.includes('Answer'))"""
        )
        assert "Answer:" in answer.aria_snapshot()
        for scheme in ("light", "dark"):
            use_scheme(page, scheme)
            marked = page.locator(".st-key-hit-0 .stMarkdownColoredBackground").first.evaluate(
                """el => { const s = getComputedStyle(el);
                           return [s.textDecorationLine, s.textDecorationColor, s.color]; }"""
            )
            line, line_colour, text_colour = marked
            assert line == "underline" and line_colour == text_colour, (scheme, marked)


def test_an_opened_pages_headings_carry_no_anchor_links(server):
    # Each heading of an opened page had Streamlit's "Link to heading" anchor: a Tab stop and
    # a link read out per heading (an accessibility trial). The headings keep their ids.
    with browser_page() as page:
        show_view(page, server, "page", settle_ms=SETTLE_MS)
        body = page.locator('.stMain [data-testid="stMarkdownContainer"]')
        headings = body.locator("h3, h4").evaluate_all("hs => hs.map(h => h.id)")
        assert headings and all(headings), headings
        assert body.locator('a[aria-label="Link to heading"]').count() == 0


def test_the_view_switchers_selected_option_is_readable_in_the_dark_theme(server):
    # Its label was in the theme's primary colour on a tint of it: 3.61:1 in the dark theme.
    with browser_page() as page:
        show_view(page, server, "people", settle_ms=SETTLE_MS)
        for scheme in ("dark", "light"):
            use_scheme(page, scheme)
            found = findings(page, runOnly=["color-contrast"])
            assert [f for f in found if f["element"] == "stButtonGroup"] == [], (scheme, found)
