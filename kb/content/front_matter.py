"""A page's front matter: its leading `---` YAML block, Hugo's `+++` TOML block or Hugo's
`{` JSON object, read with YAML's bounds, its credentials redacted as read, and whether it
marks a draft."""

from __future__ import annotations

import functools
import json
import re
import tomllib

from kb.content import yaml_safe
from kb.content.secrets import Secret, describe, redact
from kb.models import Problem

BOM = "\ufeff"  # a byte order mark: nothing, however many a file starts with
_FRONT_MATTER_END = {"---", "..."}
DRAFT = "a draft, not indexed: "  # kb check reads on, as a warning


@functools.lru_cache(maxsize=2)
def _yaml(block: str) -> tuple[object, list[tuple[int, int]]]:
    """A front matter block's value, read-only (callers share it), and the keys it gives
    twice (`yaml_safe.repeated_keys`). Cached for the last blocks: `kb check` reads a page's
    front matter for its Document and again for its keys' lines."""
    node = yaml_safe.compose(block)
    return yaml_safe.construct(node), yaml_safe.repeated_keys(node)


def unpublished(meta: dict, lines: list[str], end: int, rel_path: str) -> Problem | None:
    """Why a page marked a draft (`draft: true`, `published: false`, as static site
    generators mark one) is not indexed, at the key's line; None for a published page. An
    admin took the flag for a way to keep a page out, and kb indexed it (a trial): a page a
    writer has not published must not be found by the whole company.

    Read on the safe side: a key in any case (`Draft:`), a draft unless its value says no
    (`draft: 1`, `draft: "True "`, `draft: maybe`), unpublished when `published` says no
    (`0`, `off`); and a front matter YAML cannot read as a mapping (a slip on another line,
    no closing `---`) is read line by line for the two keys: it made the metadata ignored,
    and the draft indexed with its text (a hostile trial)."""
    said = [(str(k).strip().casefold(), v) for k, v in meta.items()] if meta else []
    if not said and lines and lines[0].lstrip(BOM).strip() in ("---", "+++", "{"):
        said = _flags_as_written(lines, end)
    for key, value in said:  # every key: `draft: false` and `Draft: true` is a draft
        flag = _flag(value)
        if key == "draft" and (flag is True or (flag is None and _written(value))):
            draft_when = True
        elif key == "published" and flag is False:
            draft_when = False
        else:
            continue
        return Problem(
            rel_path,
            f"{DRAFT}'{key}: {str(draft_when).lower()}'; remove the line to publish it",
            _flag_line(lines, end, key),
        )
    return None


_YES = frozenset({"true", "yes", "on", "y", "1"})
_NO = frozenset({"false", "no", "off", "n", "0"})
# A `draft:` or `published:` line of a front matter block, in any case, its key quoted or
# not (JSON's `"draft": true,`).
_FLAG_LINE = re.compile(r"""(?i)\s*(["']?)(draft|published)\1\s*[:=](.*?),?\s*$""")


def _flag(value: object) -> bool | None:
    """A front matter flag as YAML 1.1 and 1.2 readers both mean it: True, False, or None
    when the value says neither (empty, a date, a word)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    text = str(value).strip().strip("\"'").strip().casefold() if value is not None else ""
    return True if text in _YES else False if text in _NO else None


def _written(value: object) -> bool:
    """Whether a flag's value says anything (`draft:` alone says nothing)."""
    return value is not None and str(value).strip().strip("\"'").strip() != ""


def _flags_as_written(lines: list[str], end: int) -> list[tuple[str, str]]:
    """`draft` and `published` as the lines of a front matter block write them, up to its
    closing line (`end`) or, with none, its first blank line: for a block YAML could not
    read."""
    found = []
    for line in lines[1 : end if end > 0 else len(lines)]:
        if end <= 0 and not line.strip():
            break
        m = _FLAG_LINE.match(line)
        if m:
            found.append((m[2].casefold(), re.sub(r"\s+#.*", "", m[3]).strip()))
    return found


def _flag_line(lines: list[str], end: int, key: str) -> int:
    """The line of a flag's key, in any case (`key_line` for a block that may not end)."""
    last = end if end > 0 else len(lines)
    at = re.compile(rf"""(?i)\s*(["']?){re.escape(key)}\1\s*[:=]""")
    return next((i + 1 for i in range(1, last) if at.match(lines[i])), 2)


def read_front_matter(text: str, rel_path: str) -> tuple[dict, int, list[Problem]]:
    """The front matter mapping of a page's text, the 0-based first body line, and problems."""
    problems: list[Problem] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta, body_start = front_matter(lines, rel_path, problems)
    return meta, body_start, problems


def front_matter(lines: list[str], rel_path: str, problems: list[Problem]) -> tuple[dict, int]:
    """Read a leading `---` YAML block, or Hugo's `+++` TOML block; return (mapping, index of
    the first body line)."""
    if lines and lines[0].lstrip(BOM).strip() == "+++":
        return _toml_front_matter(lines, rel_path, problems)
    if lines and lines[0].lstrip(BOM).strip() == "{":
        return _json_front_matter(lines, rel_path, problems)
    if not lines or lines[0].lstrip(BOM).strip() != "---":  # after any byte order marks
        return {}, 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in _FRONT_MATTER_END), None)
    if end is None:
        problems.append(Problem(rel_path, "front matter starts with '---' but never ends", 1))
        return {}, 0
    try:
        meta, repeated = _yaml("\n".join(lines[1:end]))
        meta = meta or {}
    except yaml_safe.YamlError as err:
        line = err.line + 1  # +1 for the '---'
        what = "refused" if err.limit else "is not valid YAML"
        message = f"front matter {what} ({err.reason}); metadata ignored"
        problems.append(Problem(rel_path, message, line))
        return {}, end + 1
    if not isinstance(meta, dict):
        problems.append(Problem(rel_path, "front matter is not a mapping; metadata ignored", 2))
        return {}, end + 1
    for first, again in repeated:  # +1: the lines of the block start after the '---'
        # The key is not said back: any text may be a key (a name, a word).
        message = f"front matter gives the key of line {first + 1} again; the last is used"
        problems.append(Problem(rel_path, message, again + 1))
    if any("\\" in line or "!" in line for line in lines[1:end]):
        # The page's bytes were redacted before, but an escape ("\x41KIA…") or a tag
        # (`!!binary QUtJQ…`, `!<tag:yaml.org,2002:binary>`) makes a credential only once
        # YAML reads it: the values (and keys) are redacted as read.
        meta = _redacted_as_read(meta, lines, end, rel_path, problems)
    return meta, end + 1


def _toml_front_matter(
    lines: list[str], rel_path: str, problems: list[Problem]
) -> tuple[dict, int]:
    """A leading `+++` TOML block, as Hugo writes one (its `hugo new` writes `draft = true`):
    it was page text, and a Hugo site's drafts were indexed (a hostile trial)."""
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "+++"), None)
    if end is None:
        problems.append(Problem(rel_path, "front matter starts with '+++' but never ends", 1))
        return {}, 0
    block = "\n".join(lines[1:end])
    # YAML's bounds (kb.content.yaml_safe): tomllib recursed past Python's limit on 100,000
    # '[' (a RecursionError, not a problem), and took 30 s on 100,000 keys.
    if len(block.encode("utf-8", "surrogatepass")) > yaml_safe.MAX_BYTES:
        refused = f"more than {yaml_safe.MAX_BYTES // 1024} KB"
        problems.append(Problem(rel_path, f"front matter refused ({refused}); metadata ignored", 1))
        return {}, end + 1
    try:
        # A dotted key of many parts (`a.a.a… = 1`) costs tomllib time by their square (6 s
        # at 20,000): refused by its parts before it is read, as by its depth after.
        if _DOTTED.search(block) or _depth(meta := tomllib.loads(block)) > yaml_safe.MAX_DEPTH:
            raise RecursionError
    except RecursionError:
        refused = f"nested deeper than {yaml_safe.MAX_DEPTH} levels"
        problems.append(Problem(rel_path, f"front matter refused ({refused}); metadata ignored", 1))
        return {}, end + 1
    except tomllib.TOMLDecodeError as err:
        at = re.search(r"\(at line (\d+)", str(err))
        line = (int(at[1]) if at else 1) + 1  # +1 for the '+++'
        message = f"front matter is not valid TOML ({str(err).split(' (at')[0]}); metadata ignored"
        problems.append(Problem(rel_path, message, line))
        return {}, end + 1
    # Escapes ("\u0041KIA…") make a credential only once TOML reads it: redacted as read.
    return _redacted_as_read(meta, lines, end, rel_path, problems), end + 1


def _json_front_matter(
    lines: list[str], rel_path: str, problems: list[Problem]
) -> tuple[dict, int]:
    """Hugo's JSON front matter: an object from a first line `{` to the `}` that closes it,
    on a line of its own. It was page text: its keys (`"author"`) showed in snippets and
    its `"draft": true` was indexed (known hole). Read with YAML's bounds; one that does not
    read is said at its line, its metadata ignored (the page read from after the first
    line `}`), and its flags read line by line (`unpublished`)."""
    # Read whole, then bounded (a page is bounded, json is linear): cut at the bound, a
    # long value read as unterminated.
    text = "\n".join([lines[0].lstrip(BOM), *lines[1:]])
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "}"), None)
    too_big = f"more than {yaml_safe.MAX_BYTES // 1024} KB"
    try:
        meta, at = json.JSONDecoder().raw_decode(text)
    except json.JSONDecodeError as err:
        if err.pos > yaml_safe.MAX_BYTES:
            return _refused(too_big, closing, rel_path, problems)
        message = f"front matter is not valid JSON ({err.msg}); metadata ignored"
        problems.append(Problem(rel_path, message, err.lineno))
        return {}, closing + 1 if closing else 0
    except RecursionError:  # json's own limit, at about 1,000 levels
        meta, at = None, -1
    if at < 0 or _depth(meta) > yaml_safe.MAX_DEPTH:
        deep = f"nested deeper than {yaml_safe.MAX_DEPTH} levels"
        return _refused(deep, closing, rel_path, problems)
    end = text.count("\n", 0, at)  # the line of the closing `}`
    if len(text[:at].encode("utf-8", "surrogatepass")) > yaml_safe.MAX_BYTES:
        return _refused(too_big, closing, rel_path, problems)
    if not isinstance(meta, dict) or text[at:].split("\n", 1)[0].strip():
        message = (
            "front matter is not one JSON object ending on a line of its own; metadata ignored"
        )
        problems.append(Problem(rel_path, message, end + 1))
        return {}, closing + 1 if closing else 0
    return _redacted_as_read(meta, lines, end, rel_path, problems), end + 1


def _refused(
    why: str, closing: int | None, rel_path: str, problems: list[Problem]
) -> tuple[dict, int]:
    """No metadata, the page read from after the first line `}` (`closing`), if any."""
    problems.append(Problem(rel_path, f"front matter refused ({why}); metadata ignored", 1))
    return {}, closing + 1 if closing else 0


def _redacted_as_read(
    meta: dict, lines: list[str], end: int, rel_path: str, problems: list[Problem]
) -> dict:
    """`meta` with the credentials its values and keys hold as read, redacted, each said at
    its top-level key's line."""
    found: list[tuple[str, Secret]] = []
    meta = _redacted(meta, found)
    problems.extend(
        Problem(rel_path, describe(secret, redacted=True), key_line(lines, end, key))
        for key, secret in found
    )
    return meta


# A key of more parts than front matter may nest (yaml_safe.MAX_DEPTH), quoted or bare.
# Each part is taken whole and a bare one starts after no word character: linear (a part
# retried from inside a long word made it quadratic).
_DOTTED = re.compile(r"""(?<![\w-])(?:(?:[\w-]++|"[^"\n]*+"|'[^'\n]*+')[ \t]*+\.[ \t]*+){20,}""")


def _depth(value: object) -> int:
    """How deep lists and tables nest in `value` (1 for a value that holds none)."""
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 1


def _redacted(value: object, found: list, key: str = "") -> object:
    """`value` (front matter, shared: not changed) with credentials in its text redacted; the
    top-level key of each is added to `found`."""
    if isinstance(value, bytes):  # !!binary: read as the text it holds
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        text, secrets = redact(value)
        found.extend((key, secret) for secret in secrets)
        return text
    if isinstance(value, dict):
        return {
            _redacted(k, found, key or str(k)): _redacted(v, found, key or str(k))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):  # !!pairs, !!omap, !!set
        return [_redacted(v, found, key) for v in value]
    return value


def key_line(lines: list[str], end: int, key: str) -> int:
    """The 1-based line of a top-level front matter key (its block's first line if unseen)."""
    # YAML's `key:`, TOML's `key =`, JSON's `  "key":`
    at = re.compile(rf"""\s*(["']?){re.escape(key)}\1\s*[:=]""")
    return next((i + 1 for i in range(1, end) if at.match(lines[i])), 2)
