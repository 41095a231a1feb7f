"""Attacks on the index folder: kb deletes only what it wrote, and writes only where it may."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from fakes import HashEmbedder
from helpers import page, write

from kb.build import build_index
from kb.cli import cli
from kb.config import Settings
from kb.errors import KbError
from kb.index.store import load_index


def _user_files(index_dir):
    """Files a user keeps in the index folder, named like kb's own; their bytes by path."""
    files = {
        "chunks-of-notes.txt": "my notes",
        "bm25-research/results.csv": "run,score\n1,0.5\n",
        "sources-of-truth.md": "# Truth\n",
        "vectors-old.faiss": "not kb's",
        ".draft.tmp": "an editor's swap file",
        ".chunks-of-notes.txt.tmp": "an editor's swap file",
    }
    for name, text in files.items():
        write(index_dir / name, text)
    return {name: text.encode() for name, text in files.items()}


def test_index_dir_holding_user_files_keeps_them(content, tmp_path):
    index_dir = tmp_path / "index"
    first = build_index(content, index_dir, HashEmbedder(), Settings()).manifest
    mine = _user_files(index_dir)
    # What kb itself left behind (a killed run's temporary files) is still swept up.
    killed = "20240101T000000-deadbeef"
    write(index_dir / f".chunks-{killed}.jsonl.k3j_9x2a.tmp", "left by a killed run")
    write(index_dir / f".bm25-{killed}.tmp" / "vocab.json", "{}")
    write(index_dir / f"pages-{killed}.jsonl", "a killed run's data file\n")
    for n in range(2):  # the first build's files are swept on the second rebuild
        write(content / "it/vpn.md", (content / "it/vpn.md").read_text() + f"\nMore {n}.\n")
        last = build_index(content, index_dir, HashEmbedder(), Settings()).manifest
    for name, data in mine.items():
        assert (index_dir / name).read_bytes() == data, f"{name} was changed or deleted"
    names = {p.name for p in index_dir.iterdir()}
    assert not names & {f".chunks-{killed}.jsonl.k3j_9x2a.tmp", f".bm25-{killed}.tmp"}
    assert f"pages-{killed}.jsonl" not in names
    assert not names & first.data_files()
    assert last.data_files() <= names
    assert len(load_index(index_dir, model_name="hash-bow", dim=64).chunks) > 0


def test_index_dir_that_is_the_content_folder_is_refused(content):
    write(content / "sources-of-truth.md", page("Truth", "Ana Ruiz", "Facts"))
    write(content / "chunks-of-notes.md", page("Notes", "Ana Ruiz", "Jots"))
    before = sorted(p.as_posix() for p in content.rglob("*"))
    with pytest.raises(KbError, match="content folder") as err:
        build_index(content, content, HashEmbedder(), Settings())
    assert "--index-dir" in str(err.value)
    assert sorted(p.as_posix() for p in content.rglob("*")) == before


def test_index_dir_inside_the_content_folder_is_refused(content, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for index_dir in (content / "idx", tmp_path / "content" / "it" / ".." / "idx"):
        with pytest.raises(KbError, match="inside the content folder"):
            build_index(content, index_dir, HashEmbedder(), Settings())
        assert not index_dir.exists()


def test_index_dir_holding_other_files_is_refused_with_the_fix(content, tmp_path):
    home = tmp_path / "home"
    write(home / "thesis.tex", "\\documentclass{article}")
    write(home / "bm25-research" / "results.csv", "run,score\n")
    before = sorted(p.as_posix() for p in home.rglob("*"))
    with pytest.raises(KbError, match="not a kb index") as err:
        build_index(content, home, HashEmbedder(), Settings())
    assert "empty or new folder" in str(err.value)
    assert sorted(p.as_posix() for p in home.rglob("*")) == before
    # Another tool's manifest.json does not make a folder kb's.
    other = tmp_path / "webapp"
    write(other / "manifest.json", '{"name": "my app", "icons": []}')
    write(other / "index.html", "<html></html>")
    with pytest.raises(KbError, match="not a kb index"):
        build_index(content, other, HashEmbedder(), Settings())
    # A folder holding only a README (the bundled index/ folder) is fine, and so is a new one.
    write(tmp_path / "index" / "README.md", "# index/\nBuild output of `kb index`.\n")
    build_index(content, tmp_path / "index", HashEmbedder(), Settings())
    build_index(content, tmp_path / "new" / "index", HashEmbedder(), Settings())
    assert (tmp_path / "index" / "README.md").is_file()


def test_cli_refuses_the_content_folder_as_index_dir_in_one_line(content):
    write(content / "sources-of-truth.md", page("Truth", "Ana Ruiz", "Facts"))
    res = CliRunner().invoke(cli, ["index", str(content), "--index-dir", str(content)])
    assert res.exit_code == 1, res.output
    assert res.output.startswith("kb: error: ") and "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1
    assert (content / "sources-of-truth.md").is_file()


def test_a_lock_file_that_links_to_a_users_file_is_refused_not_written_through(content, tmp_path):
    # An attack: a `.kb-index.lock` linking to another file had that file truncated and
    # overwritten with kb's pid.
    index_dir = tmp_path / "index"
    precious = write(tmp_path / "thesis.txt", "years of work")
    index_dir.mkdir()
    (index_dir / ".kb-index.lock").symlink_to(precious)
    with pytest.raises(KbError, match="is a link"):
        build_index(content, index_dir, HashEmbedder(), Settings())
    assert precious.read_text() == "years of work"
    result = CliRunner().invoke(cli, ["index", str(content), "--index-dir", str(index_dir)])
    assert result.exit_code != 0 and len(result.output.strip().splitlines()) == 1, result.output
    assert precious.read_text() == "years of work"


def test_a_lock_file_that_is_a_hard_link_to_a_users_file_is_refused_not_written(content, tmp_path):
    # A hard link has no link to refuse with O_NOFOLLOW: the user's file was truncated and
    # overwritten with kb's pid all the same.
    index_dir = tmp_path / "index"
    precious = write(tmp_path / "thesis.txt", "years of work")
    index_dir.mkdir()
    (index_dir / ".kb-index.lock").hardlink_to(precious)
    with pytest.raises(KbError, match="another name"):
        build_index(content, index_dir, HashEmbedder(), Settings())
    assert precious.read_text() == "years of work"


def test_a_loop_of_links_as_a_folder_is_one_line_not_a_traceback(content, tmp_path):
    # Path.resolve raises RuntimeError on a loop of links (before Python 3.13): kb index
    # and kb import printed a traceback.
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    loop, index_dir = tmp_path / "a", tmp_path / "index"
    for argv in (
        ["index", str(content), "--index-dir", str(loop)],
        ["index", str(loop), "--index-dir", str(index_dir)],
    ):
        result = CliRunner().invoke(cli, argv)
        said = result.output.strip().splitlines()
        assert result.exit_code == 1 and len(said) == 1, said
        assert said[0].startswith("kb: error: ") and str(loop) in said[0], said
    assert not index_dir.exists()
    doc = write(tmp_path / "doc.html", "<html><title>Notes</title><body><p>Hi.</p></body></html>")
    result = CliRunner().invoke(cli, ["import", str(doc), "--into", str(loop)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "error: imported/notes.md: not written" in result.output


def test_a_data_file_swapped_for_a_link_out_is_named_and_rebuilt_not_followed(content, tmp_path):
    # A search said "manifest.json: names a file outside the folder" (the manifest was fine)
    # and not what to do.
    index_dir = tmp_path / "index"
    manifest = build_index(content, index_dir, HashEmbedder(), Settings()).manifest
    precious = write(tmp_path / "thesis.txt", "years of work")
    chunks = index_dir / manifest.segments[0]["chunks"]
    chunks.unlink()
    chunks.symlink_to(precious)
    with pytest.raises(KbError) as refused:
        load_index(index_dir, model_name="hash-bow", dim=64)
    assert str(refused.value) == (
        f"{chunks}: links outside the index folder; rebuild with 'kb index'"
    )
    build_index(content, index_dir, HashEmbedder(), Settings())
    assert len(load_index(index_dir, model_name="hash-bow", dim=64).chunks) > 0
    assert precious.read_text() == "years of work"


def test_the_root_folder_is_shown_as_slash_not_two(content):
    # `--index-dir /` printed `// is not a kb index`: a folder's name gets one slash.
    res = CliRunner().invoke(cli, ["index", str(content), "--index-dir", "/"])
    assert res.exit_code == 1, res.output
    assert "kb: error: / is not a kb index" in res.output and "//" not in res.output
    res = CliRunner().invoke(cli, ["search", "vpn", "--index-dir", "/"])
    assert res.exit_code != 0 and "no index in /;" in res.output, res.output
    assert "//" not in res.output


def test_a_folder_named_as_kbs_holding_a_folder_of_its_files_names_is_kept(content, tmp_path):
    # kb took a folder of a data file's name for its BM25 folder when every entry had the
    # name of one of its two files, and deleted it whole: a folder named 'vocab.json' in it
    # went with every file it held (a hostile trial of `kb index --merge`, which deletes
    # every data file the new manifest does not name).
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings())
    old = "20240101T000000-deadbeef"
    mine = {
        f"bm25-{old}/vocab.json/thesis.md": "a user's thesis",
        f"bm25-{old}/rows.npz/data.csv": "1,2\n",
        f"chunks-{old}.jsonl/rows.npz/notes.txt": "a user's notes",
    }
    for name, text in mine.items():
        write(index_dir / name, text)
    write(index_dir / f"bm25-{old}-copy" / "vocab.json", "{}")  # no name of kb's: kept too
    write(index_dir / f"bm25-{old[:-1]}0" / "vocab.json", "{}")  # kb's own: swept
    write(content / "it/vpn.md", (content / "it/vpn.md").read_text() + "\nMore.\n")
    build_index(content, index_dir, HashEmbedder(), Settings(), merge=True)
    for name, text in mine.items():
        assert (index_dir / name).read_text() == text, f"{name} was deleted"
    assert (index_dir / f"bm25-{old}-copy" / "vocab.json").exists()
    assert not (index_dir / f"bm25-{old[:-1]}0").exists()
