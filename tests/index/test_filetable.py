"""The manifest's file table in a base file of its own (a large index): what an edit writes,
when a new base is written, and a damaged or hand-edited one."""

from __future__ import annotations

import json
import os

import pytest
from fakes import HashEmbedder
from helpers import write

from kb import KnowledgeBase, Settings, build_index
from kb.content import pages as pages_module
from kb.content.discover import stamp_of
from kb.errors import IndexCorruptError
from kb.index import filetable, pool
from kb.index.manifest import read_manifest
from kb.index.store import MANIFEST

PAGES = 40


@pytest.fixture
def large(monkeypatch, tmp_path):
    """A content folder of 40 pages whose table counts as large, stamped as written (pages
    written a while ago)."""
    monkeypatch.setattr(filetable, "BASE_FROM", 8)
    monkeypatch.setattr(pages_module, "RACY_NS", 0)
    root = tmp_path / "content"
    for i in range(PAGES):
        write(root / f"p/{i:02}.md", f"---\nauthors: [Ana Ruiz]\n---\n# Page {i}\nWord{i} text.\n")
    return root


def _raw(index_dir):
    return json.loads((index_dir / MANIFEST).read_text())


def _build(content, index_dir, **kw):
    return build_index(content, index_dir, HashEmbedder(), Settings(), **kw)


def test_an_edit_writes_only_the_entries_that_differ_beside_the_base(large, tmp_path):
    index_dir = tmp_path / "index"
    _build(large, index_dir)
    first = _raw(index_dir)
    base = first["files_base"]
    assert (index_dir / base).is_file() and first["files"]["path"] == []
    assert base in first["checksums"] and first["files_gone"] == []
    write(large / "p/03.md", "---\nauthors: [Ana Ruiz]\n---\n# Page 3\nEdited text.\n")
    (large / "p/07.md").unlink()
    _build(large, index_dir)
    m = _raw(index_dir)
    assert m["files_base"] == base  # two entries differ of 40: the base stays
    assert m["files"]["path"] == ["p/03.md"] and m["files_gone"] == ["p/07.md"]
    # Read back, the table is the whole one: as a build from scratch records it.
    got = read_manifest(index_dir)
    scratch = tmp_path / "scratch"
    _build(large, scratch)
    assert got.inputs == read_manifest(scratch).inputs and "p/07.md" not in got.inputs
    assert got.stamps["p/03.md"] == stamp_of(os.lstat(large / "p/03.md"))
    assert len(got.stamps) == PAGES - 1
    hits = KnowledgeBase(index_dir, HashEmbedder(), Settings()).search("Edited text", k=1)
    assert hits[0].chunk.path == "p/03.md"


def test_a_touched_page_is_restamped_beside_the_base(large, tmp_path):
    index_dir = tmp_path / "index"
    _build(large, index_dir)
    base = _raw(index_dir)["files_base"]
    page = large / "p/05.md"
    os.utime(page, ns=(page.stat().st_atime_ns, page.stat().st_mtime_ns - 10**9))
    report = _build(large, index_dir)
    assert not report.changed
    m = _raw(index_dir)
    assert m["files_base"] == base and m["files"]["path"] == ["p/05.md"]
    assert read_manifest(index_dir).stamps["p/05.md"] == stamp_of(os.lstat(page))


def test_many_entries_differing_make_a_new_base_and_the_old_one_goes(large, tmp_path):
    index_dir = tmp_path / "index"
    _build(large, index_dir)
    old = _raw(index_dir)["files_base"]
    for i in range(10):  # a quarter of the table differs: more than a sixteenth
        write(large / f"p/{i:02}.md", f"---\nauthors: [Ana Ruiz]\n---\n# Page {i}\nNew {i}.\n")
    _build(large, index_dir)
    m = _raw(index_dir)
    assert m["files_base"] != old and m["files"]["path"] == []
    assert (index_dir / old).is_file()  # kept one more build for a reader of the last manifest
    write(large / "p/20.md", "---\nauthors: [Ana Ruiz]\n---\n# Page 20\nOnce more.\n")
    _build(large, index_dir)
    assert not (index_dir / old).exists() and (index_dir / m["files_base"]).is_file()
    assert read_manifest(index_dir).inputs == read_manifest(index_dir).inputs  # stable reads


def test_a_small_table_stays_in_the_manifest(tmp_path):
    content = tmp_path / "content"
    write(content / "a.md", "---\nauthors: [Ana Ruiz]\n---\n# A\nText.\n")
    _build(content, tmp_path / "index")
    m = _raw(tmp_path / "index")
    assert "files_base" not in m and m["files"]["path"] == ["a.md"]
    assert not list((tmp_path / "index").glob("files-*"))


def test_a_damaged_base_stops_no_search_and_the_next_build_embeds_nothing_again(large, tmp_path):
    index_dir = tmp_path / "index"
    _build(large, index_dir)
    base = index_dir / _raw(index_dir)["files_base"]
    pool.clear()  # as a new process: the base is read from disk
    base.write_bytes(base.read_bytes().replace(b'"p/01.md"', b'"p/01.mx"'))
    with pytest.raises(IndexCorruptError, match=r"files-.*\.json: damaged"):
        read_manifest(index_dir)
    # Searches never read the table: they go on answering from the segments.
    hits = KnowledgeBase(index_dir, HashEmbedder(), Settings()).search("Word7 text", k=3)
    assert hits and hits[0].chunk.path == "p/07.md"
    # Only the table is lost: every page is read and hashed again, none is parsed or
    # embedded again (the segments hold them).
    report = _build(large, index_dir)
    assert not report.rebuilt and report.embedded == 0 and report.reread == 0
    assert report.documents == PAGES and len(read_manifest(index_dir).inputs) == PAGES
    write(large / "p/20.md", "---\nauthors: [Ana Ruiz]\n---\n# Page 20\nOnce more.\n")
    _build(large, index_dir)
    assert not base.exists() and _raw(index_dir)["files_base"] != base.name


@pytest.mark.parametrize(
    "change, wrong",
    [
        (lambda m: m.update(files_base="../outside.json"), "no file table of kb"),
        (lambda m: m["checksums"].pop(m["files_base"]), "has no checksum"),
        (lambda m: m.update(files_gone="p/01.md"), "not a list of paths"),
        (lambda m: m.pop("files"), 'without "files"'),
    ],
)
def test_a_hand_edited_base_entry_is_refused_in_one_line(large, tmp_path, change, wrong):
    index_dir = tmp_path / "index"
    _build(large, index_dir)
    m = _raw(index_dir)
    change(m)
    (index_dir / MANIFEST).write_text(json.dumps(m))
    with pytest.raises(IndexCorruptError, match=wrong):
        read_manifest(index_dir)
    report = _build(large, index_dir)  # the next build mends it, embedding nothing again
    assert report.documents == PAGES and report.embedded == 0 and not report.rebuilt


def test_a_page_read_again_without_a_stamp_loses_the_base_stamp(large, tmp_path, monkeypatch):
    # Pages changed just now are not stamped (their next stamp could be equal): beside the
    # base, the manifest must say they have none, not leave the base's old one in force.
    index_dir = tmp_path / "index"
    _build(large, index_dir)
    base = _raw(index_dir)["files_base"]
    monkeypatch.setattr(pages_module, "RACY_NS", 10**18)
    write(large / "p/03.md", "---\nauthors: [Ana Ruiz]\n---\n# Page 3\nEdited text.\n")
    page = large / "p/05.md"  # touched: the same bytes, read again
    os.utime(page, ns=(page.stat().st_atime_ns, page.stat().st_mtime_ns - 10**9))
    _build(large, index_dir)
    m = _raw(index_dir)
    assert m["files_base"] == base and m["files"]["path"] == ["p/03.md", "p/05.md"]
    got = read_manifest(index_dir)
    assert "p/03.md" not in got.stamps and "p/05.md" not in got.stamps
    assert len(got.stamps) == PAGES - 2


def test_a_merge_writes_a_new_base_with_nothing_gone(large, tmp_path):
    # `kb index --merge` before shipping an index: no deleted page's path is left behind.
    index_dir = tmp_path / "index"
    _build(large, index_dir)
    old = _raw(index_dir)["files_base"]
    (large / "p/07.md").unlink()
    _build(large, index_dir)
    assert _raw(index_dir)["files_gone"] == ["p/07.md"]
    _build(large, index_dir, merge=True)
    m = _raw(index_dir)
    assert m["files_base"] != old and m["files_gone"] == [] and m["files"]["path"] == []
    assert b"p/07.md" not in (index_dir / m["files_base"]).read_bytes()
