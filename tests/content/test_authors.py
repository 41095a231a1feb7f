"""Authors from front matter and from git history (a real temporary repository)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from helpers import write

from kb.content.check import check_content
from kb.content.discover import discover
from kb.content.git_history import GitHistory
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


def test_pages_found_by_the_walk_get_their_history_without_resolving_paths(tmp_path):
    # A page's history is looked up by its path relative to the content folder (which may be
    # a subfolder of the repository, reached through a link); a page that is itself a link
    # gets the history of the file it links to, as before.
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    commit(repo, "docs/it/backup.md", "# Backups\n\nv1\n", "Ana Lima <ana@x.org>")
    commit(repo, "docs/it/backup.md", "# Backups\n\nv2\n", "Bo Chen <bo@x.org>")
    commit(repo, "docs/it/backup.md", "# Backups\n\nv3\n", "Ana Lima <ana@x.org>")
    commit(repo, "docs/hr/leave.md", "# Leave\n\ntext\n", "Cy Diaz <cy@x.org>")
    (repo / "docs" / "hr" / "backup-link.md").symlink_to("../it/backup.md")
    (tmp_path / "content").symlink_to(repo / "docs")
    content = tmp_path / "content"
    docs, problems = load_documents(content, discover(content))
    names = {d.path: [a.name for a in d.authors] for d in docs}
    assert names == {
        "hr/backup-link.md": ["Ana Lima", "Bo Chen"],
        "hr/leave.md": ["Cy Diaz"],
        "it/backup.md": ["Ana Lima", "Bo Chen"],
    }
    history = GitHistory(content)
    for rel in names:
        path = content / rel
        assert history.authors_of(path, rel) == history.authors_of(path)
    # `kb check` finds the same history: no page is "without authors".
    assert [f for f in check_content(content) if f.rule == "authors"] == []


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


def test_a_process_that_indexes_again_reads_only_the_commits_since(tmp_path, monkeypatch):
    """The history read at an earlier commit is brought up to date with the commits since;
    a rewritten history or a new .mailmap is read whole. Each ends as a fresh read does."""
    from kb.content.git_history import GitHistory, git_state

    repo = tmp_path / "docs"
    repo.mkdir()
    git(repo, "init", "-q")
    commit(repo, "it/vpn.md", "# VPN\n\nv1\n", "Ana Ruiz <ana@example.org>")
    commit(repo, "it/dns.md", "# DNS\n\nv1\n", "Bo Chen <bo@example.org>")
    ranges: list[str] = []
    real = GitHistory._git_log

    def logged(self, scope, commits=""):
        ranges.append(commits)
        return real(self, scope, commits)

    monkeypatch.setattr(GitHistory, "_git_log", logged)

    def authors(state=True):
        history = GitHistory(repo, state=git_state(repo) if state else None)
        return {p: history.authors_of(repo / p) for p in ("it/vpn.md", "it/dns.md")}

    first = authors()
    commit(repo, "it/vpn.md", "# VPN\n\nv2\n", "Cy Diaz <cy@example.org>")
    again = authors()
    assert ".." in ranges[-1]  # the commits since, not the whole log
    assert again == authors(state=False) != first
    assert again["it/vpn.md"] == [
        ("Ana Ruiz", "ana@example.org", 1),
        ("Cy Diaz", "cy@example.org", 1),
    ]
    ranges.clear()
    assert authors() == again and ranges == []  # the same commit: no git log at all
    git(repo, "commit", "-q", "--amend", "-m", "rewritten", author="Di Evans <di@example.org>")
    rewritten = authors()
    assert ".." not in ranges[-1] and rewritten == authors(state=False)
    assert ("Di Evans", "di@example.org", 1) in rewritten["it/vpn.md"]
    assert ("Cy Diaz", "cy@example.org", 1) not in rewritten["it/vpn.md"]  # amended away
    write(repo / ".mailmap", "Ana Ruiz-Lopez <ana@example.org>\n")
    mapped = authors()
    assert ".." not in ranges[-1] and mapped == authors(state=False)
    assert mapped["it/vpn.md"][0][0] == "Ana Ruiz-Lopez"


def _dated(when: str) -> dict[str, str]:
    return {"GIT_AUTHOR_DATE": f"{when}T10:00:00", "GIT_COMMITTER_DATE": f"{when}T12:00:00"}


def test_a_page_without_a_date_is_dated_by_its_last_commit(tmp_path, real_embedder, monkeypatch):
    # A real handbook's pages carry no date: the gap report said "stale pages 0" for pages
    # untouched for six years, and "updated since" dropped every page (a trial).
    from datetime import date

    from kb import KnowledgeBase, Settings, build_index
    from kb.models import Filters

    repo = tmp_path / "docs"
    repo.mkdir()
    git(repo, "init", "-q")
    for key, value in _dated("2019-05-01").items():
        monkeypatch.setenv(key, value)
    commit(repo, "vpn.md", "# VPN\n\nConnect with the VPN client first.\n", "Ana <a@x.org>")
    commit(
        repo, "dated.md", "---\nupdated: 2026-11-01\n---\n# Leave\n\nBook it.\n", "Ana <a@x.org>"
    )
    for key, value in _dated("2026-10-01").items():
        monkeypatch.setenv(key, value)
    commit(repo, "new.md", "# Printers\n\nAdd the office printer.\n", "Bo <b@x.org>")
    docs, _ = load_documents(repo, discover(repo))
    by_path = {d.path: d.updated for d in docs}
    assert by_path == {"vpn.md": "2019-05-01", "dated.md": "2026-11-01", "new.md": "2026-10-01"}
    assert GitHistory(repo).last_changed(repo / "vpn.md", "vpn.md") == "2019-05-01"
    index = tmp_path / "index"
    build_index(repo, index, real_embedder, Settings())
    kb = KnowledgeBase(index, real_embedder, Settings())
    report = kb.gaps(today=date(2026, 12, 1))
    assert [s.path for s in report.stale] == ["vpn.md"]
    since = kb.search("VPN client", k=5, filters=Filters(updated_since="2019-01-01"))
    assert since and since[0].chunk.path == "vpn.md"
    # Edited and indexed (a watcher), then committed: the next build, with the same bytes,
    # dates it by that commit (it kept the old date: a review).
    write(repo / "vpn.md", "# VPN\n\nConnect with the VPN client first, then Okta.\n")
    build_index(repo, index, real_embedder, Settings())
    for key, value in _dated("2026-11-30").items():
        monkeypatch.setenv(key, value)
    git(repo, "commit", "-qam", "vpn", author="Ana <a@x.org>")
    build_index(repo, index, real_embedder, Settings())
    kb = KnowledgeBase(index, real_embedder, Settings())
    assert {c.path: c.updated for c in kb.index.chunks}["vpn.md"] == "2026-11-30"
    assert kb.gaps(today=date(2026, 12, 1)).stale == ()


def test_a_page_keeps_its_authors_and_date_when_it_is_moved(tmp_path, monkeypatch):
    """A `git mv` handed the whole page to whoever moved it and dated it that day (an admin
    trial): the page's commits follow it to its new name, a move that changes nothing
    credits and dates no one, a move with an edit counts as that edit; read whole or
    brought up to date from an earlier commit, the same."""
    from kb.content.git_history import git_state

    repo = tmp_path / "docs"
    repo.mkdir()
    git(repo, "init", "-q")
    for key, value in _dated("2026-01-05").items():
        monkeypatch.setenv(key, value)
    text = "# Laptops\n\n" + "Order a laptop through the service portal.\n" * 8
    commit(repo, "it/new-laptop.md", text, "Sven Olsen <sven@example.org>")
    commit(repo, "it/new-laptop.md", text + "Allow five days.\n", "Sven Olsen <sven@example.org>")
    commit(repo, "it/vpn.md", "# VPN\n\nv1\n", "Ana Ruiz <ana@example.org>")
    earlier = git_state(repo)
    GitHistory(repo, state=earlier).authors_of(repo / "it/vpn.md")  # read at this commit
    for key, value in _dated("2026-11-06").items():
        monkeypatch.setenv(key, value)
    git(repo, "mv", "it/new-laptop.md", "it/laptops.md")
    git(repo, "commit", "-q", "-m", "move", author="Omar Haddad <omar@example.org>")
    sven = [("Sven Olsen", "sven@example.org", 2)]
    for history in (GitHistory(repo), GitHistory(repo, state=git_state(repo))):
        assert history.authors_of(repo / "it/laptops.md") == sven
        assert history.last_changed(repo / "it/laptops.md") == "2026-01-05"
        assert history.authors_of(repo / "it/new-laptop.md") == []
    # Moved again with an edit: that edit is a commit of its own; the earlier ones follow.
    write(repo / "it/laptops.md", text + "Allow five working days.\n")
    git(repo, "add", "-A")
    (repo / "it/hardware").mkdir()
    git(repo, "mv", "it/laptops.md", "it/hardware/laptops.md")
    git(repo, "commit", "-q", "-m", "move and edit", author="Bo Chen <bo@example.org>")
    for history in (GitHistory(repo), GitHistory(repo, state=git_state(repo))):
        assert history.authors_of(repo / "it/hardware/laptops.md") == [
            *sven,
            ("Bo Chen", "bo@example.org", 1),
        ]
        assert history.last_changed(repo / "it/hardware/laptops.md") == "2026-11-06"
        assert history.authors_of(repo / "it/vpn.md") == [("Ana Ruiz", "ana@example.org", 1)]


def test_a_page_moved_into_the_content_folder_keeps_its_authors_and_date(tmp_path, monkeypatch):
    """A page written elsewhere in the repository and moved into the content folder (`git mv
    drafts/x.md docs/it/x.md`) was credited to whoever moved it and dated that day: the
    log of the content folder does not follow a file in from outside it (known hole). Its
    commits before the move follow it, from a folder it was moved to before too; a move in
    with an edit counts as that edit; read whole or brought up to date, the same."""
    from kb.content.git_history import git_state

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    content = repo / "docs"
    for key, value in _dated("2026-01-05").items():
        monkeypatch.setenv(key, value)
    text = "# Laptops\n\n" + "Order a laptop through the service portal.\n" * 8
    commit(repo, "scratch/laptops.md", text, "Sven Olsen <sven@example.org>")
    commit(repo, "drafts/it/vpn.md", "# VPN\n\n" + "Use the client.\n" * 8, "Ana Ruiz <a@x.org>")
    commit(repo, "docs/it/dns.md", "# DNS\n\nv1\n", "Bo Chen <bo@example.org>")
    earlier = git_state(content)
    GitHistory(content, state=earlier).authors_of(content / "it/dns.md")  # read at this commit
    git(repo, "mv", "scratch/laptops.md", "drafts/laptops.md")
    git(repo, "commit", "-q", "-m", "to drafts", author="Omar Haddad <omar@example.org>")
    for key, value in _dated("2026-11-06").items():
        monkeypatch.setenv(key, value)
    git(repo, "mv", "drafts/laptops.md", "docs/it/laptops.md")
    write(repo / "drafts/it/vpn.md", "# VPN\n\n" + "Use the client.\n" * 8 + "Or the app.\n")
    git(repo, "add", "-A")
    git(repo, "mv", "drafts/it/vpn.md", "docs/it/vpn.md")
    git(repo, "commit", "-q", "-m", "publish", author="Omar Haddad <omar@example.org>")
    for history in (GitHistory(content), GitHistory(content, state=git_state(content))):
        assert history.authors_of(content / "it/laptops.md") == [
            ("Sven Olsen", "sven@example.org", 1)
        ]
        assert history.last_changed(content / "it/laptops.md") == "2026-01-05"
        assert history.authors_of(content / "it/vpn.md") == [
            ("Ana Ruiz", "a@x.org", 1),
            ("Omar Haddad", "omar@example.org", 1),
        ]
        assert history.authors_of(content / "it/dns.md") == [("Bo Chen", "bo@example.org", 1)]


def test_a_name_reused_by_another_file_credits_none_of_the_earlier_files_commits(tmp_path):
    """A page deleted, and later another file added at its name, or moved there from
    outside the content folder (`git mv`), or moved there within it: the deleted page's
    commits were credited to the new page (known hole). A file's commits start where it
    was added or moved to its name; read whole or brought up to date, the same."""
    from kb.content.git_history import git_state

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    content = repo / "docs"
    for page in ("it/vpn.md", "it/wifi.md", "it/dns.md"):
        commit(repo, f"docs/{page}", f"# Old {page}\n\nOld text.\n", "Ana Ruiz <ana@x.org>")
    commit(repo, "scratch/laptops.md", "# Laptops\n\n" + "Order one.\n" * 8, "Eve Hart <e@x.org>")
    commit(repo, "docs/hr/leave.md", "# Leave\n\n" + "Ask your lead.\n" * 8, "Lu Wang <l@x.org>")
    earlier = git_state(content)
    GitHistory(content, state=earlier).authors_of(content / "it/vpn.md")  # read at this commit
    for page in ("it/vpn.md", "it/wifi.md", "it/dns.md"):
        git(repo, "rm", "-q", f"docs/{page}")
    git(repo, "commit", "-q", "-m", "retire", author="Cy Diaz <cy@x.org>")
    commit(repo, "docs/it/vpn.md", "# VPN\n\nA new page.\n", "Bo Chen <bo@x.org>")
    git(repo, "mv", "scratch/laptops.md", "docs/it/wifi.md")
    git(repo, "mv", "docs/hr/leave.md", "docs/it/dns.md")
    git(repo, "commit", "-q", "-m", "reuse", author="Omar Haddad <o@x.org>")
    for history in (GitHistory(content), GitHistory(content, state=git_state(content))):
        assert history.authors_of(content / "it/vpn.md") == [("Bo Chen", "bo@x.org", 1)]
        assert history.authors_of(content / "it/wifi.md") == [("Eve Hart", "e@x.org", 1)]
        assert history.authors_of(content / "it/dns.md") == [("Lu Wang", "l@x.org", 1)]


def test_an_index_that_credited_the_mover_credits_the_writer_after_the_next_build(
    tmp_path, monkeypatch
):
    from fakes import HashEmbedder

    from kb import Settings, build_index
    from kb.content import git_history
    from kb.index.store import load_index

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    text = "# Laptops\n\n" + "Order a laptop through the service portal.\n" * 8
    commit(repo, "drafts/laptops.md", text, "Sven Olsen <sven@example.org>")
    (repo / "docs/it").mkdir(parents=True)
    git(repo, "mv", "drafts/laptops.md", "docs/it/laptops.md")
    git(repo, "commit", "-q", "-m", "publish", author="Omar Haddad <omar@example.org>")
    index = tmp_path / "index"

    def credited() -> list[str]:
        (page,) = load_index(index, model_name="hash-bow", dim=64).pages.values()
        return [a.name for a in page.authors]

    with monkeypatch.context() as old_kb:  # the kb of before: the log of the folder alone
        old_kb.setattr(git_history.GitHistory, "_moved_in", lambda self, out, inside: out)
        old_kb.setattr(git_history, "READING", None)
        build_index(repo / "docs", index, HashEmbedder(), Settings())
    assert credited() == ["Omar Haddad"]
    build_index(repo / "docs", index, HashEmbedder(), Settings())
    assert credited() == ["Sven Olsen"]


def test_an_author_by_git_that_people_yaml_does_not_list_is_said_once(tmp_path):
    """A "Release Bot" commit made an expert without a word from `kb check` or `kb index`
    (an admin trial): each author by git history people.yaml does not list is said once,
    on the first page crediting them, by both; an alias, a listed name or someone hidden
    is not."""
    from fakes import HashEmbedder

    from kb import Settings, build_index

    repo = tmp_path / "docs"
    repo.mkdir()
    git(repo, "init", "-q")
    write(
        repo / "people.yaml",
        "- name: Sven Olsen\n  aliases: [solsen]\n- name: Ana Ruiz\n"
        "- name: Kenji Sato\n  hide_from_expert_search: true\n",
    )
    commit(repo, "it/deploys.md", "# Deploys\n\nShip on Tuesdays.\n", "solsen <s@x.org>")
    commit(repo, "it/deploys.md", "# Deploys\n\nShip on Wednesdays.\n", "Release Bot <bot@x>")
    commit(repo, "it/release.md", "# Releases\n\nNotes from commits.\n", "Release Bot <bot@x>")
    commit(repo, "it/vpn.md", "# VPN\n\nUse the client.\n", "Kenji Sato <k@x.org>")
    fm = "---\ntitle: Leave\nauthors: [Ana Ruiz]\n---\n# Leave\n\nBook it.\n"
    commit(repo, "hr/leave.md", fm, "Release Bot <bot@x>")  # front matter names the author
    said = "'Release Bot', an author by git history, is not in people.yaml"
    checked = [f for f in check_content(repo) if f.rule == "people"]
    assert [(f.path, f.line) for f in checked] == [("it/deploys.md", 1)], checked
    assert checked[0].message.startswith(said) and ".mailmap" in checked[0].message
    report = build_index(repo, tmp_path / "index", HashEmbedder(), Settings())
    indexed = [p for p in report.problems if "people.yaml" in p.message]
    assert [(p.path, p.line, p.message) for p in indexed] == [
        ("it/deploys.md", 1, checked[0].message)
    ]
    assert not any("Kenji" in str(p) for p in [*checked, *report.problems])


def _commit_as(repo: Path, file: str, text: str, name: str, email: str) -> None:
    """A commit whose author is `name` as written (a tab in it: git's --author takes none)."""
    write(repo / file, text)
    git(repo, "add", "-A")
    env = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": "Setup"}
    env |= {"GIT_COMMITTER_EMAIL": "setup@example.org", "PATH": os.environ["PATH"]}
    subprocess.run(["git", "commit", "-q", "-m", file], cwd=repo, env=env, check=True)


def test_a_commit_author_whose_name_holds_a_tab_is_read_whole(tmp_path):
    """An author's name and email were read from one line split at its first tab, and git
    keeps a tab inside a name: 'Ines<tab>Park', hidden, was credited as 'Ines' with 'Park'
    in her stored email, an author everywhere; 'Bo<tab>Chen <bo@…>' was an unlisted 'Bo'
    whose email no one had (a hostile trial of git history). Each is read whole (git keeps
    no line break in a name or an email: the fields are apart by one)."""
    from fakes import HashEmbedder

    from kb import KnowledgeBase, Settings, build_index

    repo = tmp_path / "docs"
    repo.mkdir()
    git(repo, "init", "-q")
    people = "- name: Ines Park\n  hide_from_expert_search: true\n- name: Bo Chen\n"
    write(repo / "people.yaml", people + "  contact: bo@example.org\n")
    _commit_as(repo, "it/wifi.md", "# Wifi\n\nRoaming.\n", "Ines\tPark", "zz@personal.example")
    _commit_as(repo, "it/vpn.md", "# VPN\n\nTunnels.\n", "Bo\tChen", "bo@example.org")
    history = GitHistory(repo)
    assert history.authors_of(repo / "it/vpn.md") == [("Bo Chen", "bo@example.org", 1)]
    report = build_index(repo, tmp_path / "index", HashEmbedder(), Settings())
    assert not [str(p) for p in report.problems if "people.yaml" in p.message]
    pages = KnowledgeBase(tmp_path / "index", HashEmbedder(), Settings()).index.pages
    assert [a.name for a in pages["it/vpn.md"].authors] == ["Bo Chen"]
    assert pages["it/wifi.md"].authors == ()
    files = [p for p in (tmp_path / "index").iterdir() if p.is_file()]
    assert not [p.name for p in files if b"Park" in p.read_bytes() or b"personal" in p.read_bytes()]


def test_a_page_whose_name_git_quotes_gets_its_history(tmp_path):
    """git writes a name holding a tab, a line break, a quote or a backslash in double
    quotes with C's escapes ('"it/quo\\"te.md"'), and kb read that as the name: the page had
    no history ('no authors: ... no commits in git history' for a page with commits), a
    move of it credited whoever made it, and a commit since was not seen as touching it (a
    hostile trial of git history). The name is read as git means it."""
    from kb.content.git_history import git_state

    repo = tmp_path / "docs"
    repo.mkdir()
    git(repo, "init", "-q")
    names = ["it/tab\tname.md", 'it/quo"te.md', "it/back\\slash.md", "it/line\nbreak.md"]
    text = "# Page\n\n" + "Words enough for git to see a move as a move.\n" * 6
    for name in names:
        commit(repo, name, text, "Sven Olsen <sven@example.org>")
    earlier = git_state(repo)
    commit(repo, names[0], text + "More.\n", "Ana Ruiz <ana@example.org>")
    git(repo, "mv", names[1], 'it/"moved".md')
    git(repo, "commit", "-q", "-m", "move", author="Omar Haddad <omar@example.org>")
    history = GitHistory(repo)
    sven = ("Sven Olsen", "sven@example.org", 1)
    assert history.authors_of(repo / names[0]) == [("Ana Ruiz", "ana@example.org", 1), sven]
    assert history.authors_of(repo / 'it/"moved".md') == [sven]
    for name in names[2:]:
        assert history.authors_of(repo / name) == [sven], name
    touched = GitHistory(repo, state=git_state(repo)).touched_since(earlier)
    assert touched == {names[0], 'it/"moved".md'}


def test_a_credential_in_a_commit_authors_name_or_email_is_redacted(tmp_path):
    """A commit whose author is a token (a CI job setting user.name from the wrong variable)
    or whose email holds a key was credited as written: an author and a facet's value, in
    every file of the index and in kb index's warning (a hostile trial of git history),
    where a credential in a page's front matter is redacted. A git identity is redacted as
    page text is."""
    from fakes import HashEmbedder

    from kb import KnowledgeBase, Settings, build_index

    token, key = "ghp_" + "R4nd0mT0k3n" * 3 + "123", "AKIAZ7QX3JH2PLMW9RTB"
    repo = tmp_path / "docs"
    repo.mkdir()
    git(repo, "init", "-q")
    write(repo / "people.yaml", "- name: Bo Chen\n")
    _commit_as(repo, "it/ci.md", "# CI\n\nPipelines.\n", token, "bot@example.org")
    _commit_as(repo, "it/ops.md", "# Ops\n\nRunbooks.\n", "Deploy Bot", f"{key}@example.org")
    report = build_index(repo, tmp_path / "index", HashEmbedder(), Settings())
    said = " ".join(str(p) for p in report.problems)
    assert "'ghp_…[redacted]', an author by git history" in said and token not in said
    kb = KnowledgeBase(tmp_path / "index", HashEmbedder(), Settings())
    assert kb.facets()["author"] == ["Deploy Bot", "ghp_…[redacted]"]
    files = [p for p in (tmp_path / "index").rglob("*") if p.is_file()]
    assert not [p.name for p in files if token.encode() in p.read_bytes()]
    assert not [p.name for p in files if key.encode() in p.read_bytes()]


def test_a_shallow_clone_that_credits_pages_by_git_is_said_once(tmp_path):
    """actions/checkout fetches one commit unless told `fetch-depth: 0`: every page without
    `authors:` was then credited to whoever made the last commit (an HR colleague was the
    author of the data team's pages), silently, by `kb check` and `kb index` alike. Both
    say it once, on the first page so credited, with the fix; a full clone says nothing."""
    from fakes import HashEmbedder

    from kb import Settings, build_index

    repo = tmp_path / "docs"
    repo.mkdir()
    git(repo, "init", "-q")
    commit(repo, "data/quality.md", "# Data quality\n\nTests run nightly.\n", "Aisha <a@x.org>")
    fm = "---\ntitle: Leave\nauthors: [Chloe Martin]\n---\n# Leave\n\nBook it.\n"
    commit(repo, "hr/leave.md", fm, "Chloe Martin <c@x.org>")
    shallow = tmp_path / "ci"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow)],
        check=True, capture_output=True,
    )  # fmt: skip
    for folder, expected in ((repo, []), (shallow, [("data/quality.md", 1)])):
        said = [f for f in check_content(folder) if "shallow" in f.message]
        assert [(f.path, f.line) for f in said] == expected, said
        assert all(f.severity == "warning" and "fetch-depth: 0" in f.message for f in said)
        report = build_index(folder, tmp_path / f"index-{folder.name}", HashEmbedder(), Settings())
        indexed = [p for p in report.problems if "shallow" in p.message]
        assert [(p.path, p.line, p.message) for p in indexed] == [
            (f.path, f.line, f.message) for f in said
        ]
