"""The Gaps view names a topic no one wrote as the CLI does: `kb gaps` says "no author", the
view's "Who knows it" cell was empty beside bus factor 0 (a trial, session 36: the sales
page of a colleague who withheld consent, whose authors are no one's)."""

from __future__ import annotations

from helpers import html_tables, new_app, write

from kb import Settings, build_index


def test_a_topic_without_authors_says_no_author(tmp_path, monkeypatch, real_embedder):
    content, index_dir = tmp_path / "content", tmp_path / "index"
    write(
        content / "sales/accounts.md",
        "---\ntitle: Key account planning\nteam: sales\n---\n\n# Key account planning\n\n"
        "Each key account has a yearly plan, reviewed in December.\n",
    )
    write(
        content / "ops/counts.md",
        "---\ntitle: Cycle counts\nteam: ops\nauthors: [Ana Here]\n---\n\n# Cycle counts\n\n"
        "Stock is counted by location every week.\n",
    )
    build_index(content, index_dir, real_embedder, Settings())
    at = new_app(monkeypatch, index_dir, view="gaps")
    assert not at.exception
    rows = {r["Topic"]: r for r in html_tables(at)[0]}
    assert rows["Key account planning"]["Bus factor"] == "0"
    assert rows["Key account planning"]["Who knows it"] == "no author"
    assert rows["Cycle counts"]["Who knows it"] == "Ana Here (100%)"
