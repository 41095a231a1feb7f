"""Display helpers the app needs but must not own: staleness, safe Markdown, the counts its
charts draw."""

from __future__ import annotations

import datetime as dt
import html
import posixpath
import re
import string
from collections import Counter
from collections.abc import Collection, Iterable
from urllib.parse import quote, urlsplit

from kb.content.code_spans import split_code
from kb.content.parse import clean_block
from kb.models import Topic
from kb.models.people import contact_kind

_TAG = re.compile(r"</?[A-Za-z!][^>\n]*>?")
_LINK_TARGET = re.compile(r"(\]\(\s*<?)([^()\s>]*(?:\([^()\s]*\)[^()\s>]*)*)")
_AUTOLINK = re.compile(r"<((?:javascript|data|vbscript):[^>]*)>", re.I)
# CommonMark lets a backslash escape any ASCII punctuation and nothing else, so escaping all
# of it leaves no syntax, whatever Streamlit's renderer adds (`:red[...]` directives,
# `:material/icon:`, `$` maths)...
_LITERAL = str.maketrans({c: "\\" + c for c in string.punctuation})
# ... except GFM's autolinks, which a real browser showed still live through the escapes
# (`https\:\/\/evil\.example` became a link): what looks like an address or an email is
# shown as code, which nothing turns into a link. A scheme or an email's name is looked for
# only where its run of letters starts: tried at every letter of a long run, each attempt read
# to the run's end (16,000 letters took 1.4 s, time growing with the square of the length).
_URLISH = re.compile(
    r"(?i)(?<![a-z0-9+.-])[a-z0-9+.-]+:/+[^\s()\[\]<>\"'`]*|\bwww\.[^\s()\[\]<>\"'`]*"
    r"|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
)
# `![alt](dest "title")`, `![alt][ref]`, `![alt][]`, `![alt]`: an image whose source kb can
# read; `bare` is any other unescaped `![` (brackets in the alt, a title across lines...).
_IMAGE = re.compile(
    r"""(?<!\\)(?P<pre>(?:\\\\)*)!\[(?P<alt>[^\[\]]*)\]"""
    r"""(?:\((?P<dest>\s*(?:<[^<>\n]*>|[^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*))"""
    r"""(?P<title>(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?\s*)\)"""
    r"""|\[(?P<ref>[^\[\]]*)\])?"""
    r"""|(?<!\\)(?P<bare>(?:\\\\)*)!\["""
)
# Reference definitions, also inside quotes and list items (any prefix): finding too many
# only blocks more images.
_DEFINITION = re.compile(r"^[ \t>*+\-\d.)]*\[([^\[\]]+)\]:\s*(<[^<>\n]*>|\S+)", re.M)
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
# ... and those a link may use, as CommonMark reads one (in quotes and list items, the target
# maybe on the next line): only these are rewritten, so no prose changes.
_LINK_DEFINITION = re.compile(
    r"^(?:[ \t]*(?:>|[*+-](?=[ \t])|\d{1,9}[.)](?=[ \t])))*[ \t]*\[(\s*[^\s\[\]][^\[\]]*)\]:"
    r"[ \t]*(?:\n[ \t>]*)?(<[^<>\n]*>|\S+)",
    re.M,
)
_BREAKS = re.compile(r"\s*[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]\s*")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Streamlit's renderer turns a " -- " (two hyphens standing alone, a command's end of
# options) into an em dash, escaped or not, so a copied command failed (a new-user trial);
# an emphasis around the second hyphen splits the pair, looks the same and copies as "--".
_LONE_DASHES = re.compile(r"(?<!\S)\\-\\-(?!\S)")
_ATX = re.compile(r"^( {0,3})(#{1,5})(?=[ \t]|$)", re.M)
_FENCED = re.compile(r" {0,3}(?:```|~~~)")


def literal(text: str) -> str:
    """Markdown that shows `text` exactly as written: for titles, names and URL values.

    On one line, without bidi embeddings, overrides or isolates: a line break in a title ended
    the card's bold link (the rest shown as raw Markdown), and an override left open reversed
    everything after it on the line.
    """
    text = _BIDI.sub("", _BREAKS.sub(" ", text))
    out: list[str] = []
    pos = 0
    for m in _URLISH.finditer(text):
        out.append(text[pos : m.start()].translate(_LITERAL))
        out.append(_code_span(m.group(0)))
        pos = m.end()
    out.append(text[pos:].translate(_LITERAL))
    return _LONE_DASHES.sub(r"\\-*\\-*", "".join(out))


def note_text(note: str) -> str:
    """A library note (written to sit in brackets after a CLI line) as a sentence of its
    own, escaped: "no search log is kept, ..." opened the barcamp's box in lower case."""
    return literal(note[:1].upper() + note[1:])


def contact_markdown(contact: str) -> str:
    """A people.yaml contact: an email as a mailto: link, an http(s) URL as a link, anything
    else (a chat handle) as text. Checked again here: the value may come over the API."""
    kind = contact_kind(contact)
    # A link's own text as plain text, not as code (`literal`): autolinks are not made
    # inside a link, so the address reads as the link it is.
    shown = _BIDI.sub("", _BREAKS.sub(" ", contact)).translate(_LITERAL)
    if kind == "email":
        return f"[{shown}](mailto:{contact})"
    if kind == "url":  # RFC 3986's characters only: a parenthesis is all that could end it
        return f"[{shown}]({contact.replace('(', '%28').replace(')', '%29')})"
    return literal(contact)


def _code_span(text: str) -> str:
    """`text` as an inline code span (a fence longer than any run of backticks inside)."""
    fence = "`" * (max((len(r) for r in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def is_stale(review_by: str, today: dt.date | None = None) -> bool:
    """True when a page's `review_by` date has passed (unparseable dates are not stale)."""
    try:
        due = dt.date.fromisoformat(review_by.strip()[:10])
    except ValueError:
        return False
    return due < (today or dt.date.today())


def safe_markdown(body: str, path: str = "", *, image_hosts: Collection[str] = ()) -> str:
    """A page body that renders as Markdown with no live HTML, script or unsafe link.

    Raw HTML tags are shown as text, link targets other than http(s), mailto and relative
    paths are dropped, template tags and comments removed; code is left exactly as written.
    Links to other Markdown pages become in-app links (`?page=...`) resolved against `path`.
    Images load only from relative paths and from `image_hosts`: any other becomes a link
    (`[image: alt](url)`), so a page cannot make every reader's browser call a tracker.
    """
    parts = split_code(clean_block(body, keep_links=True))
    hosts = {h.strip().casefold() for h in image_hosts if h.strip()}
    refs: dict[str, list[str]] = {}
    for part in parts[::2]:
        for label, dest in _DEFINITION.findall(part):
            refs.setdefault(_label(label), []).append(dest)
    for i in range(0, len(parts), 2):
        part = _IMAGE.sub(lambda m: _image(m, hosts, refs), parts[i])
        part = _AUTOLINK.sub(lambda m: m.group(1).replace(":", "&#58;", 1), part)
        part = _LINK_TARGET.sub(lambda m: _safe_target(m, path), part)
        part = _LINK_DEFINITION.sub(_safe_definition, part)
        parts[i] = _TAG.sub(lambda m: m.group(0).replace("<", "&lt;").replace(">", "&gt;"), part)
    return "".join(parts)


def _image(m: re.Match[str], hosts: set[str], refs: dict[str, list[str]]) -> str:
    if m["bare"] is not None:
        return m["bare"] + "\\!["  # an image kb cannot read is not loaded: text and a link
    pre, alt = m["pre"], m["alt"]
    if m["dest"] is not None:
        if _loads_safely(m["dest"], hosts):
            return m.group(0)
        return f"{pre}[image: {alt}]({m['dest']}{m['title']})"
    if m["ref"] is None and m.string[m.end() : m.end() + 1] in ("(", "["):
        return pre + "\\![" + m.group(0)[len(pre) + 2 :]  # `(` or `[` kb could not read
    # A full reference falls back to the alt as a shortcut when undefined: judge both.
    labels = [_label(alt)] + ([_label(m["ref"])] if m["ref"] else [])
    found = [dest for label in labels for dest in refs.get(label, [])]
    if found and all(_loads_safely(dest, hosts) for dest in found):
        return m.group(0)
    if found:
        return f"{pre}[image: {alt}]({found[0]})"
    return pre + "\\![" + m.group(0)[len(pre) + 2 :]  # no definition kb can see


def _label(label: str) -> str:
    return " ".join(label.split()).casefold()


def _loads_safely(dest: str, hosts: set[str]) -> bool:
    """Whether an image at `dest` loads from this kb (relative) or from a host in `hosts`."""
    # What the browser will see: Markdown unescaped, entities decoded, tabs and newlines gone.
    url = html.unescape(_ESCAPED.sub(r"\1", dest.strip().removeprefix("<").removesuffix(">")))
    url = re.sub(r"[\t\n\r]", "", url).strip("".join(map(chr, range(33))))
    if "\\" in url:
        return False  # browsers read `\` as `/`: `/\\host` and `https://a\\@b` hide a host
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").casefold()
    except ValueError:
        return False
    if not parts.scheme and not parts.netloc:
        return True
    return parts.scheme.lower() in ("http", "https") and host in hosts


def _followed(target: str) -> str:
    """A link target as the browser follows it: Markdown unescaped, entities decoded
    (`javascript&#58;`, `&colon;`), tabs, line breaks and edge controls gone."""
    url = html.unescape(_ESCAPED.sub(r"\1", target.strip().removeprefix("<").removesuffix(">")))
    return re.sub(r"[\t\n\r]", "", url).strip("".join(map(chr, range(33))))


def _unsafe(target: str) -> bool:
    """Whether a link target names a scheme other than http(s) or mailto (javascript:,
    data:, vbscript:, any other), as the browser reads it."""
    url = _followed(target)
    lower = url.lower()
    return not lower.startswith(("http://", "https://", "mailto:", "#")) and (
        ":" in url.split("/")[0]
    )


def _safe_definition(m: re.Match[str]) -> str:
    """A reference definition (`[x]: javascript:alert(1)`) whose target is unsafe points
    nowhere (`#`), as an inline link's does."""
    return m.group(0)[: m.start(2) - m.start()] + "#" if _unsafe(m.group(2)) else m.group(0)


def _safe_target(m: re.Match[str], path: str) -> str:
    target = m.group(2)
    if _unsafe(target):
        return m.group(1) + "#"  # javascript:, data:, vbscript:, any other scheme
    if _followed(target).lower().startswith(("http://", "https://", "mailto:", "#")):
        return m.group(0)
    file, _, anchor = target.partition("#")
    if file.lower().endswith((".md", ".markdown")):
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), file))
        return m.group(1) + "?page=" + quote(resolved) + (f"#{anchor}" if anchor else "")
    return m.group(0)


def page_markdown(
    title: str, body: str, path: str = "", *, image_hosts: Collection[str] = ()
) -> str:
    """`safe_markdown` of a page body without its leading `# Title` (the app shows the title),
    its headings one level down: the sections sit under the title (a `##` was drawn as large
    as the title), `###` under `##`."""
    lines = body.lstrip("\n").split("\n", 1)
    first = lines[0].strip()
    if first.startswith("# ") and first[2:].strip() == title.strip():
        body = lines[1] if len(lines) > 1 else ""
    return safe_markdown(_headings_down(body), path, image_hosts=image_hosts)


def _headings_down(body: str) -> str:
    """Every ATX heading outside code one level lower (`######` stays: there is none lower)."""
    out, prose = [], []
    for i, part in enumerate(split_code(body)):
        if i % 2 and _FENCED.match(part):  # a fenced block: its `#` lines are code
            out += [_ATX.sub(r"\1#\2", "".join(prose)), part]
            prose = []
        else:  # prose, or an inline code span inside a line of it
            prose.append(part)
    out.append(_ATX.sub(r"\1#\2", "".join(prose)))
    return "".join(out)


def tally(labels: Iterable[str]) -> dict[str, int]:
    """How often each label occurs, in order of first occurrence (a chart's bars)."""
    return dict(Counter(labels))


def bus_factor_counts(topics: Iterable[Topic]) -> dict[str, int]:
    """Topics per bus factor, 0 to 3 and 4 or more: every bar, even an empty one."""
    counts = dict.fromkeys(("0", "1", "2", "3", "4+"), 0)
    for t in topics:
        counts[str(t.bus_factor) if t.bus_factor < 4 else "4+"] += 1
    return counts


def side_counts(topics: Iterable[Topic]) -> dict[str, int]:
    """Topics by who writes them: one department only, both, people of no department (a
    bar only where there are such topics: an index may have no departments), or no author."""
    sides = {"IT only": 0, "Business only": 0, "both": 0, "no department": 0, "no author": 0}
    for t in topics:
        if not t.knowers:
            sides["no author"] += 1
        elif not t.departments:
            sides["no department"] += 1
        elif len(t.departments) > 1:
            sides["both"] += 1
        else:
            sides[f"{t.departments[0]} only"] = sides.get(f"{t.departments[0]} only", 0) + 1
    if not sides["no department"]:
        del sides["no department"]
    return sides
