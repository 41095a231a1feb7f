"""A draft stays out of the index however its front matter writes the flag."""

from __future__ import annotations

import pytest
from fakes import HashEmbedder
from helpers import write

from kb.build import build_index
from kb.config import Settings
from kb.content.parse import parse_markdown
from kb.index.store import load_index

BODY = "# Reorg plan\n\nThe quintessential restructuring keeps zebrafinch.\n"
# Each is a draft's front matter; the number is the line the warning names.
DRAFTS = {
    "typed as a number": ("---\ntitle: Reorg\ndraft: 1\n---\n", 3),
    "a quoted word with a space": ('---\ntitle: Reorg\ndraft: "True "\n---\n', 3),
    "a key in capitals": ("---\ntitle: Reorg\nDraft: true\n---\n", 3),
    "YAML 1.1's on": ("---\ntitle: Reorg\npublished: off\n---\n", 3),
    "published as zero": ("---\ntitle: Reorg\npublished: 0\n---\n", 3),
    "a value that says neither": ("---\ntitle: Reorg\ndraft: until review\n---\n", 3),
    # Metadata ignored made the flag ignored too, and the draft's text was indexed.
    "a YAML slip on another line": ("---\ntitle: Reorg: plan\ndraft: true\n---\n", 3),
    "front matter that is a list": ("---\n- draft: true\ndraft: true\n---\n", 3),
    "front matter that never ends": ("---\ntitle: Reorg\ndraft: yes # not yet\n\n", 3),
    "a blank line before the flag in a slip": ("---\ntitle: A: b\n\ndraft: true\n---\n", 4),
    # Hugo's TOML front matter (`hugo new` writes `draft = true`) was page text.
    "Hugo's TOML front matter": ('+++\ntitle = "Reorg"\ndraft = true\n+++\n', 3),
    "a TOML slip on another line": ('+++\ntitle = "Reorg\ndraft = true\n+++\n', 3),
    "the key again in another case": ("---\ntitle: Reorg\nDraft: true\ndraft: false\n---\n", 3),
    # Hugo's JSON front matter was page text too: its keys in snippets, its draft indexed.
    "Hugo's JSON front matter": ('{\n  "title": "Reorg",\n  "draft": true\n}\n', 3),
    "a JSON slip on another line": ('{\n  "title": "Reorg"\n  "draft": true\n}\n', 3),
    "JSON nested deeper than YAML may": (
        '{\n  "a": ' + "[" * 30 + "]" * 30 + ',\n  "draft": 1\n}\n',
        3,
    ),
}


@pytest.mark.parametrize("front", DRAFTS.values(), ids=DRAFTS.keys())
def test_a_draft_is_a_draft_however_its_flag_is_written(tmp_path, front):
    matter, line = front
    doc, problems = parse_markdown((matter + BODY).encode(), "hr/reorg.md")
    assert doc is None
    drafts = [p for p in problems if "a draft, not indexed" in p.message]
    assert [(p.path, p.line) for p in drafts] == [("hr/reorg.md", line)]

    content, index = tmp_path / "content", tmp_path / "index"
    write(content / "hr/reorg.md", matter + BODY)
    write(content / "hr/leave.md", "---\ntitle: Leave\n---\n# Leave\n\nDays off.\n")
    build_index(content, index, HashEmbedder(), Settings())
    loaded = load_index(index, model_name="hash-bow", dim=64)
    assert {c.path for c in loaded.chunks} == {"hr/leave.md"}
    stored = b"".join(f.read_bytes() for f in index.rglob("*") if f.is_file())
    assert b"zebrafinch" not in stored and b"Reorg" not in stored


@pytest.mark.parametrize(
    "matter",
    [
        "---\ntitle: Leave\ndraft: false\n---\n",
        "---\ntitle: Leave\ndraft: 0\n---\n",
        "---\ntitle: Leave\ndraft:\n---\n",
        "---\ntitle: Leave\npublished: true\n---\n",
        "---\ntitle: Leave\npublished: 2026-01-05\n---\n",
        "---\ntitle: Leave: days\ndraft: no\n---\n",
        "---\ntitle: Leave\n---\nA draft: true story.\n",
        '+++\ntitle = "Leave"\ndraft = false\n+++\n',
        '{\n  "title": "Leave",\n  "draft": false,\n  "params": {\n    "a": "}"\n  }\n}\n',
    ],
)
def test_a_page_that_says_it_is_published_is_indexed(matter):
    doc, problems = parse_markdown((matter + BODY).encode(), "hr/leave.md")
    assert doc is not None and "+++" not in doc.body  # front matter, not text
    assert '"draft"' not in doc.body and doc.title in ("Leave", "Reorg plan")
    assert not [p for p in problems if "a draft" in p.message]


def _indexed_then_and_now(tmp_path, monkeypatch, draft: str, older: dict, signature) -> tuple:
    """The pages an index holds when an older kb built it (`older`: kb's functions as they
    were; `signature`: its chunking signature from today's), then after the next build."""
    content, index = tmp_path / "content", tmp_path / "index"
    write(content / "hr/reorg.md", draft + BODY)
    write(content / "hr/leave.md", "---\ntitle: Leave\n---\n# Leave\n\nDays off.\n")
    built = []
    with monkeypatch.context() as old_kb:
        for name, value in older.items():
            old_kb.setattr(name, value)
        today = Settings.chunking_signature
        old_kb.setattr(Settings, "chunking_signature", lambda self: signature(today(self)))
        build_index(content, index, HashEmbedder(), Settings())
        built.append({c.path for c in load_index(index, model_name="hash-bow", dim=64).chunks})
    build_index(content, index, HashEmbedder(), Settings())
    built.append({c.path for c in load_index(index, model_name="hash-bow", dim=64).chunks})
    return tuple(built)


def test_a_draft_an_older_kb_indexed_is_dropped_by_the_next_build(tmp_path, monkeypatch):
    then, now = _indexed_then_and_now(
        tmp_path,
        monkeypatch,
        DRAFTS["a YAML slip on another line"][0],
        {"kb.content.parse.unpublished": lambda *args: None},  # no such draft
        lambda signature: {k: v for k, v in signature.items() if k != "drafts"},
    )
    assert then == {"hr/leave.md", "hr/reorg.md"} and now == {"hr/leave.md"}


def test_a_json_draft_an_older_kb_indexed_is_dropped_by_the_next_build(tmp_path, monkeypatch):
    """An index built before kb read Hugo's JSON front matter holds its drafts, their front
    matter as text: the next build reads every page again (`drafts` 2) and drops them."""
    then, now = _indexed_then_and_now(
        tmp_path,
        monkeypatch,
        DRAFTS["Hugo's JSON front matter"][0],
        {  # JSON is text, drafts 1
            "kb.content.front_matter._json_front_matter": lambda *args: ({}, 0),
            "kb.content.parse.unpublished": lambda *args: None,
        },
        lambda signature: {**signature, "drafts": 1},
    )
    assert then == {"hr/leave.md", "hr/reorg.md"} and now == {"hr/leave.md"}
