"""Segments: an edit writes a small segment and marks old rows deleted; the policy bounds the
segment count; search over segments equals a build from scratch."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from click.testing import CliRunner
from fakes import HashEmbedder
from helpers import assert_same_index, page, write

from kb import KnowledgeBase, Settings, build_index
from kb.cli import cli
from kb.errors import IndexCorruptError
from kb.index.merging import SegmentSize, to_fold
from kb.index.store import load_index

QUERIES = ("restore backups", "system 7 step 2", "revision", "vpn split tunnel", "leave")


def _pages(root, n: int = 30) -> None:
    for i in range(n):
        body = "".join(
            f"## Step {s}\nRestore backups for system {i}, step {s}.\n" for s in range(4)
        )
        write(root / f"ops/page-{i:03}.md", f"---\ntitle: Ops {i}\nauthors: [Mo]\n---\n{body}")


def _edit(root, i: int, version: int) -> None:
    write(
        root / f"ops/page-{i:03}.md",
        f"---\ntitle: Ops {i}\nauthors: [Mo]\n---\n## Step 0\nRevision {version} of system {i}.\n",
    )


def _results(index_dir):
    kb = KnowledgeBase(index_dir, HashEmbedder(), Settings())
    return [
        [(h.chunk.path, h.chunk.id, round(h.score, 6)) for h in kb.search(q, k=10, mode=mode)]
        for q in QUERIES
        for mode in ("hybrid", "dense", "bm25")
    ]


def _scratch(content, tmp_path):
    full = tmp_path / "full"
    shutil.rmtree(full, ignore_errors=True)
    build_index(content, full, HashEmbedder(), Settings(), full=True)
    return full


def test_an_edit_writes_one_small_segment_and_leaves_the_others_untouched(tmp_path):
    content, index_dir = tmp_path / "c", tmp_path / "i"
    _pages(content)
    first = build_index(content, index_dir, HashEmbedder(), Settings()).manifest
    base = first.segments[0]
    stamps = {n: (index_dir / n).stat().st_mtime_ns for n in first.data_files()}
    _edit(content, 3, 1)
    report = build_index(content, index_dir, HashEmbedder(), Settings())
    segments = report.manifest.segments
    assert len(segments) == 2 and {k: segments[0][k] for k in base if k != "deleted"} == {
        k: v for k, v in base.items() if k != "deleted"
    }
    assert segments[0]["deleted"] == [3]  # page-003's old version, by its place in the file
    assert all((index_dir / n).stat().st_mtime_ns == t for n, t in stamps.items())
    new = {kind: index_dir / segments[1][kind] for kind in ("chunks", "vectors")}
    assert new["chunks"].read_text().count("\n") == 1  # the edited page's one section
    assert new["vectors"].stat().st_size < (index_dir / base["vectors"]).stat().st_size / 10
    assert_same_index((index_dir, "hash-bow", 64), (_scratch(content, tmp_path), "hash-bow", 64))
    assert _results(index_dir) == _results(tmp_path / "full")


def test_many_edits_keep_few_segments_and_equal_a_fresh_build(tmp_path):
    content, index_dir = tmp_path / "c", tmp_path / "i"
    _pages(content)
    build_index(content, index_dir, HashEmbedder(), Settings())
    counts = []
    for n in range(40):
        _edit(content, (n * 7) % 30, n)
        if n % 10 == 9:
            (content / f"ops/page-{(n * 3) % 30:03}.md").unlink(missing_ok=True)  # deletions
        manifest = build_index(content, index_dir, HashEmbedder(), Settings()).manifest
        counts.append(len(manifest.segments))
    assert max(counts) <= 5, counts  # one edit each: without merging there would be 41
    assert_same_index((index_dir, "hash-bow", 64), (_scratch(content, tmp_path), "hash-bow", 64))
    assert _results(index_dir) == _results(tmp_path / "full")


def test_merge_folds_every_segment_into_one_without_embedding(tmp_path):
    content, index_dir = tmp_path / "c", tmp_path / "i"
    _pages(content)
    build_index(content, index_dir, HashEmbedder(), Settings())
    for n in range(3):
        _edit(content, n, n)
        build_index(content, index_dir, HashEmbedder(), Settings())
    assert len(load_index(index_dir, model_name="hash-bow", dim=64).manifest.segments) > 1
    report = build_index(content, index_dir, HashEmbedder(), Settings(), merge=True)
    assert report.changed and report.embedded == 0
    (only,) = report.manifest.segments
    assert only["deleted"] == []
    assert_same_index((index_dir, "hash-bow", 64), (_scratch(content, tmp_path), "hash-bow", 64))
    # Nothing left to merge: the next --merge changes nothing.
    again = build_index(content, index_dir, HashEmbedder(), Settings(), merge=True)
    assert not again.changed and again.manifest.build_id == report.manifest.build_id


def test_a_deleted_page_is_never_found_though_its_old_segment_still_holds_it(tmp_path):
    content, index_dir = tmp_path / "c", tmp_path / "i"
    _pages(content, 12)
    write(content / "it/vpn.md", page("VPN", "Ana Ruiz", "Split tunnel", "Kiwifruit gateway"))
    build_index(content, index_dir, HashEmbedder(), Settings())
    (content / "it/vpn.md").unlink()
    _edit(content, 1, 1)
    manifest = build_index(content, index_dir, HashEmbedder(), Settings()).manifest
    old = index_dir / manifest.segments[0]["chunks"]
    assert "Kiwifruit" in old.read_text()  # deleted in place until a merge rewrites it
    kb = KnowledgeBase(index_dir, HashEmbedder(), Settings())
    for mode in ("hybrid", "dense", "bm25"):
        assert all(h.chunk.path != "it/vpn.md" for h in kb.search("kiwifruit", k=50, mode=mode))
    stored = load_index(index_dir, model_name="hash-bow", dim=64)
    assert "it/vpn.md" not in stored.pages and all(c.path != "it/vpn.md" for c in stored.chunks)
    assert "kiwifruit" not in stored.keywords.document_frequencies()


def test_after_a_merge_no_file_of_the_index_holds_a_deleted_page(tmp_path):
    # `kb index --merge` is what README says to run before shipping an index folder (a CI
    # artifact): the last build's files, kept one more build for slow readers, still held a
    # deleted page's text after it, and a merge of an index already in one segment changed
    # nothing at all (an admin trial: a deleted page's text in the shipped folder).
    content, index_dir = tmp_path / "c", tmp_path / "i"
    write(content / "hr/leave.md", page("Leave", "Ana Ruiz", "Days", "Everyone gets 28 days"))
    write(content / "hr/reorg.md", page("Reorg", "Ana Ruiz", "Plan", "Nightingale closes Leeds"))
    build_index(content, index_dir, HashEmbedder(), Settings())
    (content / "hr/reorg.md").unlink()
    build_index(content, index_dir, HashEmbedder(), Settings())  # one segment already
    report = build_index(content, index_dir, HashEmbedder(), Settings(), merge=True)

    def holding() -> list[str]:
        files = [f for f in index_dir.rglob("*") if f.is_file()]
        return [f.name for f in files if b"Nightingale" in f.read_bytes()]

    assert not report.changed and holding() == []
    _pages(content, 3)
    build_index(content, index_dir, HashEmbedder(), Settings())
    _edit(content, 1, 1)  # and a merge that does rewrite: the files it replaced go too
    build_index(content, index_dir, HashEmbedder(), Settings())
    before = set(load_index(index_dir, model_name="hash-bow", dim=64).manifest.data_files())
    report = build_index(content, index_dir, HashEmbedder(), Settings(), merge=True)
    left = {f.name for f in index_dir.iterdir()} - {"manifest.json", ".kb-index.lock"}
    assert report.changed and left == set(report.manifest.data_files()) and left != before
    assert _results(index_dir) == _results(_scratch(content, tmp_path))


def test_the_policy_bounds_segments_and_never_rewrites_the_base_for_one_edit():
    segments = [SegmentSize(100_000, 100_000)]
    largest = []
    for _ in range(2000):  # one 10-row page per run
        fold = to_fold(segments, 10)
        assert 0 not in fold  # the base is never rewritten for an edit
        merged = 10 + sum(segments[i].live for i in fold)
        largest.append(merged / (sum(s.live for s in segments) + 10))
        segments = [s for i, s in enumerate(segments) if i not in fold]
        segments.append(SegmentSize(merged, merged))
        assert len(segments) <= 10
    assert max(largest) <= 0.1  # at most a tenth of the index per run


def test_a_segment_mostly_deleted_is_folded_in():
    assert to_fold([SegmentSize(100_000, 40_000), SegmentSize(50, 50)], 10) == {0, 1}
    assert to_fold([SegmentSize(100_000, 60_000)], 10) == set()


def test_dense_rows_and_vectors_agree_across_segments(tmp_path):
    content, index_dir = tmp_path / "c", tmp_path / "i"
    _pages(content, 10)
    build_index(content, index_dir, HashEmbedder(), Settings())
    _edit(content, 4, 1)
    build_index(content, index_dir, HashEmbedder(), Settings())
    stored = load_index(index_dir, model_name="hash-bow", dim=64)
    vectors = stored.vectors.vectors()
    emb = HashEmbedder()
    for row, chunk in enumerate(stored.chunks):
        np.testing.assert_allclose(vectors[row], emb.encode([chunk.embed_text])[0], atol=1e-3)
    q = emb.encode(["revision 1 of system 4"])[0]
    (top, _), *_ = stored.vectors.search(q, 3)
    assert stored.chunks[top].path == "ops/page-004.md"
    sims = stored.vectors.similarity(q, list(range(len(stored.chunks))))
    np.testing.assert_allclose(sims, vectors @ q, atol=1e-3)
    allowed = np.array([r for r, c in enumerate(stored.chunks) if c.path != "ops/page-004.md"])
    hits = stored.vectors.search(q, 5, allowed=allowed)
    assert hits and all(stored.chunks[r].path != "ops/page-004.md" for r, _ in hits)


@pytest.mark.model
def test_kb_index_merge_through_the_cli_with_the_real_model(tmp_path):
    content, index_dir = tmp_path / "c", tmp_path / "i"
    _pages(content, 6)
    run = CliRunner().invoke
    args = ["index", str(content), "--index-dir", str(index_dir), "--json"]
    assert run(cli, args).exit_code == 0
    _edit(content, 2, 1)
    res = run(cli, args)
    assert res.exit_code == 0 and json.loads(res.output)["segments"] == 2, res.output
    res = run(cli, [*args[:-1], "--merge"])
    assert res.exit_code == 0 and "1 segment" in res.output and "0 embedded" in res.output
    res = run(cli, ["search", "revision 1 of system 2", "--index-dir", str(index_dir), "--json"])
    assert res.exit_code == 0 and json.loads(res.output)[0]["path"] == "ops/page-002.md"


def test_layout_orders_live_pages_by_path_and_maps_rows_both_ways():
    from kb.index.segments import layout
    from kb.models import Source

    old = [Source("b.md", "", rows=(0, 2)), Source("d.md", "", rows=(2, 3))]
    new = [Source("a-b.md", "", rows=(0, 1)), Source("b.md", "", rows=(1, 4))]
    new.append(Source("a/z.md", "", rows=(4, 5)))
    where = layout([old, new], [{0}, set()])  # b.md's old copy is deleted
    # As sorted() orders a folder's Paths, part by part: "a/z.md" before "a-b.md".
    assert list(where.page_rows) == ["a/z.md", "a-b.md", "b.md", "d.md"]
    assert where.page_rows == {"a/z.md": (0, 1), "a-b.md": (1, 2), "b.md": (2, 5), "d.md": (5, 6)}
    assert where.segment.tolist() == [1, 1, 1, 1, 1, 0]
    assert where.local.tolist() == [4, 0, 1, 2, 3, 2]
    assert [d.tolist() for d in where.dense] == [[-1, -1, 5], [1, 2, 3, 4, 0]]
    assert where.runs() == [(1, 4, 5), (1, 0, 4), (0, 2, 3)]
    # One segment keeps its own order (an index of documents in the order given).
    alone = layout([[Source("z.md", "", rows=(0, 1)), Source("a.md", "", rows=(1, 2))]], [set()])
    assert list(alone.page_rows) == ["z.md", "a.md"]


def test_a_segment_with_deleted_rows_returns_no_more_than_asked(tmp_path):
    content, index_dir = tmp_path / "c", tmp_path / "i"
    _pages(content, 12)
    build_index(content, index_dir, HashEmbedder(), Settings())
    (content / "ops/page-004.md").unlink()  # a deletion only: no new segment
    manifest = build_index(content, index_dir, HashEmbedder(), Settings()).manifest
    assert len(manifest.segments) == 1 and manifest.segments[0]["deleted"]
    stored = load_index(index_dir, model_name="hash-bow", dim=64)
    q = HashEmbedder().encode(["restore backups for system 3"])[0]
    assert len(stored.vectors.search(q, 10)) == 10
    # Fewer results asked than rows deleted: the live rows' bitmap (packed at load) is used.
    truth = np.sort(stored.vectors.vectors() @ q)[::-1][:2]
    hits = stored.vectors.search(q, 2)
    assert all(r >= 0 for r, _ in hits)  # a deleted row has no dense row (-1)
    np.testing.assert_allclose([d for _, d in hits], truth, atol=1e-3)


def test_a_line_separator_in_a_page_survives_an_edit(tmp_path):
    content, index_dir = tmp_path / "c", tmp_path / "i"
    _pages(content, 3)
    write(content / "it/odd.md", page("Odd", "Ana Ruiz", "Setup\u2028second line\u0085third"))
    build_index(content, index_dir, HashEmbedder(), Settings())
    write(content / "it/odd.md", page("Odd", "Ana Ruiz", "Setup\u2028second line", "More"))
    build_index(content, index_dir, HashEmbedder(), Settings())  # crashed reading its lines
    assert_same_index((index_dir, "hash-bow", 64), (_scratch(content, tmp_path), "hash-bow", 64))


def test_a_consent_change_over_segments_equals_a_fresh_build(tmp_path):
    content, index_dir = tmp_path / "c", tmp_path / "i"
    _pages(content, 6)
    write(content / "people.yaml", "- name: Ines Park\n- name: Bo Chen\n")
    write(content / "it/wifi.md", page("Wifi", '"Ines Park", Bo Chen', "Roaming", "Channels"))
    build_index(content, index_dir, HashEmbedder(), Settings())
    _edit(content, 1, 1)  # a second segment first
    build_index(content, index_dir, HashEmbedder(), Settings())
    write(content / "people.yaml", "- name: Ines Park\n  hide_from_expert_search: true\n")
    report = build_index(content, index_dir, HashEmbedder(), Settings())
    assert report.changed and len(report.manifest.segments) == 1  # every page read again
    assert_same_index((index_dir, "hash-bow", 64), (_scratch(content, tmp_path), "hash-bow", 64))
    stored = load_index(index_dir, model_name="hash-bow", dim=64)
    assert all("Ines" not in a.name for c in stored.chunks for a in c.authors)
    # Her consent back (someone else hidden: with no one hidden, an incremental run warns
    # on purpose that people are shown again, which a fresh build cannot know).
    write(
        content / "people.yaml",
        "- name: Ines Park\n- name: Old Account\n  hide_from_expert_search: true\n",
    )
    build_index(content, index_dir, HashEmbedder(), Settings())
    assert_same_index((index_dir, "hash-bow", 64), (_scratch(content, tmp_path), "hash-bow", 64))
    stored = load_index(index_dir, model_name="hash-bow", dim=64)
    assert any("Ines" in a.name for a in stored.pages["it/wifi.md"].authors)


def test_a_process_that_indexes_again_parses_only_new_segments(tmp_path, monkeypatch):
    """Segments are immutable and named by their SHA-256 in the manifest: the process that
    wrote a segment parses nothing of it, another parses it once, and a damaged file is still
    caught."""
    import kb.index.store as store
    from kb.index import pool

    pool.clear()
    parsed: list[str] = []
    real = store._read_sources
    monkeypatch.setattr(store, "_read_sources", lambda p: parsed.append(p.name) or real(p))
    content, index_dir = tmp_path / "c", tmp_path / "i"
    _pages(content)
    write(
        content / "ops/odd.md", "---\nauthors: [Mo <mo@x.org>, Li]\n---\n# Odd\n\n### Deep\nText.\n"
    )
    build_index(content, index_dir, HashEmbedder(), Settings())
    for version in range(1, 4):
        _edit(content, version, version)
        report = build_index(content, index_dir, HashEmbedder(), Settings())
    assert parsed == []  # what this process wrote, it had in hand
    # What it had in hand is what parsing the files gives.
    for seg in report.manifest.segments:
        digest = report.manifest.checksums[seg["sources"]]["sha256"]
        pooled = pool.parsed("sources", digest, lambda: None)
        assert pooled == real(index_dir / seg["sources"]) and pooled, seg["sources"]
    pool.clear()  # as a new process
    for version in range(4, 7):
        _edit(content, version, version)
        build_index(content, index_dir, HashEmbedder(), Settings())
    assert len(parsed) == len(report.manifest.segments) == len(set(parsed)), parsed
    assert_same_index((index_dir, "hash-bow", 64), (_scratch(content, tmp_path), "hash-bow", 64))
    # A damaged file is no longer the file the pool holds: its digest differs, so the build
    # starts afresh instead of trusting what it parsed before.
    base = report.manifest.segments[0]
    sources = index_dir / base["sources"]
    sources.write_bytes(sources.read_bytes().replace(b"Mo", b"Zo"))
    _edit(content, 9, 9)
    report = build_index(content, index_dir, HashEmbedder(), Settings())
    assert len(report.manifest.segments) == 1  # from scratch: nothing reused
    assert_same_index((index_dir, "hash-bow", 64), (_scratch(content, tmp_path), "hash-bow", 64))


def test_a_page_live_in_two_segments_is_a_rebuild_not_a_doubled_page(tmp_path):
    """A manifest edited so that an edited page's old copy is no longer deleted: the build
    does not reuse that index (it would hold the page twice) and ends as a fresh build."""
    content, index_dir = tmp_path / "c", tmp_path / "i"
    _pages(content)
    build_index(content, index_dir, HashEmbedder(), Settings())
    _edit(content, 3, 1)
    build_index(content, index_dir, HashEmbedder(), Settings())
    manifest = json.loads((index_dir / "manifest.json").read_text())
    assert manifest["segments"][0]["deleted"] == [3]
    manifest["segments"][0]["deleted"] = []
    (index_dir / "manifest.json").write_text(json.dumps(manifest))
    _edit(content, 5, 1)
    report = build_index(content, index_dir, HashEmbedder(), Settings())
    assert report.rebuilt and report.embedded == report.chunks
    assert_same_index((index_dir, "hash-bow", 64), (_scratch(content, tmp_path), "hash-bow", 64))


def test_warm_reads_what_the_next_edit_reuses_so_that_edit_reads_nothing(tmp_path, monkeypatch):
    """`kb watch` warms at start: its first edit then parses no segment, as later ones."""
    import kb.index.store as store
    from kb.build import warm
    from kb.index import pool

    content, index_dir = tmp_path / "c", tmp_path / "i"
    _pages(content)
    build_index(content, index_dir, HashEmbedder(), Settings())
    pool.clear()  # as a new process
    parsed: list[str] = []
    real = store._read_sources
    monkeypatch.setattr(store, "_read_sources", lambda p: parsed.append(p.name) or real(p))
    warm(content, index_dir, HashEmbedder(), Settings())
    assert len(parsed) == 1
    _edit(content, 1, 1)
    build_index(content, index_dir, HashEmbedder(), Settings())
    assert len(parsed) == 1  # nothing more
    warm(content, tmp_path / "none", HashEmbedder(), Settings())  # no index: no error


def test_a_load_of_the_next_build_reads_only_its_new_segments(tmp_path, monkeypatch):
    # A server loads every build: while its last index is loaded, the segments both builds
    # share are taken from it, not read and hashed again (2.6 GB at 100,000 pages).
    import gc
    import weakref

    from kb.index import folder, store
    from kb.models.manifest import segment_files

    content, index_dir = tmp_path / "c", tmp_path / "i"
    _pages(content)
    build_index(content, index_dir, HashEmbedder(), Settings())
    last = load_index(index_dir, model_name="hash-bow", dim=64)
    _edit(content, 3, 1)
    build_index(content, index_dir, HashEmbedder(), Settings())
    read, hashed = [], []
    real_read, real_hash = store._read_segment, folder.checksum
    monkeypatch.setattr(store, "_read_segment", lambda d, s: read.append(s) or real_read(d, s))
    monkeypatch.setattr(folder, "checksum", lambda p: hashed.append(p) or real_hash(p))
    now = load_index(index_dir, model_name="hash-bow", dim=64)
    old, new = now.manifest.segments
    assert read == [new] and now.segments[0] is last.segments[0]
    tops = {p.relative_to(index_dir).parts[0] for p in hashed}
    assert tops == segment_files([new])  # the shared segment's files are not hashed again
    # Held weakly: they go with the last index holding them (other tests' indexes may be
    # held meanwhile). The same index as a process that never loaded the last build reads it.
    held = [weakref.ref(part) for part in now.segments]
    del last, now
    gc.collect()
    assert all(ref() is None for ref in held)
    assert _results(index_dir) == _results(_scratch(content, tmp_path))


def test_a_damaged_file_of_a_segment_a_loaded_index_holds_is_refused(tmp_path):
    content, index_dir = tmp_path / "c", tmp_path / "i"
    _pages(content)
    build_index(content, index_dir, HashEmbedder(), Settings())
    last = load_index(index_dir, model_name="hash-bow", dim=64)
    vectors = index_dir / last.manifest.segments[0]["vectors"]
    data = bytearray(vectors.read_bytes())
    data[-1] ^= 1
    vectors.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="damaged"):
        load_index(index_dir, model_name="hash-bow", dim=64)


@pytest.mark.parametrize("damage", ["flip", "delete"])
@pytest.mark.parametrize("which", ["small", "large"])
def test_a_damaged_segment_costs_its_own_pages_not_the_whole_index(tmp_path, damage, which):
    # One damaged file made the next build embed every page again (most of an hour at
    # 100,000 pages); now only the pages of its segment are.
    content, index_dir = tmp_path / "c", tmp_path / "i"
    _pages(content)
    first = build_index(content, index_dir, HashEmbedder(), Settings())
    _edit(content, 3, 1)
    edit = build_index(content, index_dir, HashEmbedder(), Settings())
    large, small = edit.manifest.segments
    seg = small if which == "small" else large
    target = index_dir / seg["vectors"]
    if damage == "flip":
        data = bytearray(target.read_bytes())
        data[-1] ^= 1
        target.write_bytes(bytes(data))
    else:
        target.unlink()
    report = build_index(content, index_dir, HashEmbedder(), Settings())
    assert not report.rebuilt and report.damaged == (seg["vectors"],)
    want = edit.embedded if which == "small" else first.embedded - 5  # page 3's old chunks
    assert report.embedded == want and report.reread == (1 if which == "small" else 29)
    assert seg["vectors"] not in {s["vectors"] for s in report.manifest.segments}
    assert _results(index_dir) == _results(_scratch(content, tmp_path))
    again = build_index(content, index_dir, HashEmbedder(), Settings())
    assert not again.changed and again.damaged == ()
