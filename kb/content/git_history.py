"""The docs repository's git history: who committed to each file, under the name it has now
(renames and moves followed, a reused name starting afresh), each file's last commit date,
and whether anything authorship depends on changed since an index read it."""

from __future__ import annotations

import hashlib
import re
import subprocess
import threading
from collections import Counter, defaultdict
from pathlib import Path

from kb.content.secrets import redact
from kb.models.shown import MAX_LABEL, label

_NAME_EMAIL = re.compile(r"^\s*(?P<name>[^<]*?)\s*<(?P<email>[^>]+)>\s*$")


def split_name_email(entry: str) -> tuple[str, str]:
    """`'Ana Ruiz <ana@x.org>'` -> `('Ana Ruiz', 'ana@x.org')`; a bare email is kept as the name."""
    m = _NAME_EMAIL.match(entry)
    if m:
        name, email = m["name"].strip(), m["email"].strip()
        return (name or email), email
    return entry.strip(), ""


# Commit counts and last commit dates a process read before, per (repository, folder):
# (git_state, counts, dates). A process that indexes again (the app's reindex, a watcher)
# reads only the commits since.
_READ: dict[tuple[str, str], tuple[dict[str, str], dict[str, Counter], dict[str, str]]] = {}
_READ_LOCK = threading.Lock()


# Said once, on the first page git history credits, when that history is cut short.
SHALLOW = (
    "credited by a shallow git history (a CI checkout's default depth): a page without "
    "authors: goes to whoever made the oldest commit it holds, and is dated by it; fetch the "
    "whole history (actions/checkout fetch-depth: 0, GitLab GIT_DEPTH: 0)"
)


class GitHistory:
    """Commit counts per file and author, and each file's last commit date, read once from
    `git log` of the repository."""

    def __init__(
        self,
        content_dir: Path,
        *,
        background: bool = False,
        state: dict[str, str] | None = None,
    ) -> None:
        """`background`: git writes the log while the caller goes on (a build reads the
        index meanwhile); the first question waits for it. `state`: the repository's
        `git_state` now, if the caller has it: the history this process read at an earlier
        commit is then brought up to date with the commits since, not read again."""
        self.root = _git_root(content_dir)
        self._state = state if state and state.get("head") else None
        self._counts: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
        self._dates: dict[str, str] = {}
        self._mailmapped: dict[tuple[str, str], tuple[str, str]] = {}
        self._folders: dict[Path, Path] = {}
        self._writer: threading.Thread | None = None
        self._failed: BaseException | None = None
        if self.root is None:
            return
        scope = content_dir.resolve().relative_to(self.root).as_posix() or "."
        self._scope = "" if scope == "." else scope + "/"  # the content folder in the repository
        if background:
            self._writer = threading.Thread(target=self._run_log, args=(scope,), daemon=True)
            self._writer.start()
        else:
            self._run_log(scope)
            self._wait()

    @property
    def available(self) -> bool:
        return self.root is not None

    @property
    def shallow(self) -> bool:
        """Whether the history is cut short (`git clone --depth`): its oldest commit seems
        to add every file it holds, so git credits those files to its author."""
        if self.root is None:
            return False
        out = _git(self.root, "rev-parse", "--is-shallow-repository")
        return (out or "").strip() == "true"

    def authors_of(self, file: Path, rel: str | None = None) -> list[tuple[str, str, int]]:
        """(name, email, commits) for one file, most commits first; mailmap applied.

        `rel`: its path relative to the content folder, for a page the walk found (the walk
        enters no linked folder, so unless the file itself is a link, that is where git
        has it: no path to resolve)."""
        if self.root is None:
            return []
        self._wait()
        counts = self._counts.get(self._in_repository(file, rel), Counter())
        return [(n, e, c) for (n, e), c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]

    def last_changed(self, file: Path, rel: str | None = None) -> str:
        """The date (YYYY-MM-DD) of the last commit that touched the file, "" if none;
        `rel` as for `authors_of`."""
        if self.root is None:
            return ""
        self._wait()
        return self._dates.get(self._in_repository(file, rel), "")

    def _in_repository(self, file: Path, rel: str | None) -> str:
        assert self.root is not None
        if rel is not None and not file.is_symlink():
            return self._scope + rel
        return self._real(file).relative_to(self.root).as_posix()

    def touched_since(self, before: dict[str, str], *, names: bool = True) -> frozenset[str] | None:
        """The files (relative to the content folder) that commits after the state `before`
        (an earlier `git_state`) touched, up to this history's state; None when that cannot
        be told (no git, a history rewritten or cut shallow, and with `names` another
        `.mailmap`, which renames the authors of every file but dates none)."""
        now = self._state
        if self.root is None:
            return None if before else frozenset()
        if now is None or not before or (names and _names_differ(before, now)):
            return None
        if before.get("head") == now["head"]:
            return frozenset()
        if not _is_ancestor(self.root, before.get("head", ""), now["head"]):
            return None
        scope = self._scope or "."
        # The flags of `_git_log`: a file these name is one whose commit counts moved.
        out = _git(
            self.root,
            *("-c", "core.quotepath=off", "log", "--no-merges", "--format=", "--name-only"),
            f"{before['head']}..{now['head']}",
            *("--", scope),
        )
        if out is None:
            return None
        n = len(self._scope)
        return frozenset(_unquoted(f.strip())[n:] for f in out.splitlines() if f.strip())

    def _real(self, file: Path) -> Path:
        """`file.resolve()`, its folder resolved once for all its files (the slow part)."""
        if file.is_symlink():
            return file.resolve()
        folder = self._folders.get(file.parent)
        if folder is None:
            folder = self._folders[file.parent] = file.parent.resolve()
        return folder / file.name

    def identities(self) -> list[tuple[str, str]]:
        """Every (name, email) in the history, mailmap applied."""
        self._wait()
        return sorted({who for counts in self._counts.values() for who in counts})

    def mailmap(self, entries: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Canonical (name, email) for front-matter entries that carry an email."""
        if self.root is None or not entries:
            return entries
        self.prefetch_mailmap(entries)
        return [self._mailmapped.get(e, e) for e in entries]

    def prefetch_mailmap(self, entries: list[tuple[str, str]]) -> None:
        """Look up many entries in one `git check-mailmap` (one process per page is slow)."""
        todo = sorted({e for e in entries if e not in self._mailmapped})
        if self.root is None or not todo:
            return
        lines = "".join(f"{n} <{e}>\n" for n, e in todo)
        out = _git(self.root, "check-mailmap", "--stdin", stdin=lines)
        mapped = [split_name_email(x) for x in (out or "").splitlines() if x.strip()]
        if len(mapped) != len(todo):
            mapped = todo  # git could not map them: keep them as written
        self._mailmapped.update(zip(todo, mapped, strict=True))

    def _wait(self) -> None:
        if self._writer is not None:
            self._writer.join()
            self._writer = None
        if self._failed is not None:  # raised here, not lost with the thread
            raise self._failed

    def _run_log(self, scope: str) -> None:
        try:
            self._counts, self._dates = self._read(scope)
        except BaseException as err:  # noqa: BLE001 - handed to the caller's thread
            self._failed = err

    def _read(self, scope: str) -> tuple[dict[str, Counter[tuple[str, str]]], dict[str, str]]:
        """The counts and dates: the whole log, or what this process read before at an
        earlier commit of the same history plus the commits since (none if the commit is
        the same)."""
        assert self.root is not None
        state = self._state
        if state is None:
            return _counted(self._git_log(scope), {}, {})
        key = (str(self.root), scope)
        with _READ_LOCK:
            before, known, dates = _READ.get(key, ({}, {}, {}))
        if before == state:
            return known, dates
        if not _names_differ(before, state) and _is_ancestor(
            self.root, before.get("head", ""), state["head"]
        ):
            out = self._git_log(scope, f"{before['head']}..{state['head']}")
            counts, dates = _counted(out, dict(known), dict(dates))
        else:  # up to the commit `state` names: the next run adds the commits after it
            out = self._git_log(scope, state["head"])
            counts, dates = _counted(out, {}, {})
        if out is not None:  # a log git failed to write is not kept
            with _READ_LOCK:
                _READ[key] = (dict(state), counts, dates)
        return counts, dates

    def _git_log(self, scope: str, commits: str = "") -> str | None:
        assert self.root is not None
        return self._moved_in(self._log(commits, scope), self._scope)

    def _log(self, commits: str, *paths: str) -> str | None:
        """`git log` of `paths` up to `commits` (all if empty), as `_counted` reads one."""
        assert self.root is not None
        return _git(
            self.root,
            "-c",
            "core.quotepath=off",
            "log",
            "--use-mailmap",
            "--no-merges",
            # A line each: git keeps a tab inside a name ("Ines<tab>Park"), no line break.
            "--format=%x00%H%n%aN%n%aE%n%cs",
            # Renames said (`-M` whatever git's config), so a page's commits follow it to
            # its new name: read by name alone, a `git mv` handed the whole page to whoever
            # moved it and dated it that day (an admin trial).
            "--name-status",
            "-M",
            *([commits] if commits else []),
            "--",
            *paths,
        )

    def _moved_in(
        self, out: str | None, inside: str | frozenset[str], depth: int = 0
    ) -> str | None:
        """`out`, a log of `inside` (a folder's prefix in the repository, or paths), with each
        file moved in from outside it (`git mv drafts/x.md content/x.md`) read as the rename
        it is, and that file's history before the move after it: the log's pathspec does not
        follow a file in, so a page moved into the content folder was credited to whoever
        moved it and dated that day (known hole). Moves in are followed back `_MOST_MOVES`
        times."""
        if not out or inside == "" or depth >= _MOST_MOVES:
            return out
        records = out.split("\x00")
        added: dict[str, set[str]] = defaultdict(set)
        for record in records[1:]:
            commit, files = record.split("\n", 1)[0], record.split("\n", 4)[4:]
            for line in "".join(files).splitlines():
                status, *paths = line.split("\t")
                if status == "A" and len(paths) == 1:
                    added[commit].add(paths[0])
        if not added:
            return out
        moves = {  # commit -> {the path added, as the log writes it: "R<score>\tfrom\tto"}
            commit: {to: f"{status}\t{was}\t{to}" for status, was, to in found}
            for commit, renamed in self._renames(sorted(added)).items()
            if (found := [r for r in renamed if r[2] in added[commit] and not _in(r[1], inside)])
        }
        if not moves:
            return out
        before = []
        for i, record in enumerate(records[1:], 1):
            commit = record.split("\n", 1)[0]
            if commit in moves:
                lines = record.split("\n")
                fix = moves[commit]
                lines[4:] = [fix.get(x.split("\t", 1)[-1], x) if x.startswith("A\t") else x
                             for x in lines[4:]]  # fmt: skip
                records[i] = "\n".join(lines)
                was = frozenset(_unquoted(m.split("\t")[1]) for m in fix.values())
                earlier = self._log(f"{commit}^", *(f":(literal){w}" for w in sorted(was)))
                before.append(self._moved_in(earlier, was, depth + 1) or "")
        return "\x00".join(records) + "".join(before)

    def _renames(self, commits: list[str]) -> dict[str, list[tuple[str, str, str]]]:
        """(status, from, to) of each rename each commit made anywhere in the repository,
        the paths as `git log` writes them."""
        assert self.root is not None
        out = _git(
            self.root,
            *("-c", "core.quotepath=off", "diff-tree", "--stdin", "-r", "-M"),
            *("--diff-filter=R", "--name-status"),
            stdin="".join(f"{c}\n" for c in commits),
        )
        found: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        commit = ""
        for line in (out or "").splitlines():
            parts = line.split("\t")
            if len(parts) == 1:
                commit = line.strip()
            elif len(parts) == 3:
                found[commit].append((parts[0], parts[1], parts[2]))
        return found


def git_state(content_dir: Path) -> dict[str, str]:
    """What authorship depends on besides the files: the commit checked out and `.mailmap`.

    Cheap (two small git calls), so an unchanged repository is recognised without reading
    its history.
    """
    root = _git_root(content_dir)
    if root is None:
        return {}
    mailmap = root / ".mailmap"
    return {
        "head": (_git(root, "rev-parse", "HEAD") or "").strip(),
        "mailmap": hashlib.sha256(mailmap.read_bytes()).hexdigest() if mailmap.is_file() else "",
        "reading": READING,
    }


def authorship_unchanged(content_dir: Path, before: dict[str, str], now: dict[str, str]) -> bool:
    """True if no commit between the two states touched `content_dir` and `.mailmap` is the same.

    Only forward: after a reset or a rebase the old commit is not in the new history, and the
    commits it loses are not "between" them (`before..now` is empty going back)."""
    if before == now:
        return True
    if not before or not now or _names_differ(before, now):
        return False
    root = _git_root(content_dir)
    if root is None or not before.get("head") or not now.get("head"):
        return False
    if not _is_ancestor(root, before["head"], now["head"]):
        return False
    scope = content_dir.resolve().relative_to(root).as_posix() or "."
    out = _git(root, "log", "--format=%H", f"{before['head']}..{now['head']}", "--", scope)
    return out is not None and not out.strip()  # None: the old commit is unknown (shallow)


def _counted(
    out: str | None, counts: dict[str, Counter], dates: dict[str, str]
) -> tuple[dict[str, Counter], dict[str, str]]:
    """`counts` with the commits of a `git log --name-status -M` output (newest first)
    added, and `dates` with each file's newest commit date, each under the name the file has
    now: a rename carries the commits before it, the log's and those `counts` holds, to
    the new name. A rename that changes nothing (git's similarity 100) is no writing: it
    credits and dates no one. A file's counter is replaced, not changed: `counts` may share
    them with an earlier read, which stays as it was."""
    if not out:
        return counts, dates
    added: dict[str, Counter] = defaultdict(Counter)
    newest: dict[str, str] = {}
    # An earlier name -> the name the file has at the newest commit, or None where what the
    # name held before was another file: one added there (`A`), or moved there (`R`), at
    # that commit. A path reused (a page deleted, another added or moved in at its name)
    # had the deleted page's commits credited to the new page's authors (known hole).
    now: dict[str, str | None] = {}
    identities: dict[tuple[str, str], tuple[str, str] | None] = {}
    for record in out.split("\x00")[1:]:
        _, name, email, day, files = (record.split("\n", 4) + ["", "", "", ""])[:5]
        author, day = (name.strip(), email.strip()), day.strip()
        if author not in identities:  # a token as a CI job's user.name: redacted as a page's
            # and a name as shown, as front matter's (kb.content.parse): an escape sequence,
            # a bidi override and 3,000 characters were a page's author and a filter value.
            shown = label(redact(author[0])[0])
            identities[author] = (shown, redact(author[1])[0]) if len(shown) <= MAX_LABEL else None
        author = identities[author]  # None: no name but pasted text, crediting no one
        started: dict[str, None] = {}  # names a file was added or moved to by this commit
        moved: dict[str, str | None] = {}  # names a file was moved from: where it is now
        for line in filter(str.strip, files.splitlines()):
            status, *paths = map(_unquoted, line.rstrip("\n").split("\t"))
            path = now.get(paths[-1], paths[-1])  # None: a file that was there before another
            if status.startswith(("A", "R")):
                started[paths[-1]] = None
            if status.startswith("R") and len(paths) == 2:
                moved[paths[0]] = path
                if status == "R100":
                    continue
            if path is not None and author is not None:
                added[path][author] += 1
            if path is not None:
                newest[path] = max(newest.get(path, ""), day)  # ISO dates sort as text
        # Read after this commit's lines, so their order does not matter; a name both
        # started and moved from (`git mv a b` and a new `a`) held, before, the moved file.
        now.update(started)
        now.update(moved)
    counts, dates = dict(counts), dict(dates)
    for before, after in now.items():  # what was read at an earlier commit moves too
        earlier, day = counts.pop(before, None), dates.pop(before, None)
        if after is None:  # another file's, that was at this name
            continue
        if earlier is not None:
            added[after] += earlier
        if day is not None:
            newest[after] = max(newest.get(after, ""), day)
    for f, more in added.items():
        counts[f] = counts[f] + more if f in counts else more
    for f, day in newest.items():
        dates[f] = max(dates.get(f, ""), day)
    return counts, dates


# How the history is read (2: a page moved into the content folder from elsewhere in the
# repository keeps its commits from before; 3: an author's name as shown, at most 100
# characters; 4: a page's commits start where it was added or moved to its name, so a name
# reused by another file credits none of the earlier file's): an index read otherwise reads
# every page's again.
READING = "4"


def _names_differ(before: dict[str, str], now: dict[str, str]) -> bool:
    """Whether two git states credit files otherwise though no commit came between them:
    another `.mailmap`, or the history read another way (`READING`)."""
    return before.get("mailmap") != now.get("mailmap") or before.get("reading") != now.get(
        "reading"
    )


_MOST_MOVES = 8  # moves into a folder followed back, each from where the last came


def _in(path: str, inside: str | frozenset[str]) -> bool:
    """Whether a path as `git log` writes it is in a folder (its prefix) or among paths."""
    path = _unquoted(path)
    return path.startswith(inside) if isinstance(inside, str) else path in inside


def _unquoted(path: str) -> str:
    """A path as git means it: one holding a tab, a line break, a quote, a backslash or
    another control character git writes in double quotes with C's escapes (octal for a
    byte: "it/quo\\"te.md", "it/tab\\tname.md"), even with core.quotepath off; read as
    written, such a page had no history (a hostile trial)."""
    if len(path) < 2 or path[0] != '"' or path[-1] != '"':
        return path
    raw = path[1:-1].encode("utf-8", "surrogateescape")
    out = _C_ESCAPE.sub(lambda m: _C_ESCAPES.get(m[1]) or _octal(m[1]), raw)
    return out.decode("utf-8", "surrogateescape")


_C_ESCAPE = re.compile(rb"\\([0-7]{3}|[\s\S])")
_C_ESCAPES = {
    b"a": b"\a", b"b": b"\b", b"t": b"\t", b"n": b"\n", b"v": b"\v", b"f": b"\f", b"r": b"\r",
    b'"': b'"', b"\\": b"\\",
}  # fmt: skip


def _octal(escaped: bytes) -> bytes:
    return bytes([int(escaped, 8) & 0xFF]) if len(escaped) == 3 else escaped


def _is_ancestor(root: Path, older: str, newer: str) -> bool:
    """Whether commit `older` is in the history of `newer` (false for an unknown commit, as
    after a rebase or in a shallow clone)."""
    return bool(older) and _git(root, "merge-base", "--is-ancestor", older, newer) is not None


def _git_root(path: Path) -> Path | None:
    out = _git(path, "rev-parse", "--show-toplevel")
    return Path(out.strip()).resolve() if out else None


def _git(cwd: Path, *args: str, stdin: str | None = None) -> str | None:
    try:
        res = subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            # Names in the history need not be UTF-8 (discovery reads them the same way).
            encoding="utf-8",
            errors="surrogateescape",
            check=False,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return res.stdout if res.returncode == 0 else None
