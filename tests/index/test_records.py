"""The chunks file read by row (kb.index.records) and what a loaded index keeps in memory."""

from __future__ import annotations

from fakes import HashEmbedder
from helpers import write

from kb import Filters, Settings, build_index
from kb.backends.local import LocalBackend
from kb.index.codec import chunk_from_line
from kb.index.records import ChunkRecords
from kb.index.store import load_index


def _content(root, pages=30):
    for i in range(pages):
        team = ("security", "finance", "hr")[i % 3]
        sections = "".join(
            f"## Part {j}\nText {i}-{j} about été and ünïcode. " * 3 + "\n"
            for j in range(1 + i % 4)
        )
        write(
            root / f"{team}/page-{i:02d}.md",
            f"---\ntitle: Page {i}\nauthors: [Ana Ruiz, Bo Chen]\nteam: {team}\n"
            f"tags: [t{i % 5}]\nupdated: 2026-0{1 + i % 9}-01\n---\n{sections}",
        )
    return root


def _parsed(path):
    return [chunk_from_line(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_records_equal_the_parsed_file_by_row_slice_and_iteration(tmp_path, monkeypatch):
    import kb.index.records as records

    monkeypatch.setattr(records, "_BLOCK", 64)  # line ends found across many small reads
    monkeypatch.setattr(records, "_ROWS", 7)  # iteration in several blocks
    build_index(_content(tmp_path / "c"), tmp_path / "i", HashEmbedder(), Settings())
    chunks_file = next((tmp_path / "i").glob("chunks-*.jsonl"))
    want = _parsed(chunks_file)
    got = ChunkRecords(chunks_file)
    assert len(got) == len(want) > 40
    assert [got[i] for i in range(len(got))] == want
    assert got[-1] == want[-1] and got[3:9] == want[3:9]
    assert list(got) == want and got == tuple(want) and got != want[:-1]


def test_a_reader_keeps_reading_its_rows_after_a_later_build_removed_its_file(tmp_path):
    content = _content(tmp_path / "c")
    build_index(content, tmp_path / "i", HashEmbedder(), Settings())
    stored = load_index(tmp_path / "i", model_name="hash-bow", dim=64)
    first = list(stored.chunks)
    for n in range(3):  # each build sweeps files two builds old; merging rewrites them all
        write(content / f"hr/new-{n}.md", f"---\ntitle: New {n}\n---\n## A\nNew text {n}.\n")
        build_index(content, tmp_path / "i", HashEmbedder(), Settings(), merge=True)
    assert not (tmp_path / "i" / stored.manifest.segments[0]["chunks"]).exists()
    assert [stored.chunks[i] for i in range(len(first))] == first


def test_row_pages_and_filters_read_no_chunk_record(tmp_path, monkeypatch):
    build_index(_content(tmp_path / "c"), tmp_path / "i", HashEmbedder(), Settings())
    stored = load_index(tmp_path / "i", model_name="hash-bow", dim=64)
    every = list(stored.chunks)
    backend = LocalBackend(stored)
    monkeypatch.setattr(
        ChunkRecords, "_decode", lambda self, row: (_ for _ in ()).throw(AssertionError(row))
    )
    assert [backend.path_of(r) for r in range(len(every))] == [c.path for c in every]
    for filters in (
        Filters(team="finance"),
        Filters(tag="t3"),
        Filters(author="bo chen", department=""),
        Filters(updated_since="2026-05-01"),
        Filters(team="HR", tag="t1"),
    ):
        want = [i for i, c in enumerate(every) if filters.allows(c)]
        assert backend._allowed(filters).tolist() == want, filters
