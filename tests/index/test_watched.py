"""A build told what changed (`build_index(changed=...)`, as `kb watch` runs it) ends as a
walk of the whole folder would, and as a build from scratch."""

from __future__ import annotations

import os
import shutil

import pytest
from fakes import HashEmbedder
from helpers import assert_same_index, page, write

from kb import Settings, build_index
from kb.content import pages as pages_module

TOKEN_NAME = "ghp_" + "Zq8Xw2Lm4Np6Rt1Vb3Hk5Jd7Fs9Gc0Ay2Ue4" + ".md"


@pytest.fixture(autouse=True)
def _stamped_at_once(monkeypatch):
    # Pages written by a test are stamped at once (not only 2 s later), so that a told build
    # really does not read the pages it is not told of.
    monkeypatch.setattr(pages_module, "RACY_NS", 0)


def _walked_and_fresh(content, tmp_path, told):
    """The told index against a walk of a copy of its last state and a build from scratch."""
    walked = tmp_path / "walked"
    shutil.rmtree(walked, ignore_errors=True)
    shutil.copytree(tmp_path / "told-before", walked)
    walk = build_index(content, walked, HashEmbedder(), Settings())
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    scratch = build_index(content, fresh, HashEmbedder(), Settings(), full=True)
    for other in (walked, fresh):
        assert_same_index((told, "hash-bow", 64), (other, "hash-bow", 64))
    return walk, scratch


def test_told_builds_equal_a_walk_and_a_build_from_scratch(content, tmp_path):
    index_dir = tmp_path / "told"
    build_index(content, index_dir, HashEmbedder(), Settings())
    outside = write(tmp_path / "outside.md", page("Outside", "Eve Stone", "Secrets"))
    steps = {
        "add": (lambda: write(content / "it/laptops.md", page("Laptops", "Ana Ruiz", "Order")),)
        + ("it/laptops.md",),
        "edit": (lambda: write(content / "it/vpn.md", page("VPN", "Ana Ruiz", "MFA codes")),)
        + ("it/vpn.md",),
        "delete": (lambda: (content / "hr/leave.md").unlink(),) + ("hr/leave.md",),
        "rename": (
            lambda: (content / "finance/expenses.md").rename(content / "finance/claims.md"),
            "finance/expenses.md",
            "finance/claims.md",
        ),
        "new folder": (
            lambda: (
                write(content / "ops/run/books.md", page("Runbooks", "Di Eze", "Pager")),
                write(content / "ops/oncall.md", page("On call", "Di Eze", "Rota")),
            ),
            "ops",
        ),
        "folder renamed": (lambda: (content / "ops").rename(content / "ops2"), "ops", "ops2"),
        "folder deleted": (lambda: shutil.rmtree(content / "ops2"), "ops2"),
        "folder made a link": (
            lambda: (shutil.rmtree(content / "it"), os.symlink(tmp_path, content / "it")),
            "it/vpn.md",  # told of one page only: the folder it was in is looked at again
        ),
        "link out": (
            lambda: os.symlink(outside, content / "finance/out.md"),
            "finance/out.md",
        ),
        "hidden": (
            lambda: write(content / ".drafts/plan.md", page("Plan", "Ana Ruiz", "Later")),
            ".drafts/plan.md",
        ),
        "secret name": (
            lambda: write(content / TOKEN_NAME, page("T", "Bo Chen", "Token")),
            TOKEN_NAME,
        ),
        "secret name gone": (lambda: (content / TOKEN_NAME).unlink(), "x.md"),
    }
    for step, (change, *changed) in steps.items():
        shutil.rmtree(tmp_path / "told-before", ignore_errors=True)
        shutil.copytree(index_dir, tmp_path / "told-before")
        change()
        report = build_index(content, index_dir, HashEmbedder(), Settings(), changed=changed)
        walk, scratch = _walked_and_fresh(content, tmp_path, index_dir)
        assert report.problems == walk.problems == scratch.problems, step
        assert (report.reread, report.removed) == (walk.reread, walk.removed), step
    assert not any("Outside" in p.message for p in report.problems)


def test_a_change_it_is_not_told_of_waits_for_the_next_walk(content, tmp_path):
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings())
    write(content / "hr/leave.md", page("Leave", "Bo Chen", "Parental leave", team="hr"))
    missed = build_index(content, index_dir, HashEmbedder(), Settings(), changed=[])
    assert not missed.changed and missed.reread == 0  # it read nothing it was not told of
    walk = build_index(content, index_dir, HashEmbedder(), Settings())
    assert walk.changed and walk.reread == 1
    fresh = tmp_path / "fresh"
    build_index(content, fresh, HashEmbedder(), Settings(), full=True)
    assert_same_index((index_dir, "hash-bow", 64), (fresh, "hash-bow", 64))


@pytest.mark.parametrize(
    "changed",
    [
        ["../outside.md"],
        ["/etc/passwd"],
        [".git/config"],
        ["it/../../outside.md"],
        ["it//x.md"],
        ["it/\0.md"],
        ["it\0/x.md"],
    ],
)
def test_paths_a_walk_never_reads_are_never_read_when_told(content, tmp_path, changed):
    write(tmp_path / "outside.md", page("Outside", "Eve Stone", "Secrets"))
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings())
    report = build_index(content, index_dir, HashEmbedder(), Settings(), changed=changed)
    assert not report.changed and report.reread == 0


def test_a_first_build_told_of_changes_walks_the_whole_folder(content, tmp_path):
    report = build_index(content, tmp_path / "index", HashEmbedder(), Settings(), changed=[])
    assert report.documents == 3
