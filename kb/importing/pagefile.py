"""Writing a page file kb made (`kb import`, `kb new`): its front matter, its name, and the
check that it is still as kb wrote it."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tempfile
import time
import unicodedata
from pathlib import Path

from anyascii import anyascii

from kb.content.front_matter import BOM
from kb.content.secrets import redact
from kb.errors import KbError

MAX_FIELD = 300  # characters of one front matter value (a title, a name)
MAX_LIST = 30  # values of one list (authors)
STAMP = re.compile(r'^imported: "([0-9a-f]{16})"\n', re.MULTILINE)
# A page being written: beside its target as `.kb-page-<pid>-<mkstemp's 8>.tmp`, renamed onto
# it at the end. The pid tells a killed writer's file from a live one's.
_TEMP = re.compile(r"\.kb-page-([1-9][0-9]{0,9})-[a-z0-9_]{8}\.tmp")
# A writer on another machine sharing the folder has a pid this one cannot see: its file is
# left while it is being written (a page is written in seconds at most).
LEFTOVER_AGE = 60.0


def front_matter(fields: dict) -> str:
    """A front matter block of the fields that have a value. Each value is JSON-quoted (JSON
    is YAML), so no title or name can break out of its line, and cleaned of what YAML
    refuses (control characters) and cut to a sane length."""
    lines = []
    for key, value in fields.items():
        value = [clean(v) for v in value[:MAX_LIST]] if isinstance(value, list) else value
        value = clean(value) if isinstance(value, str) else value
        if value:
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}\n")
    return "---\n" + "".join(lines) + "---\n"


def clean(text: str) -> str:
    """One line of text YAML and Markdown take: no control characters, spaces collapsed."""
    kept = "".join(
        c for c in text if c.isspace() or unicodedata.category(c) not in ("Cc", "Cs", "Co", "Cn")
    )
    return " ".join(kept.split())[:MAX_FIELD]  # split() takes tabs and line breaks too


def stamped(text: str) -> str:
    """`text` (a page starting with front matter) with `imported:` set to its own hash, so a
    later import can tell whether someone edited the page since."""
    return text.replace("---\n", f'---\nimported: "{_digest(text)}"\n', 1)


def edited_since_import(text: str) -> bool:
    """Whether a page kb imported was changed after. Fails closed: a stamp that does not read
    as kb wrote it (quotes changed by a formatter) counts as an edit. Line endings and a BOM
    an editor or git added do not."""
    text = text.lstrip(BOM).replace("\r\n", "\n")
    match = STAMP.search(text)
    return not match or _digest(STAMP.sub("", text, count=1)) != match[1]


def same_stamp(one: str, other: str) -> bool:
    """Whether two stamped pages were made from the same text (the source did not change)."""
    a, b = STAMP.search(one.lstrip(BOM)), STAMP.search(other)
    return bool(a and b) and a[1] == b[1]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def slug(text: str) -> str:
    """A file or folder name: lowercase ASCII words joined by '-', any secret in `text`
    redacted first: a name is stored, shown and committed as it is, and a token's letters in
    small ones (a title holding one) are most of it, which no check finds there. Letters are
    written in Latin ones (anyascii: "Straße" is `strasse`, "Łódź" `lodz`, "Привет"
    `privet`); a symbol that is no letter or digit (an emoji) parts words."""
    text = unicodedata.normalize("NFC", redact(text)[0])
    latin = "".join(c if c.isascii() else _latin(c) for c in text)
    return _words(latin)


def slug_before_latin(text: str) -> str:
    """The name `slug` gave before it wrote letters in Latin ones: the ASCII of their NFKD
    decomposition, which dropped a letter without one ("Straße" was `strae`, "Łódź" `odz`).
    Only to find a folder an earlier import named so (`kb.importing.importer`)."""
    decomposed = unicodedata.normalize("NFKD", redact(text)[0])
    return _words(decomposed.encode("ascii", "ignore").decode())


def _latin(char: str) -> str:
    return anyascii(char) if unicodedata.category(char)[0] in "LMN" else " "


def _words(ascii_text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower())[:80].strip("-")


def write_page(content: Path, target: Path, text: str, *, exclusive: bool = False) -> None:
    """Write `text` to `target` atomically (a reader never sees half a page), only inside
    `content`: a folder on the way that links elsewhere is refused. A page replaced keeps
    its permissions; a new one gets the usual ones (the umask's), not a temp file's 0600.
    `exclusive`: fail (FileExistsError) rather than replace a file made meanwhile."""
    # Checked before any folder is made: resolve() follows the links of the part that exists.
    try:
        inside = target.parent.resolve().is_relative_to(content.resolve())
    except (OSError, RuntimeError) as err:  # a loop of links (RuntimeError before 3.13)
        raise KbError(f"{target.parent}: cannot follow its links ({err}); not written") from None
    if not inside:
        raise KbError(f"{target.parent} links out of the content folder; not written there")
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = target.stat().st_mode & 0o777 if target.is_file() else 0o666 & ~_umask()
    prefix = f".kb-page-{os.getpid()}-"
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=prefix, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.chmod(tmp, mode)
        if exclusive:
            os.link(tmp, target)  # atomic, and refuses an existing name
            os.unlink(tmp)
        else:
            os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sweep_leftovers(content: Path) -> list[Path]:
    """Delete the page files a killed `write_page` left under `content`; return them.

    Only kb's own: a regular file of kb's temporary name (not a link, not a folder, not a
    look-alike such as `.kb-page-notes.tmp`) whose writer's pid runs no process on this
    machine and which nothing touched for `LEFTOVER_AGE` seconds. Hidden folders (`.git`)
    and links are not entered: kb writes no page there."""
    swept = []
    now = time.time()
    for folder, dirs, files in os.walk(content):
        dirs[:] = [d for d in dirs if not d.startswith(".")]  # os.walk enters no link
        for name in files:
            match = _TEMP.fullmatch(name)
            if match is None:
                continue
            path = Path(folder, name)
            try:
                st = path.lstat()
                if not stat.S_ISREG(st.st_mode) or now - st.st_mtime < LEFTOVER_AGE:
                    continue
                if _running(int(match[1])):
                    continue
                path.unlink()
            except OSError:  # gone meanwhile, or not ours to delete: left as it is
                continue
            swept.append(path)
    return swept


def _running(pid: int) -> bool:
    """Whether a process `pid` runs here (one of another user's counts: its file is kept)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # another user's (EPERM), or no pid at all: kept
        return True
    return True


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current
