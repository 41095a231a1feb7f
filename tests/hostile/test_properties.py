"""Property tests: whatever bytes or text a page holds, the parser, the chunker and `kb check`
never raise, and every warning names a file and a line (issue 13, "make it a suite").

Seeded (`derandomize=True`) so a run is repeatable; the whole file takes well under 20 s.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.config import Settings
from kb.content.check import check_content
from kb.content.chunk import chunk_document
from kb.content.parse import clean_block, parse_markdown
from kb.search.snippet import make_snippet, marked

pytestmark = pytest.mark.slow  # seeded property runs: about 12 s

SEEDED = settings(
    derandomize=True,
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
TODAY = dt.date(2025, 1, 1)

# Pieces hostile pages are made of: open and closed template tags, comments, fences, links,
# headings, YAML anchors and aliases, deep brackets, escapes YAML turns into odd characters.
MARKUP = st.sampled_from(
    [
        "{{",
        "}}",
        "{%",
        "%}",
        "{{ x }}",
        "<!--",
        "-->",
        "```",
        "~~~",
        "```\n",
        "`",
        "\n",
        "# ",
        "## ",
        "###### ",
        "[",
        "]",
        "(",
        ")",
        "![",
        "[a](b)",
        "[a](ä)",
        "<a href=x>",
        "> ",
        "- ",
        "1. ",
        "| a | b |\n|---|---|\n",
        "&a [x]",
        "*a",
        "<<: *a",
        "\\ud800",
        '"\\ud800"',
        "[[[[",
        "]]]]",
        "{",
        "}",
        ": ",
        "---\n",
        "...\n",
        "\t",
        "\r",
        "\r\n",
        "\x00",
        "\ufeff",
        "\u200b",
        "é",
        "𝔘",
        "kb-check: ignore",
        "password=hunter22",
        "**",
        "_",
        "|",
        "a,b,c,d\n",
        "x@y.example, ",
        "Contents: a; b\n",
        "\ue000",
        "7",
        ". ",
        "report",
    ]
)
TEXT = st.lists(st.one_of(MARKUP, st.text(max_size=12)), max_size=40).map("".join)
YAML_VALUE = st.recursive(
    st.one_of(st.text(max_size=10), st.integers(), st.booleans(), st.none()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
KEYS = st.sampled_from(
    [
        "title",
        "authors",
        "tags",
        "team",
        "owner",
        "updated",
        "review_by",
        "department",
        "summary",
        "description",
        "date",
        "x",
    ]
)


@st.composite
def pages(draw) -> bytes:
    """A page: maybe front matter (valid YAML, or markup), then a Markdown-ish body."""
    parts = []
    kind = draw(st.sampled_from(["none", "yaml", "markup"]))
    if kind == "yaml":
        meta = draw(st.dictionaries(KEYS, YAML_VALUE, max_size=5))
        lines = [f"{k}: {_flow(v)}" for k, v in meta.items()]
        parts.append("---\n" + "\n".join(lines) + "\n---\n")
    elif kind == "markup":
        parts.append("---\n" + draw(TEXT) + "\n---\n")
    parts.append(draw(TEXT))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "latin-1"]))
    return "".join(parts).encode(encoding, "surrogatepass" if encoding == "utf-8" else "replace")


def _flow(value: object) -> str:
    """`value` as YAML flow text (written by hand so that odd text stays odd)."""
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_flow(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return "null" if value is None else str(value).lower()


def _tokens(texts) -> list[int]:
    return [len(t.split()) + 2 for t in texts]


def _check_problems(problems, path: str) -> None:
    for p in problems:
        assert p.path == path
        assert p.line is None or p.line >= 1  # None: the file as a whole (shown as line 1)
        assert p.message


@SEEDED
@given(st.binary(max_size=400))
def test_parse_and_chunk_never_raise_on_bytes(raw):
    _parse_and_chunk(raw)


@SEEDED
@given(pages())
def test_parse_and_chunk_never_raise_on_pages(raw):
    _parse_and_chunk(raw)


def _parse_and_chunk(raw: bytes) -> None:
    """Parse and chunk `raw`: no exception, every problem placed, text the index can write."""
    doc, problems = parse_markdown(raw, "p.md")
    _check_problems(problems, "p.md")
    if doc is not None:
        chunks, found = chunk_document(doc, _tokens, Settings(max_tokens=32, chunk_tokens=24))
        _check_problems(found, "p.md")
        for chunk in chunks:
            chunk.text.encode("utf-8")  # what the index writes: no lone surrogates
        doc.title.encode("utf-8")


@SEEDED
@given(TEXT)
def test_clean_block_never_raises(text):
    assert isinstance(clean_block(text), str)


@settings(SEEDED, max_examples=150)
@given(st.lists(pages(), min_size=1, max_size=3), st.one_of(st.none(), TEXT))
def test_check_never_raises_and_every_finding_has_a_line(raws, people):
    root = Path(tempfile.mkdtemp())
    try:
        for i, raw in enumerate(raws):
            (root / f"p{i}.md").write_bytes(raw)
        if people is not None:
            (root / "people.yaml").write_text(people, encoding="utf-8", errors="surrogatepass")
        for finding in check_content(root, today=TODAY):
            assert finding.path and finding.line >= 1
            assert finding.severity in ("error", "warning")
            str(finding).encode("utf-8")
    finally:
        shutil.rmtree(root)


@SEEDED
@given(TEXT, st.sampled_from(["report", "a b", "report email 7", "", "the"]))
def test_snippets_never_raise_and_mark_inside_the_snippet(text, query):
    made = make_snippet(text, query, width=60)
    assert len(made.text) <= 60 + 4  # the window, and '… ' before or ' …' after it
    for a, b in made.answer:
        assert 0 <= a < b <= len(made.text)
    pieces = marked(made.text, query, made.answer)
    assert "".join(p for p, *_ in pieces) == made.text
