"""The index folder: round trip, model mismatch, missing index, atomic replacement."""

from __future__ import annotations

import json

import pytest
from fakes import HashEmbedder
from helpers import write

from kb import (
    Filters,
    IndexMismatchError,
    IndexMissingError,
    KnowledgeBase,
    Settings,
    StrictModeError,
    build_index,
)
from kb.config import FORMAT_VERSION
from kb.index.lock import LOCK_FILE
from kb.index.manifest import dumps, read_manifest, unpack_files
from kb.index.store import MANIFEST, load_index
from kb.models import ModelId


def small_content(root):
    write(
        root / "it/vpn.md",
        "---\ntitle: VPN\nauthors: [Ana Ruiz]\nteam: security\n---\n"
        "## Setup\nInstall the VPN client and sign in with Okta.\n",
    )
    write(
        root / "hr/leave.md",
        "---\ntitle: Leave\nauthors: [Bo Chen]\nteam: hr\n---\n"
        "## Annual leave\nBook holidays in Workday two weeks ahead.\n",
    )
    return root


def test_round_trip_and_manifest(tmp_path):
    content = small_content(tmp_path / "content")
    index_dir = tmp_path / "index"
    report = build_index(content, index_dir, HashEmbedder(), Settings())
    manifest = json.loads((index_dir / MANIFEST).read_text())
    assert manifest["format_version"] == FORMAT_VERSION == 5
    assert manifest["model"] == {"name": "hash-bow", "dim": 64}
    assert manifest["counts"]["documents"] == 2 == report.documents
    # Each file seen, once: a column a field (the stamps are null, written just now).
    files = manifest["files"]
    assert set(files["path"]) == {"it/vpn.md", "hr/leave.md"} and "inputs" not in manifest
    assert all(len(h) == 64 for h in files["input"]) and files["size"] == [None, None]
    assert manifest["built_at"] and manifest["chunking"]["max_tokens"] == 256
    assert (index_dir / MANIFEST).stat().st_mode & 0o044 == 0o044  # readable by the app user
    stored = load_index(index_dir, model_name="hash-bow", dim=64)
    assert stored.vectors.size == len(stored.chunks) == report.chunks
    kb = KnowledgeBase(index_dir, HashEmbedder(), Settings())
    assert kb.search("VPN client Okta", k=1)[0].chunk.path == "it/vpn.md"


def test_the_manifest_read_and_written_again_is_the_same_file(tmp_path):
    # Indexes on disk keep loading and an unchanged run rewrites the manifest as it was: the
    # typed Manifest carries every key kb writes, in order, with its value.
    content = small_content(tmp_path / "content")
    write(content / "people.yaml", "- name: Ana Ruiz\n  role: Network lead\n")
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings())
    text = (index_dir / MANIFEST).read_text(encoding="utf-8")
    manifest = read_manifest(index_dir)
    assert dumps(manifest) == text
    assert manifest.as_dict() == unpack_files(json.loads(text))
    assert manifest.model == ModelId("hash-bow", 64) and manifest.counts.documents == 2


def test_index_built_with_another_model_is_refused_with_the_fix(tmp_path):
    content = small_content(tmp_path / "content")
    build_index(content, tmp_path / "index", HashEmbedder(name="other-model", dim=32), Settings())
    with pytest.raises(IndexMismatchError) as err:
        KnowledgeBase(tmp_path / "index", HashEmbedder(), Settings())
    msg = str(err.value)
    assert "built with model other-model (dim 32)" in msg and "uses hash-bow (dim 64)" in msg
    assert f"kb index {content} --index-dir" in msg  # the folder it was built from


@pytest.mark.parametrize("newer", [True, False])
def test_an_index_of_another_format_says_whose_kb_to_change(tmp_path, newer):
    """CI installs kb@main, the server an older kb: an index a newer kb wrote was refused with
    'rebuild it with kb index' (on a server that has no content, with a kb CI's next push
    overrides); the fix is the server's kb. An older format is rebuilt, as before."""
    from kb.serve.loaded import public_message

    content = small_content(tmp_path / "content")
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings())
    manifest = json.loads((index_dir / MANIFEST).read_text())
    version = FORMAT_VERSION + 1 if newer else FORMAT_VERSION - 1
    (index_dir / MANIFEST).write_text(json.dumps({**manifest, "format_version": version}))
    with pytest.raises(IndexMismatchError) as err:
        KnowledgeBase(index_dir, HashEmbedder(), Settings())
    said, public = str(err.value), public_message(err.value)
    assert f"index format {version}" in said
    if newer:
        assert "a newer kb" in said and "upgrade kb" in said and "kb index" not in said
        assert "upgrade kb on the server" in public
    else:
        assert f"kb index {content} --index-dir" in said and "run 'kb index'" in public


def test_missing_index_says_what_to_run(tmp_path):
    with pytest.raises(IndexMissingError, match=r"no index in .*; run 'kb index"):
        KnowledgeBase(tmp_path / "nothing", HashEmbedder(), Settings())


def snapshot(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


class ExplodingEmbedder(HashEmbedder):
    def encode(self, texts, **kw):
        raise RuntimeError("killed mid-embedding")


def test_failed_rebuild_leaves_the_previous_index_untouched(tmp_path):
    content = small_content(tmp_path / "content")
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings())
    before = snapshot(index_dir)
    write(content / "it/new.md", "---\ntitle: New\nauthors: [Ana Ruiz]\n---\nnew page text\n")
    with pytest.raises(RuntimeError):
        build_index(content, index_dir, ExplodingEmbedder(), Settings())
    write(content / "bad.md", b"\x00\x01binary")
    with pytest.raises(StrictModeError) as err:
        build_index(content, index_dir, HashEmbedder(), Settings(), strict=True)
    assert [str(p) for p in err.value.problems] == ["bad.md: binary file (NUL bytes), skipped"]
    after = snapshot(index_dir)
    assert after == before
    assert len(load_index(index_dir, model_name="hash-bow", dim=64).chunks) == 2


def test_rebuild_keeps_one_previous_build_for_readers_and_removes_older_ones(tmp_path):
    content = small_content(tmp_path / "content")
    index_dir = tmp_path / "index"
    write(index_dir / "README.md", "kept")
    first = build_index(content, index_dir, HashEmbedder(), Settings()).manifest
    killed = ".chunks-20240101T000000-deadbeef.jsonl.k3j_9x2a.tmp"  # kb's own temp name
    write(index_dir / killed, "left by a run that was killed")
    write(content / "it" / "vpn.md", (content / "it" / "vpn.md").read_text() + "\nMore.\n")
    second = build_index(content, index_dir, HashEmbedder(), Settings()).manifest
    write(content / "it" / "vpn.md", (content / "it" / "vpn.md").read_text() + "\nAgain.\n")
    third = build_index(content, index_dir, HashEmbedder(), Settings()).manifest
    assert len({first.build_id, second.build_id, third.build_id}) == 3
    names = sorted(p.name for p in index_dir.iterdir())
    expected = ["README.md", MANIFEST, LOCK_FILE, *(second.data_files() | third.data_files())]
    assert names == sorted(expected)


def test_filters_narrow_results(tmp_path):
    content = small_content(tmp_path / "content")
    build_index(content, tmp_path / "index", HashEmbedder(), Settings())
    kb = KnowledgeBase(tmp_path / "index", HashEmbedder(), Settings())
    assert {h.chunk.path for h in kb.search("Okta", filters=Filters(team="hr"))} == {"hr/leave.md"}
    assert {h.chunk.path for h in kb.search("x", filters=Filters(author="ana ruiz"))} == {
        "it/vpn.md"
    }
    assert list(kb.search("x", filters=Filters(tag="nothing"))) == []


def test_keyword_and_hybrid_modes_find_exact_terms_and_respect_filters(tmp_path):
    content = small_content(tmp_path / "content")
    write(
        content / "ops/forklift.md",
        "---\ntitle: Forklift licences\nauthors: [Cy Dee]\n"
        "team: operations\n---\n## Renewal\nForklift licences (FLT-7) renew every three years.\n",
    )
    build_index(content, tmp_path / "index", HashEmbedder(), Settings())
    kb = KnowledgeBase(tmp_path / "index", HashEmbedder(), Settings())
    for mode in ("bm25", "hybrid"):
        hits = kb.search("FLT-7 renewal", k=3, mode=mode)
        assert hits[0].chunk.path == "ops/forklift.md", mode
        assert -1.0 <= hits[0].similarity <= 1.0
        filtered = kb.search("FLT-7 leave", mode=mode, filters=Filters(team="hr"))
        assert filtered and {h.chunk.team for h in filtered} == {"hr"}
    # A query whose words are all unknown or stop words gives no keyword hits, no error.
    assert list(kb.search("the of and", mode="bm25")) == []
    with pytest.raises(ValueError, match="unknown retrieval mode"):
        kb.search("x", mode="fuzzy")
