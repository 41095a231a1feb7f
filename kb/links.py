"""Where a page can be read and edited outside kb: the links every shell puts on a page.

Deployment settings, not index data: changing them needs no re-index. `KB_EDIT_URL` is a
template with `{path}` (the page's path in the content folder, for example
`https://github.com/acme/docs/edit/main/content/{path}`); `KB_APP_URL` is where the app is
served, so a page can be opened there (`?page=...`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlencode, urlsplit

from kb.errors import SettingError

PAGE_SCHEME = "kb://page/"  # MCP resources: kb://page/<path>


@dataclass(frozen=True)
class PageLinks:
    """The edit template and the app's address ("" when not set)."""

    edit: str = ""
    app: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> PageLinks:
        """KB_EDIT_URL and KB_APP_URL, checked: `SettingError` names the variable."""
        edit = env.get("KB_EDIT_URL", "").strip()
        app = env.get("KB_APP_URL", "").strip()
        if edit:
            _web_address("KB_EDIT_URL", edit.replace("{path}", "x"))
            if edit.count("{path}") != 1:
                raise SettingError(
                    f"KB_EDIT_URL must hold {{path}} once, where the page's path goes: {edit!r}"
                )
        if app:
            _web_address("KB_APP_URL", app)
        return cls(edit=edit, app=app.rstrip("/"))

    def edit_url(self, path: str) -> str:
        """The page's edit link ("" without KB_EDIT_URL)."""
        return self.edit.replace("{path}", quote(path, safe="/")) if self.edit else ""

    def app_url(self, path: str) -> str:
        """The page opened in the app ("" without KB_APP_URL)."""
        return f"{self.app}/?{urlencode({'page': path})}" if self.app else ""


NO_LINKS = PageLinks()


def resource_uri(path: str) -> str:
    """The MCP resource of a page: kb://page/<path>."""
    return PAGE_SCHEME + quote(path, safe="/")


def page_path(reference: str) -> str:
    """The content path a caller means: a path, a kb://page/ resource or an app link
    (`...?page=<path>`). Leading slashes and an anchor (`#L12`, `#section`) are dropped; a
    `#` that is part of a file name is kept (it is percent-encoded in links)."""
    text = reference.strip()
    if text.startswith(PAGE_SCHEME):
        text = unquote(text[len(PAGE_SCHEME) :].split("#", 1)[0])
    elif "://" in text:
        try:
            query = urlsplit(text).query
        except ValueError:  # not a URL after all ("http://[::1")
            return ""
        pairs = dict(part.split("=", 1) for part in query.split("&") if "=" in part)
        text = unquote(pairs.get("page", "").replace("+", " "))
    elif "#" in text and not text.lower().endswith(".md"):
        text = text.rsplit("#", 1)[0]  # "finance/x.md#L12", not "it/c#-guide.md"
    return text.lstrip("/")


def _web_address(name: str, value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingError(f"{name} must be an http(s) address, not {value!r}")
