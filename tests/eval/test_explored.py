"""The expert models explored for issue 16 (`kb.eval.explored`), with the fake embedder.

Their voting arithmetic is the default model's (tests/search/test_experts.py)."""

from __future__ import annotations

import pytest
from fakes import HashEmbedder
from helpers import write

from kb import KnowledgeBase, Settings, build_index
from kb.eval.explored import rank


def test_uncut_models_rank_everyone_the_pages_vote_for_and_refuse_unknown_names(tmp_path):
    content = tmp_path / "content"
    words = "vpn split tunnel okta sign in"
    write(content / "it/vpn.md", f"---\ntitle: VPN\nauthors: [Ana Ruiz]\n---\n## VPN\n{words}\n")
    write(content / "it/toner.md", "---\ntitle: Toner\nauthors: [Cy Diaz]\n---\n## Toner\npaper\n")
    build_index(content, tmp_path / "index", HashEmbedder(), Settings())
    kb = KnowledgeBase(tmp_path / "index", HashEmbedder(), Settings())
    authors = {path: page.authors for path, page in kb.index.pages.items()}
    # The toner page answers nothing, so `kb experts` leaves Cy out; uncut, the dense leg's
    # pages vote for him too, after Ana.
    assert [p.name for p in kb.experts(words, k=10)] == ["Ana Ruiz"]
    assert [n for n, _ in rank(kb, words, "absvote-uncut", authors)] == ["Ana Ruiz", "Cy Diaz"]
    # sharevote's pages come from BM25 alone: the toner page shares no word with the query.
    assert [n for n, _ in rank(kb, words, "sharevote", authors)] == ["Ana Ruiz"]
    with pytest.raises(ValueError, match="sharevote"):
        rank(kb, words, "combsum", authors)
