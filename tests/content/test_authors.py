"""Authors from front matter and from git history (a real temporary repository)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from helpers import write

from kb.content.discover import discover
from kb.content.pages import load_documents


def git(repo: Path, *args: str, author: str | None = None) -> None:
    env_args = ["-c", "user.name=Setup", "-c", "user.email=setup@example.org"]
    cmd = ["git", *env_args, *args] + ([f"--author={author}"] if author else [])
    subprocess.run(cmd, cwd=repo, check=True, capture_output=True)


def commit(repo: Path, file: str, text: str, author: str) -> None:
    write(repo / file, text)
    git(repo, "add", file)
    git(repo, "commit", "-q", "-m", f"edit {file}", author=author)


def test_git_history_weights_authors_by_commits_and_honours_mailmap(tmp_path):
    repo = tmp_path / "docs"
    repo.mkdir()
    git(repo, "init", "-q")
    page = "docs/it/backup.md"
    commit(repo, page, "# Backups\n\nv1\n", "Marcus Okafor <marcus@old.example>")
    commit(repo, page, "# Backups\n\nv2\n", "marcus <marcus.okafor@brightwater.example>")
    commit(repo, page, "# Backups\n\nv3\n", "Lena Fischer <lena.fischer@brightwater.example>")
    commit(repo, page, "# Backups\n\nv4\n", "Marcus Okafor <marcus.okafor@brightwater.example>")
    write(
        repo / ".mailmap",
        "Marcus Okafor <marcus.okafor@brightwater.example> <marcus@old.example>\n"
        "Marcus Okafor <marcus.okafor@brightwater.example> marcus "
        "<marcus.okafor@brightwater.example>\n",
    )
    commit(
        repo,
        "docs/hr/leave.md",
        "---\ntitle: Leave\nauthors: [Chloe Martin, MARCUS okafor]\n---\ntext\n",
        "Setup <setup@example.org>",
    )
    content = repo / "docs"
    docs, problems = load_documents(content, discover(content))
    by_path = {d.path: d for d in docs}
    backup = by_path["it/backup.md"].authors
    assert [(a.name, a.share) for a in backup] == [("Marcus Okafor", 0.75), ("Lena Fischer", 0.25)]
    # Front matter wins over history (harmonic credit: main author first), and one person
    # is one identity across pages.
    leave = by_path["hr/leave.md"].authors
    assert [(a.name, a.share) for a in leave] == [
        ("Chloe Martin", 0.6667),
        ("Marcus Okafor", 0.3333),
    ]
    assert problems == []


def test_front_matter_email_goes_through_mailmap(tmp_path):
    repo = tmp_path / "docs"
    repo.mkdir()
    git(repo, "init", "-q")
    write(
        repo / ".mailmap", "Fatima El-Amin <fatima.elamin@brightwater.example> <fe@old.example>\n"
    )
    commit(repo, "a.md", '---\ntitle: A\nauthors: ["F. E. <fe@old.example>"]\n---\nx\n', "S <s@x>")
    commit(repo, "b.md", "---\ntitle: B\nauthors: [fatima el-amin]\n---\ny\n", "S <s@x>")
    docs, _ = load_documents(repo, discover(repo))
    assert {d.authors[0].name for d in docs} == {"Fatima El-Amin"}


def test_no_authors_anywhere_is_a_warning_not_a_failure(tmp_path):
    write(tmp_path / "orphan.md", "# Orphan\n\nNobody wrote me.\n")
    docs, problems = load_documents(tmp_path, discover(tmp_path))
    assert len(docs) == 1 and docs[0].authors == ()
    assert [str(p) for p in problems] == [
        "orphan.md:1: no authors: add 'authors:' to the front matter (no git history)"
    ]


def test_person_key_ignores_case_spacing_email_and_pronouns():
    from kb.models import person_key

    same = ["Greg Walker", "greg  walker", "Greg Walker (he/him)", "Greg Walker <g@x.org>"]
    assert {person_key(n) for n in same} == {"greg walker"}
    assert person_key("Peter Burkholder (@pburkholder)") != person_key("Peter Burkholder")
