"""Accessible tables: real HTML text a reader can select, find with Ctrl-F and hear, where a
canvas grid showed ten rows and hid its links off screen.

Every value is escaped here; only `link` and `joined` make markup, from escaped parts. Links
carry no target, so they open in the same tab (Streamlit's Markdown opens each in a new one).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

import streamlit as st

from kb.app.present import literal as escape_markdown


class Html(str):
    """Markup made by this module from escaped parts: a table shows it as it is."""


Cell = str | int | float | Html

# One look for every table: headers and captions left, numbers right, links blue on the light
# and the dark theme (mixed with the theme's text colour), rules in grey at low alpha.
# On a phone (Streamlit stacks columns below 640 px) a table of three columns or more stacks:
# each row a block, its row header first, then each value beside its column's name (from
# data-label; the header row is kept for screen readers, off screen). Squeezed to the screen,
# every row was a dozen lines tall; at its natural width the People table was 1087 px in a
# 358 px box, three of seven columns in sight and no sign of the rest. A label in CSS is not
# read twice: `content: ... / ""` gives it no text for a screen reader, which names the
# column from the header row as on a wide screen. A two-column table (the experts' bars) fits.
_STYLE = """<style>
.kb-table { overflow-x: auto; max-width: 100%; }
.kb-table table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
.kb-table caption { caption-side: top; text-align: left; font-weight: 600; font-size: 1rem;
  padding: 0 0 0.5rem 0; }
.kb-table caption span { display: inline-block; position: sticky; left: 0;
  max-width: min(100%, calc(100vw - 2rem)); }
/* A caption said above the table in small print, with its help: kept for screen readers. */
.kb-quiet caption { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap; }
.kb-table th, .kb-table td { text-align: left; vertical-align: top; padding: 0.35rem 0.75rem;
  border-bottom: 1px solid rgba(128, 128, 128, 0.25); }
.kb-table th:first-child, .kb-table td:first-child { padding-left: 0; }
.kb-table thead th { font-weight: 600; white-space: nowrap;
  border-bottom: 2px solid rgba(128, 128, 128, 0.45); }
.kb-table tbody th { font-weight: 500; }
.kb-table a { color: color-mix(in srgb, #1c64f2 70%, currentColor); white-space: nowrap; }
.kb-table .num { text-align: right; font-variant-numeric: tabular-nums; }
.kb-table .kb-bar { display: inline-block; height: 0.7rem; margin-right: 0.4rem;
  background: #1c64f2; border-radius: 2px; vertical-align: baseline; }
.kb-table td:has(.kb-bar) { white-space: nowrap; }
@media (max-width: 640px) {
  .kb-table a { white-space: normal; }
  .kb-stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden;
    clip-path: inset(50%); white-space: nowrap; }
  .kb-stack tbody, .kb-stack tr, .kb-stack tbody th, .kb-stack td { display: block; }
  .kb-stack tr { padding: 0.45rem 0; border-bottom: 1px solid rgba(128, 128, 128, 0.25); }
  .kb-stack tbody th, .kb-stack td, .kb-stack .num { border: 0; padding: 0.05rem 0;
    text-align: left; }
  .kb-stack tbody th { font-weight: 600; padding-bottom: 0.15rem; }
  /* The label hangs in the cell's left padding, on its first line's baseline. */
  .kb-stack td[data-label] { padding-left: 6.75rem; }
  .kb-stack td[data-label]::before { content: attr(data-label); content: attr(data-label) / "";
    display: inline-block; width: 6.25rem; margin: 0 0.5rem 0 -6.75rem; white-space: nowrap;
    font-size: 0.8rem; opacity: 0.75; }
  .kb-stack td:empty { display: none; }
}
</style>"""
_NUM = ' class="num"'


def link(text: str, href: str, *, after: str = "") -> Html:
    """`text` linking to `href` (an in-app `?...` URL), then `after` as plain text."""
    return Html(f'<a href="{escape(href)}">{escape(text)}</a>{escape(after)}')


def bar(share: float, label: str) -> Html:
    """A bar `share` (0 to 1) of its cell wide, then `label`: a chart as table text, which a
    reader can select and hear (a canvas chart is neither, and costs a chart library)."""
    width = max(0.0, min(1.0, share)) * 70  # room for the label beside the longest bar
    return Html(
        f'<span class="kb-bar" style="width: {width:.1f}%" aria-hidden="true"></span>'
        f"{escape(label)}"
    )


def joined(parts: Iterable[str | Html], sep: str = ", ") -> Html:
    return Html(escape(sep).join(_markup(p) for p in parts))


def table_html(
    caption: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    sorted_by: str = "",
    descending: bool = False,
    empty: str = "None.",
) -> str:
    """A captioned table: column headers, each row's first cell as its row header, numbers
    right-aligned; `sorted_by` names the column the rows are sorted on (`aria-sort`); `empty`
    is the one row of a table without rows.

    In a scrollable region a keyboard can focus, labelled by the caption.
    """
    rows = [tuple(row) for row in rows]
    order = "descending" if descending else "ascending"
    head = ""
    for i, column in enumerate(columns):
        numeric = bool(rows) and all(_is_number(row[i]) for row in rows)
        head += _header(column, numeric, order if column == sorted_by else "")
    body = "".join(_row(row, columns) for row in rows) or (
        f'<tr><td colspan="{len(columns)}">{escape(empty)}</td></tr>'
    )
    kind = "kb-table kb-stack" if len(columns) > 2 else "kb-table"
    return (
        f'<div class="{kind}" role="region" aria-label="{escape(caption)}" tabindex="0">'
        f"<table><caption><span>{escape(caption)}</span></caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
    )


def render_table(
    caption: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    sorted_by: str = "",
    descending: bool = False,
    empty: str = "None.",
    help: str = "",
) -> None:
    """Draw `table_html` with st.html: in the page itself, no iframe (Streamlit's DOMPurify
    runs over it too). With `help`, the caption is small print above the table with a help
    tooltip (what a bold caption cannot hold), and the table's own caption is for screen
    readers."""
    table = table_html(
        caption, columns, rows, sorted_by=sorted_by, descending=descending, empty=empty
    )
    if help:
        st.caption(escape_markdown(caption), help=help)
        table = table.replace('<div class="kb-table', '<div class="kb-quiet kb-table', 1)
    st.html(_STYLE + table)


def _header(column: str, numeric: bool, sort: str) -> str:
    attrs = ' scope="col"' + (_NUM if numeric else "") + (f' aria-sort="{sort}"' if sort else "")
    return f"<th{attrs}>{escape(column)}</th>"


def _row(row: Sequence[Cell], columns: Sequence[str]) -> str:
    """A row: its first cell the row header, each other cell labelled with its column (what
    a phone shows beside it, see _STYLE)."""
    first, *rest = row
    cells = "".join(
        f'<td data-label="{escape(column)}"{_NUM if _is_number(v) else ""}>{_markup(v)}</td>'
        for column, v in zip(columns[1:], rest, strict=True)
    )
    return f'<tr><th scope="row">{_markup(first)}</th>{cells}</tr>'


def _markup(value: Cell) -> str:
    return value if isinstance(value, Html) else escape(str(value))


def _is_number(value: Cell) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
