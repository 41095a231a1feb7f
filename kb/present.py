"""Display helpers the app needs but must not own: highlighting, staleness, safe Markdown."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from urllib.parse import quote

from kb.models import Hit
from kb.parse import clean_block, split_code
from kb.snippet import query_terms

_TAG = re.compile(r"</?[A-Za-z!][^>\n]*>?")
_LINK_TARGET = re.compile(r"(\]\(\s*<?)([^()\s>]*(?:\([^()\s]*\)[^()\s>]*)*)")
_AUTOLINK = re.compile(r"<((?:javascript|data|vbscript):[^>]*)>", re.I)


def highlight_spans(text: str, query: str) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is_query_term) spans, for bold rendering of matched words."""
    # A crude stem (drop up to 3 final letters, keep 4) so "approves" marks "Approving".
    stems = {t if len(t) <= 4 else t[: max(4, len(t) - 3)] for t in query_terms(query)}
    terms = sorted(stems, key=len, reverse=True)
    if not terms:
        return [(text, False)] if text else []
    pattern = re.compile(r"\b(" + "|".join(re.escape(t) for t in terms) + r")\w*", re.I)
    spans: list[tuple[str, bool]] = []
    pos = 0
    for m in pattern.finditer(text):
        if m.start() > pos:
            spans.append((text[pos : m.start()], False))
        spans.append((m.group(0), True))
        pos = m.end()
    if pos < len(text):
        spans.append((text[pos:], False))
    return spans


def is_stale(review_by: str, today: dt.date | None = None) -> bool:
    """True when a page's `review_by` date has passed (unparseable dates are not stale)."""
    try:
        due = dt.date.fromisoformat(review_by.strip()[:10])
    except ValueError:
        return False
    return due < (today or dt.date.today())


def safe_markdown(body: str, path: str = "") -> str:
    """A page body that renders as Markdown with no live HTML, script or unsafe link.

    Raw HTML tags are shown as text, link targets other than http(s), mailto and relative
    paths are dropped, template tags and comments removed; code is left exactly as written.
    Links to other Markdown pages become in-app links (`?page=...`) resolved against `path`.
    """
    parts = split_code(clean_block(body, keep_links=True))
    for i in range(0, len(parts), 2):
        part = _AUTOLINK.sub(lambda m: m.group(1).replace(":", "&#58;", 1), parts[i])
        part = _LINK_TARGET.sub(lambda m: _safe_target(m, path), part)
        parts[i] = _TAG.sub(lambda m: m.group(0).replace("<", "&lt;").replace(">", "&gt;"), part)
    return "".join(parts)


def _safe_target(m: re.Match[str], path: str) -> str:
    target = m.group(2)
    lower = target.lower()
    if lower.startswith(("http://", "https://", "mailto:", "#")):
        return m.group(0)
    if ":" in target.split("/")[0]:
        return m.group(1) + "#"  # javascript:, data:, vbscript:, any other scheme
    file, _, anchor = target.partition("#")
    if file.lower().endswith((".md", ".markdown")):
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), file))
        return m.group(1) + "?page=" + quote(resolved) + (f"#{anchor}" if anchor else "")
    return m.group(0)


def page_markdown(title: str, body: str, path: str = "") -> str:
    """`safe_markdown` of a page body without its leading `# Title` (the app shows the title)."""
    lines = body.lstrip("\n").split("\n", 1)
    first = lines[0].strip()
    if first.startswith("# ") and first[2:].strip() == title.strip():
        body = lines[1] if len(lines) > 1 else ""
    return safe_markdown(body, path)


def group_by_page(hits: list[Hit], *, pages: int = 10) -> list[tuple[Hit, list[Hit]]]:
    """Hits folded per page, best page first: (best section, the page's other sections)."""
    groups: dict[str, tuple[Hit, list[Hit]]] = {}
    for hit in hits:
        if hit.chunk.path in groups:
            groups[hit.chunk.path][1].append(hit)
        elif len(groups) < pages:
            groups[hit.chunk.path] = (hit, [])
    return list(groups.values())
