"""A facet value (a team, a tag, an author's name) is stored as shown and short."""

from __future__ import annotations

import json

from fakes import HashEmbedder
from helpers import write

from kb.build import build_index
from kb.config import Settings
from kb.content.parse import parse_markdown
from kb.index.store import load_index

LONG = "q" * 5_000
HOSTILE = (
    "---\ntitle: Toner\n"
    'team: "fin\\u202eecna"\n'
    f'tags: ["\\e[31mred", "{LONG}", "on\\u200bboarding", "printers"]\n'
    'authors: ["Bob\\u2066 \\u0007Smith"]\n'
    "---\n# Toner\n\nOrder toner from the portal.\n"
)


def test_a_facet_value_is_stored_as_shown_and_short_with_a_warning(tmp_path):
    doc, problems = parse_markdown(HOSTILE.encode(), "it/toner.md")
    assert doc is not None
    assert doc.team == "finance" and doc.tags == ("[31mred", "onboarding", "printers")
    assert [a.name for a in doc.authors] == ["Bob Smith"]
    said = {(p.line, p.message) for p in problems}
    assert (
        3,
        "'team' has characters that show as nothing (control, bidi); stored without them",
    ) in said
    assert (4, "'tags' has a value longer than 100 characters; dropped") in said
    assert (
        5,
        "'authors' has characters that show as nothing (control, bidi); stored without them",
    ) in said

    content, index = tmp_path / "content", tmp_path / "index"
    write(content / "it/toner.md", HOSTILE)
    report = build_index(content, index, HashEmbedder(), Settings())
    assert any(p.path == "it/toner.md" and p.line == 4 for p in report.problems)
    (page,) = load_index(index, model_name="hash-bow", dim=64).pages.values()
    assert (page.team, page.tags) == (doc.team, doc.tags)
    stored = "".join(
        f.read_text("utf-8", "replace") for f in index.rglob("*") if f.suffix == ".jsonl"
    )
    for raw in ("\u202e", "\u200b", "\u2066", "\x1b", "\x07", LONG[:200]):
        assert raw not in stored and json.dumps(raw)[1:-1] not in stored


def test_a_git_author_is_named_as_shown_and_a_name_of_pasted_text_credits_no_one(tmp_path):
    """A commit's author name was a page's author, a profile and an author filter value as
    git holds it: an escape sequence, a right-to-left override, 3,000 characters."""
    import subprocess

    repo = tmp_path / "repo"
    write(repo / "it/vpn.md", "# VPN\n\nUse the client.\n")
    write(repo / "it/dns.md", "# DNS\n\nUse the resolver.\n")

    def commit(name: str, *files: str) -> None:
        who = ["-c", f"user.name={name}", "-c", "user.email=x@example.org"]
        subprocess.run(["git", "add", *files], cwd=repo, check=True)
        subprocess.run(["git", *who, "commit", "-qm", "x"], cwd=repo, check=True)

    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    commit("Bob\x1b[31m Smith \u202enaD", "it/vpn.md")
    commit("Z" * 3_000, "it/dns.md")
    index = tmp_path / "index"
    build_index(repo, index, HashEmbedder(), Settings())
    pages = load_index(index, model_name="hash-bow", dim=64).pages
    assert [a.name for a in pages["it/vpn.md"].authors] == ["Bob[31m Smith Dan"]
    assert pages["it/dns.md"].authors == ()
