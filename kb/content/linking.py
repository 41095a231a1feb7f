"""Where a link in a page points: the content path it names, resolved as kb check does."""

from __future__ import annotations

import posixpath
from collections.abc import Collection
from urllib.parse import unquote, urlsplit


def link_target(page: str, href: str) -> tuple[str, str] | None:
    """(content path, anchor) a link from `page` names; None for an external link, a
    template, or a site URL that names no file. The path may lie outside the content folder
    (it then starts with '../') or name nothing that exists."""
    if not href or "{{" in unquote(href) or "{%" in unquote(href):
        return None
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    path, anchor = unquote(parts.path), unquote(parts.fragment)
    if not path:
        return page, anchor
    if path.startswith("/"):
        if not path.endswith((".md", ".markdown")):
            return None  # a site URL (Jekyll, Hugo ...), not a file we can resolve
        return posixpath.normpath(path.lstrip("/")), anchor
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), path)), anchor


def page_named(target: str, pages: Collection[str]) -> str | None:
    """The page of `pages` a link target means: itself, or with .md, README.md or index.md."""
    candidates = (target, f"{target}.md", f"{target}/README.md", f"{target}/index.md")
    return next((c for c in candidates if c in pages), None)
