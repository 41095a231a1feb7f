"""Attacks on what the app renders: Markdown from URLs and data, images that call out."""

from __future__ import annotations

import html
import re
import string
import time

import pytest
from helpers import APP, plain, write
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from kb import Settings, build_index
from kb.app.present import contact_markdown, literal, safe_markdown

LINK = "[click](https://evil.example)![x](https://evil.example/p.png)"
ROLE = "**Boss** [reset your password](https://evil.example/reset) :red[urgent] $x^2$"
TITLE = "Payroll [login](https://evil.example) ![t](https://evil.example/t.png)"
CONTACT = "https://intranet.example/wiki/Payroll_(team)"  # valid: parentheses end no link
RENDER = MarkdownIt("commonmark")


def live_markdown(value: str) -> list[str]:
    """The links and images an unescaped `](` or `![` would make, and directives or maths."""
    outside_code = re.sub(r"(`+).+?\1", "", value)  # code spans are shown as written
    return re.findall(r"(?<!\\)(?:\]\(|!\[|:\w+\[|\$)", outside_code)


@pytest.fixture(scope="module")
def crafted_index(tmp_path_factory, real_embedder):
    root = tmp_path_factory.mktemp("crafted")
    content = root / "content"
    write(
        content / "payroll.md",
        f"---\ntitle: '{TITLE}'\nauthors: [Mallory Doe]\n---\n"
        "Payroll runs on the 25th.\n\n"
        "![pixel](https://tracker.example/p.gif) and ![ok](https://img.corp.example/a.png)\n\n"
        "![diagram](diagram.png) and ![logo][l]\n\n[l]: https://tracker.example/logo.png\n",
    )
    write(
        content / "people.yaml",
        f"people:\n  - name: Mallory Doe\n    role: '{ROLE}'\n    contact: {CONTACT}\n",
    )
    build_index(content, root / "idx", real_embedder, Settings())
    return root / "idx"


def new_app(monkeypatch, index_dir, **params) -> AppTest:
    monkeypatch.setenv("KB_INDEX_DIR", str(index_dir))
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    return at


def test_page_link_with_markdown_in_the_url_shows_it_as_text(monkeypatch, crafted_index):
    at = new_app(monkeypatch, crafted_index, page=LINK)
    error = at.error[0].value
    assert live_markdown(error) == [] and literal(LINK) in error
    assert plain(error) == f"No page {LINK} in the index."


def test_person_link_with_markdown_in_the_url_shows_it_as_text(monkeypatch, crafted_index):
    at = new_app(monkeypatch, crafted_index, person=LINK)
    error = at.error[0].value
    assert live_markdown(error) == [] and literal(LINK) in error
    assert plain(error) == f"No pages by {LINK} in the index."


def test_an_address_gone_back_to_is_said_back_as_shown_and_short(monkeypatch, crafted_index):
    """An attack on the Back and Forward reading of the address: a crafted `?page=` of
    100,000 characters was said back whole under "No page …", and an escape sequence in
    `?person=` or `?q=` reached the page (the bidi controls did not). Read as a link is,
    said as shown and at most 80 characters."""
    at = new_app(monkeypatch, crafted_index)
    at.text_input(key="q").input("payroll").run()
    for params, message in (
        ({"q": "payroll", "page": "x" * 100_000}, "No page "),
        ({"q": "payroll", "person": "\u202eeoD\x1b[2J" * 40}, "No pages by "),
        ({"q": "payroll\x1b[31m\x00day"}, ""),
    ):
        at.query_params.clear()
        for key, value in params.items():
            at.query_params[key] = value
        at.run()  # no widget changed: the browser went to this address
        assert not at.exception
        said = [str(e.value) for e in [*at.error, *at.caption] if str(e.value).startswith(message)]
        assert said, params
        for text in said:
            assert len(text) < 300 and not any(c in text for c in "\x00\x1b\u202e"), text[:100]


def test_page_title_with_markdown_shows_as_text(monkeypatch, crafted_index):
    at = new_app(monkeypatch, crafted_index, page="payroll.md")
    [header] = [h.value for h in at.main.header]
    assert live_markdown(header) == [] and plain(header) == TITLE


def test_people_yaml_role_with_markdown_shows_as_text(monkeypatch, crafted_index):
    at = new_app(monkeypatch, crafted_index, person="Mallory Doe")
    roles = [c.value for c in at.main.caption if "Boss" in c.value]
    assert roles and live_markdown(roles[0]) == [] and plain(roles[0]) == ROLE


def test_expert_card_shows_the_role_as_text_and_links_only_the_contact(monkeypatch, crafted_index):
    at = new_app(monkeypatch, crafted_index, q="when does payroll run")
    [card] = [m.value for m in at.markdown if "Boss" in m.value]
    assert literal(ROLE) in card
    links = re.findall(r'<a href="([^"]*)"', RENDER.render(card))
    assert [h for h in links if not h.startswith("?page=")] == [
        "https://intranet.example/wiki/Payroll_%28team%29"
    ]


# A title across lines with a right-to-left override left open: in a card it broke the title's
# link in two (the rest of the line shown as raw Markdown) and reversed what follows it.
SPLIT_TITLE = "Toner orders\\n\\n# ordering [x](javascript:alert(1)) :red[r] \\u202ereversed"
HOSTILE_TEAM = "<b>ops</b> :red[team] [t](javascript:alert(2))"


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory, real_embedder):
    root = tmp_path_factory.mktemp("hostile")
    write(
        root / "content" / "toner.md",
        f'---\ntitle: "{SPLIT_TITLE}"\nauthors: [Mallory Doe]\nteam: "{HOSTILE_TEAM}"\n'
        "department: IT\nupdated: 2026-11-01\n---\n"
        "## How to order [toner](javascript:alert(3)) <img src=x onerror=alert(4)>\n"
        "Order toner cartridges for the office printer from the supplier portal.\n",
    )
    build_index(root / "content", root / "idx", real_embedder, Settings())
    return root / "idx"


def test_hostile_titles_teams_and_headings_stay_text_on_the_start_page_and_cards(
    monkeypatch, hostile_index
):
    at = new_app(monkeypatch, hostile_index)
    labels = [b.label for b in at.button if b.key.startswith(("example-", "browse-"))]
    assert any("toner" in label for label in labels)  # a question from the heading
    assert f"{HOSTILE_TEAM} · 1" in [plain(label) for label in labels]
    assert all(live_markdown(label) == [] for label in labels)
    lists = "".join(h.value for h in at.html)
    assert "<b>ops" not in lists and "<img" not in lists and "&lt;b&gt;ops" in lists
    at.text_input(key="q").input("order toner cartridges").run()
    [card] = [m.value for m in at.main.markdown if m.value.startswith("## **[Toner orders")]
    rendered = RENDER.render(card)
    # The title is one link, opening the page, on the line of its heading; nothing live in it.
    first = rendered.split("</h2>")[0]
    assert '<strong><a href="?page=toner.md">Toner orders # ordering' in first
    assert '› <a href="?page=toner.md&amp;section=' in first
    assert live_markdown(card.split("](?page=toner.md)", 1)[0]) == []
    assert "\u202e" not in card


@pytest.mark.parametrize(
    ("contact", "link"),
    [
        ("aisha.khan@brightwater.example", "mailto:aisha.khan@brightwater.example"),
        ("https://intranet.example/people/aisha", "https://intranet.example/people/aisha"),
        (
            "https://x.example/a)(javascript:alert(1)",
            "https://x.example/a%29%28javascript:alert%281%29",
        ),
        ("@grace", None),
        ("teams:@grace", None),
        ("javascript:alert(1)", None),
        ("JAVASCRIPT:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("file:///etc/passwd", None),
        ("ftp://files.example", None),
        ("mailto:a@b.example", None),
        ("[x](javascript:alert(1))", None),
        ("a@b.example?subject=x", None),
        ('https://evil.example/"onmouseover="x', None),
        ("<https://evil.example>", None),
    ],
)
def test_a_contact_links_only_to_mail_or_the_web_and_shows_as_written(contact, link):
    rendered = RENDER.render(contact_markdown(contact))
    assert re.findall(r'<a href="([^"]*)"', rendered) == ([link] if link else [])
    if link:  # the link reads as a link, not as code inside one
        assert "<code>" not in rendered
    assert "<img" not in rendered and "<script" not in rendered
    assert html.unescape(re.sub(r"<[^>]*>", "", rendered)).strip() == contact


def test_page_image_from_another_host_is_a_link_not_loaded(monkeypatch, crafted_index):
    at = new_app(monkeypatch, crafted_index, page="payroll.md")
    body = "\n".join(m.value for m in at.main.markdown)
    assert "[image: pixel](https://tracker.example/p.gif)" in body
    assert "![pixel]" not in body and "![ok]" not in body
    assert "[image: logo](https://tracker.example/logo.png)" in body  # reference-style too
    assert "![diagram](diagram.png)" in body  # relative images still load
    monkeypatch.setenv("KB_ALLOWED_IMAGE_HOSTS", "img.corp.example, wiki.corp.example")
    at = new_app(monkeypatch, crafted_index, page="payroll.md")
    body = "\n".join(m.value for m in at.main.markdown)
    assert "![ok](https://img.corp.example/a.png)" in body and "![pixel]" not in body


@pytest.mark.parametrize(
    "text",
    [
        LINK,
        ROLE,
        TITLE,
        string.punctuation,
        "# heading",
        "- item",
        "1. item",
        "> quote",
        "a\\*b\\",
        "www.evil.example and https://evil.example/x",
        "<img src=https://evil.example/p.png> &amp; &#91;",
        "`code` ``x`` ~~gone~~ *em* __strong__",
    ],
)
def test_literal_renders_any_text_as_itself(text):
    rendered = RENDER.render(literal(text))
    assert "<a " not in rendered and "<img" not in rendered
    shown = html.unescape(re.sub(r"</?(?:p|code)>", "", rendered)).rstrip("\n")
    assert shown == text
    if "://" in text or "www." in text:
        # GFM autolinks an address even through backslash escapes (seen in a real browser):
        # addresses are shown as code, which is never linked.
        outside_code = re.sub(r"<code>.*?</code>", "", rendered)
        assert "<code>" in rendered and not re.search(r"https?:|www\.", outside_code)


@pytest.mark.parametrize("text", ["x" * 50_000, "a." * 25_000, "a+" * 25_000, "a@" * 25_000])
def test_literal_takes_linear_time_on_long_text(text):
    """A long title, name, URL value or logged search: 16,000 letters took 1.4 s, a page
    link with a million letters in its URL held the server for hours."""
    start = time.process_time()
    shown = literal(text)
    assert time.process_time() - start < 1.0
    assert shown.replace("\\", "") == text


IMAGES = [
    "![a](https://evil.example/p.png)",
    '![a](https://evil.example/p.png "title")',
    "![a](<https://evil.example/p.png>)",
    "![a](//evil.example/p.png)",
    "![a](\\/\\/evil.example/p.png)",
    "![a](&#47;&#47;evil.example/p.png)",
    "![a](HTTPS://EVIL.example/p.png)",
    "![a](https://img.corp.example.evil.example/p.png)",
    "![a](https://img.corp.example\\@evil.example/p.png)",
    "![a](https://evil.example\\\\@img.corp.example/p.png)",  # browsers: `\\` is `/`
    "![a](https://evil.example/p.png#img.corp.example)",
    "![a][r]\n\n[r]: https://evil.example/p.png",
    "![r][]\n\n[r]: https://evil.example/p.png",
    "![r]\n\n[R]: https://evil.example/p.png",
    "![a][nope]\n\n[a]: https://evil.example/p.png",
    "> [r]: https://evil.example/p.png\n\n![r]",
    "[![a](https://evil.example/p.png)](https://evil.example)",
    "![a [b] c](https://evil.example/p.png)",
    "![![x](https://evil.example/i.png)](https://evil.example/o.png)",
    '![a](https://evil.example/p.png "multi\nline")',
    "\\\\![a](https://evil.example/p.png)",
]


@pytest.mark.parametrize("body", IMAGES)
def test_page_image_forms_that_load_from_another_host_are_blocked(body):
    out = safe_markdown(body, "p.md", image_hosts={"img.corp.example"})
    sources = re.findall(r'<img src="([^"]*)"', RENDER.render(out))
    assert sources == [], out
    assert "evil.example" in out.casefold()  # still there, as a link or text


@pytest.mark.parametrize(
    "body",
    [
        "![a](diagram.png)",
        "![a](img/d.png 'd')",
        "![a](https://img.corp.example/p.png)",
        "![a](HTTPS://IMG.corp.example:8443/p.png)",
        "![a](https://evil.example\\@img.corp.example/p.png)",  # `\@` is `@`: user info
        "![a][r]\n\n[r]: ./d.png",
        "\\![a](https://evil.example/p.png)",  # already text
    ],
)
def test_relative_and_allowed_images_are_kept(body):
    out = safe_markdown(body, "p.md", image_hosts={"img.corp.example"})
    assert out == body


def test_a_link_target_written_with_references_or_by_definition_is_inert():
    # A page's `javascript&#58;alert(1)` (or `&colon;`, `&#x6A;avascript`) and a reference
    # definition `[x]: javascript:alert(1)` kept their targets: the renderer decodes them
    # into a live `javascript:` link (Streamlit's own check was the last line).
    trusting = MarkdownIt("commonmark")
    trusting.validateLink = lambda url: True  # a renderer that checks nothing
    bodies = [
        "[a](javascript&#58;alert(1))",
        "[b](javascript&colon;alert(1))",
        "[c](&#x6A;avascript&#x3A;alert(1))",
        "[d](<javascript&#58;alert(1)>)",
        "[e](data&#58;text/html;base64,PHNjcmlwdD4=)",
        "[f](vbscript\\:x)",
        "[g][x]\n\n[x]: javascript:alert(1)",
        "[h][y]\n\n> - [y]:\n>   javascript&#58;alert(1)",
        "[i][z]\n\n[z]: <data:text/html,x>",
    ]
    for body in bodies:
        rendered = trusting.render(safe_markdown(body, "it/p.md"))
        hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]*)"', rendered)]
        assert all(":" not in h.split("/")[0] for h in hrefs), (body, rendered)
    kept = "[w](https://example.org/a:b) [m](mailto:a@b.example) [r][k]\n\n[k]: https://x.example"
    assert safe_markdown(kept, "it/p.md") == kept
    prose = "2024-01-01 [x]: a:b and - [ ]: todo:later"  # no definition: prose stays
    assert safe_markdown(prose, "it/p.md") == prose
    start = time.process_time()
    safe_markdown(f"[{'a' * 100_000}\n[ {' ' * 100_000}\n{'> ' * 50_000}", "it/p.md")
    assert time.process_time() - start < 2


def test_a_zero_width_character_in_a_pages_name_shows_as_an_escape(
    tmp_path, monkeypatch, real_embedder
):
    """A page's caption showed its name raw: `it/vp\u200bn.md` looked like `it/vpn.md`.
    Each invisible character of a name shows as an escape, as in `path:line` warnings."""
    content = tmp_path / "content"
    write(content / "it/vpn.md", "---\ntitle: VPN\nauthors: [Ana Lee]\n---\nUse the client.\n")
    write(content / "it/vp\u200bn.md", "---\ntitle: VPN\nauthors: [Ana Lee]\n---\nUse the app.\n")
    build_index(content, tmp_path / "idx", real_embedder, Settings())
    at = new_app(monkeypatch, tmp_path / "idx", page="it/vp\u200bn.md")
    shown = [plain(str(m.value)) for m in at.main.markdown]
    assert [s for s in shown if s.startswith(":gray[it/vp\\u200bn.md · by")], shown
    assert not [s for s in shown if "\u200b" in s], shown


def test_a_query_nothing_answers_is_said_back_as_shown(tmp_path, monkeypatch, real_embedder):
    """A link's `?q=` holding an escape sequence and a NUL that nothing answers: "Searched
    “quokka\\x1b[31m\\x00zz”" held both raw, where the caption of answered results says the
    query as shown; the live region is told no more than the screen says."""
    content = tmp_path / "content"
    write(content / "it/vpn.md", "---\ntitle: VPN\nauthors: [Ana Lee]\n---\nUse the client.\n")
    build_index(content, tmp_path / "idx", real_embedder, Settings())
    told: list[str] = []
    monkeypatch.setattr("kb.app.search.mount_keys", lambda announce="": told.append(announce))
    at = new_app(monkeypatch, tmp_path / "idx", q="quokka\x1b[31m\x00zz")
    searched = [str(c.value) for c in at.caption if str(c.value).startswith("Searched")]
    assert searched and not any(c in searched[0] for c in "\x1b\x00"), searched
    assert told and not any(c in told[-1] for c in "\x1b\x00"), told
