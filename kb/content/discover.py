"""Which files under a content folder kb may read, and reading them: the one place that decides.

A page is a regular `*.md` / `*.markdown` file whose real path is inside the content folder
and not inside a hidden folder (`.git/` above all: `actions/checkout` keeps a token in
`.git/config`). A link that stays inside is read; a link out of the folder, a dangling link,
a link loop, a fifo, an odd file name or an unreadable folder is a warning and skipped.
Reading checks again what it opened, so a file swapped for a link after discovery is not read.
"""

from __future__ import annotations

import bisect
import functools
import os
import stat
from collections import OrderedDict
from collections.abc import Collection, Container
from dataclasses import dataclass, field
from pathlib import Path

from kb.content.secrets import describe, find_in_names, redact_names
from kb.errors import ContentError
from kb.models import Problem

MARKDOWN_SUFFIXES = (".md", ".markdown")
_CANNOT_READ, _CHANGED = "cannot read file (", "file changed while kb read it"  # `unreadable`
UNLISTED = "cannot read folder ("  # a folder the walk could not list: its pages are not found
DEFAULT_MAX_BYTES = 2_000_000
# kb check makes these errors (rule 'secret'): a file or a folder whose name holds a credential.
SECRET_IN_NAME = ("file name holds a ", "folder name holds a ")


@dataclass(frozen=True)
class Found:
    """The pages kb may read, sorted, and a warning for each file or folder it skipped.

    `rels`: each page's path relative to `root`, in `/` form. `stats`: each page's stamp
    (`stamp_of` its `lstat`) as the walk saw it, by relative path (a build compares it with
    the one recorded when the page was last read); none for a link."""

    rels: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    stats: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    root: Path = Path()

    @functools.cached_property
    def files(self) -> list[Path]:
        """The pages as paths. Made on first use: at 10,000 pages making the paths costs a
        third of a run in which nothing changed, and that run needs only `rels`."""
        return [path_of(self.root, rel) for rel in self.rels]


def path_of(content_dir: Path, rel: str) -> Path:
    """The path of a page found under `content_dir` from its relative path: the walk's own."""
    return Path(os.path.join(str(content_dir), *rel.split("/")))


def discover(content_dir: Path, *, exclude: Path | None = None) -> list[Path]:
    """The Markdown files `find_pages` accepts (its warnings dropped)."""
    return find_pages(content_dir, exclude=exclude).files


def find_pages(
    content_dir: Path, *, exclude: Path | None = None, clean: Container[str] = frozenset()
) -> Found:
    """Markdown files under `content_dir` kb may read, skipping hidden folders and `exclude`.

    `clean`: relative paths whose names an earlier run scanned for credentials and found
    none (the same detection): not scanned again."""
    if not content_dir.is_dir():
        raise ContentError(
            f"content folder '{content_dir}' does not exist; "
            "pass the folder that holds your Markdown pages: kb index PATH"
        )
    walk = _Walk(content_dir, exclude)
    walk.folder(str(content_dir), "")
    return walk.result(clean)


def rewalk(
    content_dir: Path,
    before: Found,
    changed: Collection[str],
    *,
    exclude: Path | None = None,
    clean: Container[str] = frozenset(),
) -> Found:
    """What `find_pages` would find now, given what it found `before` and the paths relative
    to `content_dir` (files or folders, `/` form) that may have changed since: only those are
    looked at again (a file-system watcher names them). A change it is not told of is not
    seen: the full walk remains the check."""
    if not content_dir.is_dir():
        return find_pages(content_dir, exclude=exclude, clean=clean)
    walk = _Walk(content_dir, exclude)
    todo = _outermost({t for c in changed if (t := walk.target(c)) is not None})
    # A skipped entry whose name is shown escaped or redacted is not found by its path:
    # its folder is looked at again.
    todo |= {p.path.rpartition("/")[0] for p in before.problems if not walk.exists(p.path)}
    todo = _outermost(todo)
    if "" in todo:
        return find_pages(content_dir, exclude=exclude, clean=clean)
    folders = tuple(f"{c}/" for c in todo)
    # Comprehensions, not a loop: at 100,000 pages these are most of what a told build's
    # finding costs.
    rels = [r for r in before.rels if r not in todo and not r.startswith(folders)]
    stats = {r: s for r, s in before.stats.items() if r not in todo and not r.startswith(folders)}
    walk.problems.extend(
        p for p in before.problems if p.path not in todo and not p.path.startswith(folders)
    )
    for rel in sorted(todo):
        walk.entry(rel)
    return walk.result(clean, rels, stats)


def _outermost(paths: set[str]) -> set[str]:
    """`paths` without those inside another of them."""
    out: set[str] = set()
    for p in sorted(paths, key=len):
        if not any(p == o or p.startswith(f"{o}/") or not o for o in out):
            out.add(p)
    return out


class _Walk:
    """One walk of a content folder (or of the parts of it that changed): the pages found
    with their stamps, and the warnings."""

    def __init__(self, content_dir: Path, exclude: Path | None) -> None:
        self.content_dir = content_dir
        self.root = root = content_dir.resolve()
        skip = exclude.resolve() if exclude else None
        # The walk does not enter linked folders, so below the root a folder is where it
        # looks: the excluded folder is found by its path under content_dir, without
        # resolving each.
        self.skip = skip = (
            content_dir / skip.relative_to(root) if skip and skip.is_relative_to(root) else None
        )
        self.skipped = (
            os.path.join(str(content_dir), str(skip.relative_to(content_dir))) if skip else None
        )
        # Paths as text until the end: at 10,000 pages, Path objects cost more than the walk.
        self.found: dict[str, tuple[int, int, int, int] | None] = {}  # relative path -> stamp
        self.problems: list[Problem] = []
        self._todo: list[tuple[str, str]] = []

    def folder(self, folder: str, prefix: str) -> None:
        """Walk `folder`, whose pages' relative paths start with `prefix`."""
        self._todo.append((folder, prefix))
        self._drain()

    def target(self, rel: str) -> str | None:
        """What to look at again for a changed relative path: the path, or its outermost
        folder that is no longer a plain one (gone, a link, a file); None for a path the walk
        never looks at (hidden, the index folder, not a relative path)."""
        parts = rel.split("/") if rel else []
        if "\0" in rel or any(p in ("", ".", "..") or p[0] == "." for p in parts):
            return None
        folder = str(self.content_dir)
        for i, part in enumerate(parts[:-1]):
            folder = os.path.join(folder, part)
            if folder == self.skipped:
                return None
            try:
                plain = stat.S_ISDIR(os.lstat(folder).st_mode)
            except OSError:
                plain = False
            if not plain:
                return "/".join(parts[: i + 1])
        if os.path.join(folder, *parts[-1:]) == self.skipped:
            return None
        return rel

    def exists(self, rel: str) -> bool:
        """Whether a path relative to the content folder is there (a link counts)."""
        return os.path.lexists(os.path.join(str(self.content_dir), *rel.split("/")))

    def entry(self, rel: str) -> None:
        """Look at one file or folder again (its parents are plain folders: see `target`)."""
        parent, _, name = rel.rpartition("/")
        folder = os.path.join(str(self.content_dir), *parent.split("/") if parent else ())
        try:
            with os.scandir(folder) as it:
                entry = next((e for e in it if e.name == name), None)
        except OSError:
            entry = None
        if entry is not None:
            self._visit(entry, f"{parent}/" if parent else "")
            self._drain()

    def _drain(self) -> None:
        """Walk the folders queued, one pass over each folder's entries. A plain Markdown
        file is taken here, anything else by `_visit` (at 100,000 pages the walk is most of
        an edit, and a call per file was a sixth of the walk)."""
        todo, found, visit, is_reg = self._todo, self.found, self._visit, stat.S_ISREG
        while todo:
            folder, prefix = todo.pop()
            for entry in _entries(folder, self.problems, self.content_dir):
                name = entry.name
                if name[0] == "." or not name.lower().endswith(MARKDOWN_SUFFIXES):
                    if name[0] != ".":
                        visit(entry, prefix)  # a folder, or not a page
                    continue
                if name.isascii():
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except OSError:
                        info = None
                    if info is not None and is_reg(info.st_mode):
                        found[prefix + name] = stamp_of(info)
                        continue
                visit(entry, prefix)

    def _visit(self, entry: os.DirEntry, prefix: str) -> None:
        content_dir = self.content_dir
        name = entry.name
        if name[0] == ".":
            return
        try:
            is_folder = entry.is_dir()  # through a link, as os.walk sorts names
        except OSError:
            is_folder = False
        if is_folder:
            if entry.path == self.skipped:
                return
            if entry.is_symlink():
                # The walk does not enter linked folders; say so rather than skip them.
                why = "link to a folder; kb does not follow linked folders (not read)"
                self.problems.append(Problem(display(content_dir, Path(entry.path)), why))
            else:
                self._todo.append((entry.path, f"{prefix}{name}/"))
            return
        if not name.lower().endswith(MARKDOWN_SUFFIXES):
            return
        info = _plain(entry)
        why = "" if info is not None else _refusal(self.root, Path(entry.path), self.skip)
        if why:
            self.problems.append(Problem(display(content_dir, Path(entry.path)), why))
        else:
            # None: a link inside, which has no stamp of its own.
            self.found[prefix + name] = stamp_of(info) if info is not None else None

    def result(
        self,
        clean: Container[str],
        before: list[str] | None = None,
        before_stats: dict[str, tuple[int, int, int, int]] | None = None,
    ) -> Found:
        """What the walk found, with the pages found `before` (sorted, their names scanned
        already) and their stamps, when it looked at only some folders again."""
        content_dir, found, problems = self.content_dir, self.found, self.problems
        # The path would be stored and shown as the page's name (and title), its folders too: no
        # credential in any part of it.
        leaked = _names_with_secrets([r for r in found if r not in clean])
        for rel, secret in leaked.items():
            shown = redact_names(display(content_dir, path_of(content_dir, rel)))
            in_file = bool(find_in_names(rel.rpartition("/")[2]))
            what, fix = ("file", "the file") if in_file else ("folder", "its folder")
            why = f"{what} name holds a {describe(secret)}; not read, rename {fix}"
            problems.append(Problem(shown, why))
        kept = sorted((r for r in found if r not in leaked) if leaked else found, key=page_key)
        # The walk's own stamps, unless a link (no stamp) or a refused name is among them.
        stats = found
        if leaked or None in found.values():
            stats = {r: s for r, s in found.items() if s is not None and r not in leaked}
        if before is not None:
            if len(kept) < 64:  # a few new pages go into place; many are sorted with the rest
                for rel in kept:
                    bisect.insort(before, rel, key=page_key)
                kept = before
            else:
                kept = sorted(before + kept, key=page_key)
            stats = before_stats | stats
        problems.sort(key=lambda p: p.path)
        return Found(kept, problems, stats, content_dir)


def page_key(rel: str) -> str:
    """The order of pages: their relative paths in the order of the path's parts ("a/b"
    before "a-b"): NUL sorts before any character a name holds, and a text key sorts five
    times faster than a list of parts."""
    return rel.replace("/", "\0")


def stamp_of(info: os.stat_result) -> tuple[int, int, int, int]:
    """What tells a file's bytes changed without reading them (as git's index does): its
    size, modification and change times and inode. The change time cannot be set back by
    a program (utime sets the modification time only), and a copy has another inode."""
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def _entries(folder: str, problems: list[Problem], content_dir: Path) -> list[os.DirEntry]:
    """The entries of `folder`; none, and a warning, if it cannot be listed."""
    try:
        with os.scandir(folder) as it:
            return list(it)
    except OSError as err:
        rel = display(content_dir, Path(err.filename or folder))
        problems.append(Problem(rel, f"{UNLISTED}{err.strerror}); skipped"))
        return []


def _plain(entry: os.DirEntry) -> os.stat_result | None:
    """The `lstat` of a regular file (not a link) with a UTF-8 name, found by the walk; None
    for anything else. The walk enters no linked folder and no hidden one, so its real path is
    inside the content folder and every check of `_refusal` holds without resolving it (one
    lstat, not one per path part)."""
    if not entry.name.isascii() and _odd(entry.name):
        return None
    try:
        info = entry.stat(follow_symlinks=False)
    except OSError:
        return None
    return info if stat.S_ISREG(info.st_mode) else None


def _names_with_secrets(rels: list[str]) -> dict[str, object]:
    """The files whose path relative to the content folder holds a credential, and the first
    one found: all scanned as one text, one per line (a path holding a line break on its
    own)."""
    plain = [n for n in rels if "\n" not in n]
    out = {}
    for s in find_in_names("\n".join(plain)):
        out.setdefault(plain[s.line - 1], s)
    for n in rels:
        if "\n" in n and (leaked := find_in_names(n)):
            out[n] = leaked[0]
    return out


def read_page(
    content_dir: Path,
    path: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    folders: Folders | None = None,
) -> bytes | Problem:
    """The bytes of a file `find_pages` accepted, or why they are not read (checked again).

    `folders`: the run's open folders, for the next file (see `Folders`)."""
    own = folders is None
    folders = Folders(content_dir) if own else folders
    try:
        plain = _read_plain(path, max_bytes, folders)
    finally:
        if own:
            folders.close()
    if plain is not None:
        return plain
    rel = display(content_dir, path)  # only the long way names the file in a problem
    root = content_dir.resolve()
    why = _refusal(root, path, None)
    if why:
        return Problem(rel, why)
    try:
        # O_NONBLOCK: a fifo swapped in does not hang the run (it is refused below).
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        return Problem(rel, f"{_CANNOT_READ}{err.strerror}); skipped")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return Problem(rel, "not a regular file; skipped")
        # What was opened is what was checked: the same file as the checked real path now.
        real = Path(os.path.realpath(path))
        try:
            same = os.stat(real)
        except OSError:
            same = None
        if same is None or (same.st_dev, same.st_ino) != (info.st_dev, info.st_ino):
            return Problem(rel, f"{_CHANGED}; skipped, run again")
        why = _refusal(root, path, None)
        if why:
            return Problem(rel, why)
        if info.st_size > max_bytes:
            return too_big(rel, info.st_size, max_bytes)
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(max_bytes + 1)
    except OSError as err:
        return Problem(rel, f"{_CANNOT_READ}{err.strerror}); skipped")
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # grew after the check
        return too_big(rel, len(data), max_bytes)
    return data


class Folders:
    """Folders of a content tree opened from its root one part at a time, never through a
    link; the last `OPEN` stay open for the next files (pages come sorted, so a folder's
    pages come together), the others are closed: a tree of more folders than a process may
    open files must not make pages unreadable."""

    OPEN = 64

    def __init__(self, content_dir: Path) -> None:
        self._content = content_dir
        self._fds: OrderedDict[Path, int | None] = OrderedDict()

    def fd(self, folder: Path) -> int | None:
        """An open descriptor of `folder`; None if a part is a link, hidden or unreadable."""
        if folder in self._fds:
            self._fds.move_to_end(folder)
            return self._fds[folder]
        fd = None
        try:
            if folder == self._content:
                fd = os.open(self._content.resolve(), os.O_RDONLY | os.O_DIRECTORY)
            elif not folder.name.startswith(".") and folder.is_relative_to(self._content):
                parent = self.fd(folder.parent)
                if parent is not None:
                    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
                    fd = os.open(folder.name, flags, dir_fd=parent)
        except OSError:
            fd = None
        self._fds[folder] = fd
        while len(self._fds) > self.OPEN:  # the parent just used is recent: never closed here
            old = self._fds.popitem(last=False)[1]
            if old is not None:
                os.close(old)
        return fd

    def close(self) -> None:
        for fd in self._fds.values():
            if fd is not None:
                os.close(fd)
        self._fds.clear()


def _read_plain(path: Path, max_bytes: int, folders: Folders) -> bytes | None:
    """A regular file, no link, in a folder reached without a link: its bytes, read through
    its folder's descriptor (so no part of the path can be swapped for a link meanwhile);
    None for anything else, which `read_page` checks the long way."""
    if os.open not in os.supports_dir_fd or _odd(path.name) or path.name.startswith("."):
        return None
    folder = folders.fd(path.parent)
    if folder is None:
        return None
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | os.O_NOFOLLOW
    try:
        fd = os.open(path.name, flags, dir_fd=folder)
    except OSError:
        return None  # a link (ELOOP), gone, unreadable: the long way says which
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(max_bytes + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data if len(data) <= max_bytes else None


def unreadable(problem: Problem) -> bool:
    """Whether `read_page` could not read a page it may read (permission denied, a read
    error, a change while it read): a build keeps such a page's last indexed version, where
    a page gone, turned into a link out or over the size limit is dropped."""
    return problem.message.startswith((_CANNOT_READ, _CHANGED))


def too_big(rel: str, size: int, max_bytes: int) -> Problem:
    return Problem(
        rel,
        f"page is {_size(size)}, over the {_size(max_bytes)} limit (max_page_bytes); "
        "skipped, split it into smaller pages",
    )


def relative(content_dir: Path, path: Path) -> str:
    """`path` relative to `content_dir`, in `/` form (`path` is under it: a found page)."""
    rel = _relative_text(str(content_dir), str(path))
    return rel if rel is not None else path.relative_to(content_dir).as_posix()


def _relative_text(top: str, text: str) -> str | None:
    """`text` relative to the folder `top`, in `/` form, if it starts with it (pathlib is slow
    at 10,000 pages)."""
    if text.startswith(top) and text[len(top) : len(top) + 1] == os.sep:
        return text[len(top) + 1 :].replace(os.sep, "/")
    return None


def display(content_dir: Path, path: Path) -> str:
    """`path` relative to `content_dir` as text that can be printed and stored as JSON."""
    try:
        rel = path.relative_to(content_dir).as_posix()
    except ValueError:
        rel = path.as_posix()
    # A name that is not UTF-8 arrives with surrogate escapes; show its bytes as \\xNN.
    return os.fsencode(rel).decode("utf-8", "backslashreplace") if _odd(rel) else rel or "."


def _odd(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _refusal(root: Path, path: Path, skip: Path | None) -> str:
    """Why `path` may not be read, or ''."""
    if _odd(path.name):
        return "file name is not valid UTF-8; skipped, rename it"
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        return "link to a file that does not exist; skipped"
    except (OSError, RuntimeError) as err:  # a loop of links (RuntimeError before 3.13)
        return f"cannot follow link ({getattr(err, 'strerror', None) or err}); skipped"
    if not real.is_relative_to(root):
        return "links to a file outside the content folder; not read"
    hidden = next((p for p in real.relative_to(root).parts if p.startswith(".")), None)
    if hidden:
        return f"links to '{hidden}', which kb never reads (hidden); not read"
    if skip is not None and real.is_relative_to(skip.resolve()):
        return "links into the index folder; not read"
    try:
        mode = real.stat().st_mode
    except OSError as err:
        return f"{_CANNOT_READ}{err.strerror}); skipped"
    if not stat.S_ISREG(mode):
        return "not a regular file; skipped"
    return ""


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{n / 1000:.1f} KB"
