"""The Milvus backend (milvus-lite in a file): the same answers as the local backend, kb's
filters as Milvus expressions, incremental publishing by chunk id, and sharded indexing.

The core search and expert tests run on both backends through the `any_kb` fixture
(tests/search/test_bundled_quality.py); these tests compare the two directly.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from fakes import HashEmbedder
from fastapi.testclient import TestClient
from helpers import CONTENT, QUESTIONS, page, write

from kb import IndexLocation, KnowledgeBase, Settings, build_index
from kb.backends.milvus.reader import MilvusBackend, expression
from kb.backends.shards import Shard, finish_shards
from kb.cli import cli
from kb.models import Filters
from kb.serve.api import create_app

pytestmark = pytest.mark.milvus

QUERIES = [q["query"] for q in QUESTIONS["searches"]] + [q["query"] for q in QUESTIONS["experts"]]


def ranked(kb: KnowledgeBase, query: str, **kw) -> list[tuple[str, str]]:
    return [_place(h) for h in kb.search(query, k=10, **kw)]


def _place(hit) -> tuple[str, str]:
    return (hit.chunk.path, hit.chunk.heading)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_every_bundled_question_ranks_the_same_on_both_backends(bundled_kb, milvus_kb, mode):
    for query in QUERIES:
        local = bundled_kb.search(query, k=10, mode=mode)
        milvus = milvus_kb.search(query, k=10, mode=mode)
        assert len(milvus) == len(local), query
        # Local vectors are float16: hits whose scores tie within 1e-4 may come in either
        # order ("single view of each client": 0.482181 and 0.482179 locally, swapped by
        # Milvus's float32 cosines).
        i = 0
        while i < len(local):
            j = i + 1
            while j < len(local) and local[j - 1].score - local[j].score < 1e-4:
                j += 1
            assert {_place(h) for h in milvus[i:j]} == {_place(h) for h in local[i:j]}, query
            i = j
        # Local vectors are stored as float16 (cosine moves in the 4th decimal), BM25 is exact.
        np.testing.assert_allclose(
            [h.score for h in milvus], [h.score for h in local], atol=2e-3, err_msg=query
        )


FILTERS = [
    Filters(department="IT"),
    Filters(department="business"),
    Filters(team="Finance"),
    Filters(tag="vpn"),
    Filters(author="oliver grant"),
    Filters(updated_since="2026-10-01"),
    Filters(team="finance", author="Hannah Becker"),
    Filters(team='it" or team != "x'),  # an injection attempt is a value like any other
]


@pytest.mark.parametrize("filters", FILTERS, ids=str)
def test_filters_run_inside_milvus_with_the_local_meaning(bundled_kb, milvus_kb, filters):
    for query in ("approving expenses", "reset my password", "PII_READER"):
        for mode in ("hybrid", "bm25"):
            got = ranked(milvus_kb, query, filters=filters, mode=mode)
            assert got == ranked(bundled_kb, query, filters=filters, mode=mode), (query, mode)
            assert all(filters.allows(_chunk(milvus_kb, p, h)) for p, h in got)
    people = milvus_kb.experts("approving expenses", filters=filters)
    assert [p.name for p in people] == [
        p.name for p in bundled_kb.experts("approving expenses", filters=filters)
    ]


def _chunk(kb, path, heading):
    return next(c for c in kb.index.chunks if c.path == path and c.heading == heading)


def test_filter_expressions_are_milvus_syntax():
    f = Filters(
        department="IT", tag="VPN", author="Ana  Ruiz <ana@x.org>", updated_since="2026-01-02"
    )
    assert expression(f) == (
        'department == "it" and array_contains(tags, "vpn") and '
        'array_contains(authors, "ana ruiz") and updated >= "2026-01-02"'
    )
    assert expression(Filters(team='a"b')) == 'team in ["a\\"b"]'
    assert expression(Filters(team=("Finance", "sales"))) == 'team in ["finance", "sales"]'
    assert expression(Filters()) == ""


def test_people_pairs_teams_and_gaps_are_the_same_on_milvus(bundled_kb, milvus_kb):
    a, b = bundled_kb, milvus_kb
    assert isinstance(b.index, MilvusBackend)
    assert [t.label for t in b.analysis.topics] == [t.label for t in a.analysis.topics]
    assert [t.bus_factor for t in b.analysis.topics] == [t.bus_factor for t in a.analysis.topics]
    assert b.analysis.pairs("tandem", seed=7) == a.analysis.pairs("tandem", seed=7)
    description = "sync Spendwise expense claims into NetSuite, warehouse stock counts"
    assert b.team(description).members == a.team(description).members
    today = date(2026, 11, 26)
    assert b.gaps(today=today).stale == a.gaps(today=today).stale
    assert b.profile("Sofia Alvarez") == a.profile("Sofia Alvarez")
    assert b.people() == a.people() and b.facets() == a.facets()


def test_two_shards_and_a_finish_equal_one_unsharded_run(tmp_path):
    # The hash embedder: sharding is bookkeeping, and the real model's vectors through Milvus
    # are compared with the local backend above. Exact vectors make any difference a bug.
    fake = HashEmbedder()
    whole = tmp_path / "whole"
    build_index(CONTENT, whole, fake, Settings())
    one = IndexLocation("milvus", milvus_uri=str(tmp_path / "one.db"))
    one.publish(whole, prune=True)
    local = KnowledgeBase(whole, fake, Settings())
    unsharded = KnowledgeBase(
        tmp_path, fake, Settings(), backend=one.open(model_name=fake.name, dim=fake.dim)
    )
    where = IndexLocation("milvus", milvus_uri=str(tmp_path / "sharded.db"))
    sizes = []
    for number in (1, 2):
        shard = Shard(number, 2)
        work = tmp_path / f"shard-{number}"
        build_index(CONTENT, work, fake, Settings(), select=shard.owns)
        sizes.append(where.publish(work, prune=False).pages)
    # Before the finish, no shard knows the collection's word statistics: Milvus counts them.
    counting = where.open(model_name=fake.name, dim=fake.dim)
    assert counting._stats is None
    before = KnowledgeBase(tmp_path, fake, Settings(), backend=counting)
    for query in QUERIES[:8]:
        assert ranked(before, query, mode="bm25") == ranked(unsharded, query, mode="bm25")
    done = where.finish({c.path for c in local.index.chunks})
    assert sum(sizes) == len(local.index.pages) and min(sizes) > 0
    assert done.missing == () and done.pruned == 0
    backend = where.open(model_name=fake.name, dim=fake.dim)
    assert backend._stats == local.index._stored.keywords.document_frequencies()
    sharded = KnowledgeBase(tmp_path, fake, Settings(), backend=backend)
    assert sharded.index.chunks == unsharded.index.chunks
    for query in QUERIES:
        a, b = sharded.search(query, k=10), unsharded.search(query, k=10)
        assert [h.chunk for h in a] == [h.chunk for h in b], query
        np.testing.assert_allclose([h.score for h in a], [h.score for h in b], atol=1e-6)
        assert sharded.experts(query, k=3) == unsharded.experts(query, k=3)


def open_fake(where: IndexLocation) -> KnowledgeBase:
    fake = HashEmbedder()
    backend = where.open(model_name=fake.name, dim=fake.dim)
    return KnowledgeBase(Path("unused"), fake, Settings(), backend=backend)


def test_publishing_again_upserts_only_changed_chunks_and_deletes_gone_ones(content, tmp_path):
    fake, work = HashEmbedder(), tmp_path / "index"
    where = IndexLocation("milvus", milvus_uri=str(tmp_path / "kb.db"))
    build_index(content, work, fake, Settings())
    first = where.publish(work, prune=True)
    assert first.upserted == first.chunks > 0 and first.deleted == 0
    again = where.publish(work, prune=True)
    assert (again.upserted, again.deleted, again.pages_written) == (0, 0, 0)

    write(content / "it/vpn.md", page("VPN", "Ana Ruiz", "Setup", "Split tunnel", "Always-on"))
    (content / "hr/leave.md").unlink()
    write(content / "it/wifi.md", page("Wifi", "Dee Park", "Guest network"))
    build_index(content, work, fake, Settings())
    changed = where.publish(work, prune=True)
    # Changed VPN chunks and the new page are in; the replaced VPN chunks and the deleted
    # page are out. The untouched expenses page was not written again.
    expenses = sum(1 for c in KnowledgeBase(work, fake, Settings()).index.chunks if "exp" in c.path)
    assert 1 <= changed.upserted <= changed.chunks - expenses and changed.deleted >= 1
    assert changed.pruned == 3 and changed.pages_written == 2
    kb, local = open_fake(where), KnowledgeBase(work, fake, Settings())
    assert kb.index.chunks == local.index.chunks and kb.index.pages == local.index.pages
    assert "hr/leave.md" not in kb.index.pages
    assert [h.chunk.path for h in kb.search("always-on")] == [
        h.chunk.path for h in local.search("always-on")
    ]


def test_finish_deletes_pages_gone_from_the_content_and_names_unindexed_ones(content, tmp_path):
    fake = HashEmbedder()
    where = IndexLocation("milvus", milvus_uri=str(tmp_path / "kb.db"))
    for number in (1, 2):
        work = tmp_path / f"shard-{number}"
        build_index(content, work, fake, Settings(), select=Shard(number, 2).owns)
        where.publish(work, prune=False)
    (content / "hr/leave.md").unlink()
    write(content / "it/new.md", page("New", "Eve Lund", "Fresh"))  # no shard ran since
    done = where.finish({"it/vpn.md", "finance/expenses.md", "it/new.md"})
    assert done.pruned == 3 and done.missing == ("it/new.md",)  # leave.md: 3 chunks
    assert set(open_fake(where).index.pages) == {"it/vpn.md", "finance/expenses.md"}


def test_shards_build_in_folders_of_their_own_and_finish_reads_the_content(content, tmp_path):
    fake = HashEmbedder()
    where = IndexLocation("milvus", tmp_path / "work", milvus_uri=str(tmp_path / "kb.db"))
    shards = (Shard(1, 2), Shard(2, 2))
    shares = [
        [p.relative_to(content).as_posix() for p in s.pages(content, tmp_path)] for s in shards
    ]
    assert sorted(sum(shares, [])) == ["finance/expenses.md", "hr/leave.md", "it/vpn.md"]
    for shard in shards:
        work = shard.folder(where.index_dir)
        assert work.parent == where.index_dir  # a folder of its own
        build_index(content, work, fake, Settings(), select=shard.select)
        where.publish(work, prune=False)
    (content / "hr/leave.md").unlink()
    done = finish_shards(content, where)
    assert done.pruned == 3 and done.missing == ()
    assert set(open_fake(where).index.pages) == {"it/vpn.md", "finance/expenses.md"}
    assert Shard().folder(where.index_dir) == where.index_dir and Shard().select is None


def test_shards_split_every_page_exactly_once():
    paths = [f"team-{i}/page-{j}.md" for i in range(20) for j in range(10)]
    shares = [[p for p in paths if Shard(n, 3).owns(p)] for n in (1, 2, 3)]
    assert sorted(sum(shares, [])) == sorted(paths)
    assert all(40 < len(s) < 90 for s in shares)  # a hash spreads them
    assert Shard.parse("2/3") == Shard(2, 3)
    for bad in ("0/2", "3/2", "x", "1/0"):
        with pytest.raises(ValueError):
            Shard.parse(bad)


@pytest.mark.model  # through the CLI or the app, which load the model
def test_the_cli_indexes_shards_into_milvus_and_searches_there(tmp_path, monkeypatch):
    root = tmp_path / "content"
    write(root / "it/vpn.md", page("VPN access", "Ana Ruiz", "Setup", "Split tunnel"))
    write(root / "hr/leave.md", page("Parental leave", "Bo Chen", "Forms", team="hr"))
    uri = str(tmp_path / "kb.db")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    flags = ["--backend", "milvus", "--milvus-uri", uri, "--index-dir", "work"]
    for shard in ("1/2", "2/2"):
        result = runner.invoke(
            cli, ["index", "content", *flags, "--shard", shard, "--workers", "2"]
        )
        assert result.exit_code == 0, result.output
        assert f"shard {shard}" in result.output or "no pages of this shard" in result.output
    result = runner.invoke(cli, ["index", "content", *flags, "--finish"])
    assert result.exit_code == 0 and "2 pages" in result.output, result.output
    result = runner.invoke(cli, ["search", "parental leave forms", *flags, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["path"] == "hr/leave.md"
    result = runner.invoke(cli, ["experts", "split tunnel vpn", *flags, "--json"])
    assert json.loads(result.output)[0]["name"] == "Ana Ruiz"

    both = runner.invoke(cli, ["index", "content", *flags, "--shard", "1/2", "--finish"])
    assert both.exit_code == 2 and "drop --shard" in both.output
    wrong = runner.invoke(cli, ["index", "content", "--shard", "1/2"])
    assert wrong.exit_code == 2 and "--backend milvus" in wrong.output
    empty = runner.invoke(cli, ["search", "x", "--backend", "milvus", "--milvus-uri", "e.db"])
    assert empty.exit_code == 1 and "no kb index in Milvus collection 'kb'" in empty.output
    bare = runner.invoke(cli, ["search", "x", "--backend", "milvus"])
    assert bare.exit_code == 2 and "--milvus-uri" in bare.output


def test_the_api_serves_from_milvus(milvus_location, milvus_kb, bundled_kb):
    client = TestClient(create_app(milvus_location))
    health = client.get("/health").json()
    assert health["chunks"] == len(bundled_kb.index.chunks)
    found = client.get("/search", params={"q": "supplier changed bank details", "k": 3}).json()
    assert [h["path"] for h in found] == [
        h.chunk.path for h in bundled_kb.search("supplier changed bank details", k=3)
    ]
    people = client.get("/experts", params={"q": "expense claims", "team": "finance"}).json()
    assert people and all(p["team"] == "finance" for p in people)


def test_workers_embed_in_processes_and_give_the_same_vectors(real_embedder, monkeypatch):
    from kb.embed import parallel

    monkeypatch.setattr(parallel, "PIECE", 8)  # the parent splits: 40 texts, 5 pieces
    verbs, things = "reset renew return report".split(), "laptop badge phone vpn expense".split()
    texts = [f"how do I {verb} my {thing}" for verb in verbs for thing in things]
    texts += [t.upper() for t in texts]
    done = []
    two = parallel.encode(real_embedder, texts, workers=2, batch_size=4, progress=done.append)
    one = real_embedder.encode(texts, batch_size=4)
    np.testing.assert_allclose(two, one, atol=1e-5)
    assert sum(done) == len(texts) and len(done) == 5


def test_snippets_mark_the_same_sentences_on_both_backends(bundled_kb, milvus_kb):
    # The sentences' vectors travel in the chunk records Milvus holds (kb.search.sentences).
    for query in ("how do I reset my password", "how much can I claim for mileage"):
        local = [(h.chunk.id, h.snippet, h.answer) for h in bundled_kb.search(query, k=10)]
        assert [(h.chunk.id, h.snippet, h.answer) for h in milvus_kb.search(query, k=10)] == local
