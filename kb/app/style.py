"""The app's own CSS: a compact header and results first on a phone. Style only (st.html
sends a style-only block to no place on the page), no script."""

from __future__ import annotations

import streamlit as st

# Streamlit stacks columns below 640 px: that is a phone here. There the header took 40% of
# the first screen (a 44 px title, a two-line caption, the view switcher on two rows) and
# the experts came after every result, about 4,400 px down: the title shrinks beside a
# small caption, and a link at the top of the results jumps to the experts. On a wide screen
# they sit beside the results: the link is out of sight until it has the keyboard's focus
# (a skip link), for the Tab key went through every result, 45 presses, to reach them. The
# view switcher keeps its two rows: on one row scrolled sideways, the view shown (Gaps) was
# out of sight.
# In a narrow main column a Markdown table (a page's body, a card's snippet) scrolls sideways
# in its own box, as a code block does: at 390 px the on-call page's severity table was
# 500 px wide and the whole main area scrolled sideways, "Back" and the text cut off at the
# left. As a block, a table is as wide as its content up to the column's (GitHub's rule): it
# wraps its cells first and scrolls only past their narrowest. In a wide column a table keeps
# Streamlit's full width (a block would shrink one that fits to its content). The column is
# measured, not the window: a sidebar opened on a tablet narrows it too. kb's own tables
# (kb/app/tables.py) have a scrolling box of their own.
# A result's title line is a level-2 heading (screen readers skim results by heading) that
# looks as the bold line it was (its Markdown has no anchor links: kb/app/search.py);
# "Who knows about this?", also a level-2, keeps a subheader's size, and shows no anchor link
# either (st.header keeps its id, for the skip link above, only with the link).
# A table that scrolls shows a shadow at the edge with more behind it (Lea Verou's scroll
# shadows: covers scrolled with the content, shadows fixed to the box): at 390 px the
# severity table's last two columns were out of sight with nothing saying so (a trial). The
# covers are the theme's background (keys.js reads it) and the shadows its text colour: white
# covers hid the first column's white text in the dark theme ("SEV1" on white).
# The sentence that answers, on a card, was marked by its pale blue background alone (1.10:1
# on white, 1.25:1 on the dark theme's: WCAG 1.4.1, use of colour): it is underlined in the
# text's colour too, and a screen reader hears "Answer:" before it (the Markdown's only
# coloured background, kb/app/widgets.py `highlighted`; the words are not copied with it).
# The view switcher's selected option was labelled in the theme's primary colour on a tint of
# it: 3.61:1 in the dark theme. Its label is in the text's colour, as the others' are; the
# border and the tint still mark it (docs/accessibility.md). Streamlit's own rule for it is
# `[data-selected]:not([data-disabled])` on one class: the same, under the group's testid,
# outweighs it.
_CSS = """<style>
[data-testid="stMainBlockContainer"] { container-type: inline-size; }
@container (max-width: 700px) {
  [data-testid="stMarkdownContainer"] table:not(.kb-table table) { display: block;
    width: max-content; max-width: 100%; overflow-x: auto;
    --kb-cover: var(--kb-background, #fff);
    --kb-shadow: color-mix(in srgb, currentColor 27%, transparent);
    background:
      linear-gradient(to right, var(--kb-cover) 30%, transparent) left / 2.5rem 100% no-repeat
      local,
      linear-gradient(to left, var(--kb-cover) 30%, transparent) right / 2.5rem 100% no-repeat
      local,
      radial-gradient(farthest-side at 0 50%, var(--kb-shadow), transparent) left / 0.8rem 100%
      no-repeat scroll,
      radial-gradient(farthest-side at 100% 50%, var(--kb-shadow), transparent) right / 0.8rem
      100% no-repeat scroll; }
}
.st-key-brand h1 { padding: 0; }
[class*="st-key-hit-"] h2 { font-size: 1rem; font-weight: 400; line-height: 1.6;
  letter-spacing: normal; padding: 0; }
h2#who-knows [data-testid="stHeaderActionElements"] { display: none; }
h2#who-knows { font-size: 1.75rem; }
[class*="st-key-hit-"] .stMarkdownColoredBackground { text-decoration: underline 2px;
  text-underline-offset: 0.25em; text-decoration-skip-ink: none; }
[class*="st-key-hit-"] .stMarkdownColoredBackground::before { content: "Answer: ";
  position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%);
  white-space: nowrap; }
[data-testid="stButtonGroup"] button[data-selected]:not([data-disabled]) { color: inherit; }
.st-key-brand [data-testid="stCaptionContainer"] { padding-bottom: 0.45rem; }
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-top: 4rem; padding-bottom: 4rem; }
  .st-key-brand { flex-wrap: nowrap; align-items: center; }
  .st-key-brand h1 { font-size: 1.75rem; }
  .st-key-brand [data-testid="stCaptionContainer"] p { font-size: 0.8rem; line-height: 1.3; }
}
@media (min-width: 641px) {
  .st-key-who-knows-link:not(:focus-within) { position: absolute; width: 1px; height: 1px;
    overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
}
</style>"""


def apply_style() -> None:
    st.html(_CSS)
