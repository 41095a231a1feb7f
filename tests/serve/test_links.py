"""Page links (KB_EDIT_URL, KB_APP_URL, kb://page/): checked settings, safe paths."""

from __future__ import annotations

import pytest

from kb.errors import SettingError
from kb.links import PageLinks, page_path, resource_uri

EDIT = "https://github.com/acme/docs/edit/main/content/{path}"


def test_edit_and_app_links_quote_the_path():
    links = PageLinks.from_env({"KB_EDIT_URL": EDIT, "KB_APP_URL": "https://kb.acme.example/"})
    path = "hr/parental leave & pay?.md"
    assert links.edit_url(path) == (
        "https://github.com/acme/docs/edit/main/content/hr/parental%20leave%20%26%20pay%3F.md"
    )
    assert links.app_url(path) == (
        "https://kb.acme.example/?page=hr%2Fparental+leave+%26+pay%3F.md"
    )
    assert page_path(links.app_url(path)) == path
    assert page_path(resource_uri(path) + "#L12") == path
    assert page_path("/finance/expense-policy.md") == "finance/expense-policy.md"
    assert PageLinks.from_env({}).edit_url(path) == ""  # unset: no link
    assert page_path("http://[::1") == ""  # not a URL: no page, no error
    assert page_path(resource_uri("it/c#-guide.md") + "#L3") == "it/c#-guide.md"
    assert page_path("it/c#-guide.md") == "it/c#-guide.md"
    assert page_path("it/guide.md#L3") == "it/guide.md"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("KB_EDIT_URL", "https://git.example/edit/main", "{path} once"),
        ("KB_EDIT_URL", "https://git.example/{path}/{path}", "{path} once"),
        ("KB_EDIT_URL", "javascript:alert(1)//{path}", "http(s) address"),
        ("KB_EDIT_URL", "file:///etc/{path}", "http(s) address"),
        ("KB_APP_URL", "kb.acme.example", "http(s) address"),
    ],
)
def test_unusable_settings_are_named(name, value, says):
    with pytest.raises(SettingError, match=name) as err:
        PageLinks.from_env({name: value})
    assert says in str(err.value)
