"""The people directory: `people.yaml` at the top of the content folder, checked entry by entry.

`people.yml` is read too (people.yaml wins when both exist). A file named nearly so
(`People.yaml`, `PEOPLE.YML`, `people.yaml.txt`, `people.yaml.bak`: 'people' in any case,
then a suffix naming YAML) is not read, and a warning says to rename it: a directory that
is silently ignored would show people who withheld consent.

Optional. Each entry names a person and may give aliases, team, department (IT or Business),
role, what they are available for (mentoring, tandem, coffee, shadowing), a contact (an
email, a chat handle such as `@grace` or `slack:@grace`, or an http(s) URL: `contact_kind`),
`hide_from_expert_search`, the day they `left` the company, and the programme fields
(`kb.content.directory_fields`): level, started, location, timezone, languages, capacity
and `private:` balance attributes, which are kept only as group numbers.
A bad entry is reported as `people.yaml:line: message` and skipped; the others are kept.
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

from kb.content import directory_fields, yaml_safe
from kb.content.departments import WORDS_HINT, side_named
from kb.content.discover import read_page
from kb.content.front_matter import BOM
from kb.content.hiding import withheld_label
from kb.content.secrets import describe, redact
from kb.errors import ContentError
from kb.models import AVAILABILITY, Directory, Person, Problem, folded_key, person_key
from kb.models.consent import CONSENT_FIELD as _CONSENT
from kb.models.consent import clear_false, consent_field, reads_hidden, visible
from kb.models.pages import HIDDEN_NAME
from kb.models.people import contact_kind

FILE = "people.yaml"
NAMES = (FILE, "people.yml")  # read, in this order of preference
_MAX_BYTES = 5_000_000
_KEYS = {
    "name",
    "aliases",
    "team",
    "department",
    "role",
    "available_for",
    "contact",
    "hide_from_expert_search",
    "level",
    "started",
    "left",
    "location",
    "timezone",
    "languages",
    "capacity",
    "private",
}
# The programme fields and how each is read (the private attributes are read apart).
_FIELDS = {
    "level": directory_fields.level,
    "started": directory_fields.day,
    "left": directory_fields.day,
    "location": directory_fields.text,
    "timezone": directory_fields.timezone,
    "languages": directory_fields.languages,
    "capacity": directory_fields.capacity,
}
UNREADABLE = "cannot be read: "
_QUOTED = re.compile(r"'([^'\n]{1,200})'")  # a value a warning says back


def read_for_build(content_dir: Path) -> tuple[Directory, list[Problem]]:
    """Like `read_directory`, but a file that cannot be read at all stops the build.

    Without it kb cannot know who withheld consent, and building anyway would show them.
    """
    directory, problems = read_directory(content_dir)
    whole = [p for p in problems if p.message.startswith(UNREADABLE)]
    if whole:
        raise ContentError(
            f"{whole[0]}; the index was not changed: kb cannot tell who withheld consent "
            "until people.yaml reads"
        )
    return directory, problems


def read_directory(content_dir: Path) -> tuple[Directory, list[Problem]]:
    """The directory in `content_dir/people.yaml` (empty without the file) and its problems."""
    path, ignored = directory_files(content_dir)
    if path is None:
        return Directory(), ignored
    directory, problems = _read_file(content_dir, path)
    if path.name != FILE:  # messages are written with FILE: point them at the file read
        problems = [dataclasses.replace(p, path=path.name) for p in problems]
    return directory, problems + ignored


def directory_files(content_dir: Path) -> tuple[Path | None, list[Problem]]:
    """The people file to read (None without one), and a warning for each file not read."""
    try:
        names = sorted(os.listdir(content_dir))
    except OSError:
        return None, []
    present = [n for n in NAMES if n in names]
    chosen = present[0] if present else None
    ignored = [
        Problem(n, f"not read: the directory is read from {chosen} only; merge the two", 1)
        for n in present[1:]
    ]
    for name in names:
        stem, _, suffixes = name.partition(".")
        if name in NAMES or stem.casefold() != "people":
            continue
        if "yaml" in suffixes.casefold() or "yml" in suffixes.casefold():
            fix = f"rename it to {FILE}" if chosen is None else f"merge it into {chosen}"
            ignored.append(
                Problem(name, f"not read: kb reads only {FILE} (or people.yml); {fix}", 1)
            )
    return (content_dir / chosen if chosen else None), ignored


def _read_file(content_dir: Path, path: Path) -> tuple[Directory, list[Problem]]:
    data = read_page(content_dir, path, max_bytes=_MAX_BYTES)
    if isinstance(data, Problem):
        return Directory(), [Problem(FILE, f"{UNREADABLE}{data.message}", 1)]
    try:
        text = data.decode("utf-8").lstrip(BOM)  # YAML takes one byte order mark, not two
    except UnicodeDecodeError:
        return Directory(), [Problem(FILE, f"{UNREADABLE}not valid UTF-8; save it as UTF-8", 1)]
    try:
        # The size limit of front matter is not the directory's: checked by read_page above.
        node = yaml_safe.compose(text, max_bytes=_MAX_BYTES)
        lists = [(key, line) for key, line in _top_lines(node) if key in ("people", "<<")]
        if len(lists) > 1 or any(key == "<<" for key, _ in lists):
            # YAML keeps the last list (the first one's hidden people would show), and a list
            # merged in with '<<' has no lines of its own to point at.
            why = f"{UNREADABLE}'people:' is given twice or merged in with '<<'; write one list"
            return Directory(), [Problem(FILE, why, lists[-1][1])]
        if again := _field_given_twice(node):
            # YAML keeps the last copy: a hidden entry's first name or alias would be shown.
            field, line = again
            what = f"'{field}'" if field in _KEYS else "a field"
            why = f"{UNREADABLE}{what} is given twice in one person's entry; write it once"
            return Directory(), [Problem(FILE, why, line)]
        lines = _item_lines(node)  # before the values: reading them folds merge keys in
        data = yaml_safe.construct(node)
    except yaml_safe.YamlError as err:
        # The parser quotes the text it stopped at, which may be a private value: not shown.
        reason = re.sub(r"['\"].*", "'…'", err.reason, flags=re.S)
        why = f"{UNREADABLE}{'refused' if err.limit else 'invalid YAML'}: {reason}"
        if "'@' that cannot start" in err.reason:  # YAML reserves a leading @
            why += '; quote a chat handle: contact: "@grace"'
        return Directory(), [Problem(FILE, why, err.line)]
    if data is None:
        return Directory(), []
    entries = data.get("people") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        why = f"{UNREADABLE}expected a list of people (or 'people:' with one)"
        return Directory(), [Problem(FILE, why, 1)]
    people: list[Person] = []
    private: list[dict[str, str]] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    hidden_keys: set[str] = set()
    team_lines: dict[str, int] = {}
    for entry, (line, fields, hides) in zip(entries, lines, strict=True):
        person, found = _person(entry, line, fields, hides)
        problems.extend(found)
        if person is None:
            continue
        values, found = _private(entry, person.hidden, line, fields)
        problems.extend(found)
        person, leaked = _without_secrets(person, line, fields)
        problems.extend(leaked)
        clash = next((k for k in sorted(person.identities()) if k in seen), None)
        named = clash is not None and folded_key(clash) in hidden_keys
        shown = "a name" if person.hidden or named else f"'{clash}'"
        if clash is not None and person.hidden:
            # Consent wins a clash: the hidden entry is kept (and so hides the shared name).
            problems.append(Problem(FILE, f"{shown} is also a person at line {seen[clash]}", line))
        elif clash is not None:
            problems.append(
                Problem(FILE, f"{shown} is already a person at line {seen[clash]}; skipped", line)
            )
            continue
        if person.hidden:
            hidden_keys.update(folded_key(n) for n in (person.name, *person.aliases))
        seen.update(dict.fromkeys(person.identities(), line))
        team_lines[person.name] = fields.get("team", line)
        people.append(person)
        private.append(values)
    people = [
        dataclasses.replace(p, private=groups)
        for p, groups in zip(people, directory_fields.grouped(private), strict=True)
    ]
    # A name or alias that is also a hidden identity belongs to the hidden person alone.
    directory = Directory(tuple(visible(people)))
    if not directory.hidden():
        return directory, problems
    # A colleague's entry may name someone hidden ("role: Backup for Ines Park"), and a
    # warning may say back a value that does ("'Ines Park' is not a language"): both are
    # stored in the index and shown, so written without the name, as page text is.
    people = [_without_hidden_names(p, directory, team_lines) for p in directory.people]
    problems = [dataclasses.replace(p, message=_unnamed(p.message, directory)) for p in problems]
    return Directory(tuple(p for p, _ in people)), problems + [w for _, w in people if w]


def _without_hidden_names(
    person: Person, directory: Directory, team_lines: dict[str, int]
) -> tuple[Person, Problem | None]:
    """A visible person's entry with the names of people hidden written as `HIDDEN_NAME` in
    its role and location, and a team that names one dropped (a team is a label, as a
    page's: `kb.content.hiding`), with a warning then."""
    if person.hidden:
        return person, None
    role, location = (_unnamed(t, directory) for t in (person.role, person.location))
    dropped = bool(person.team) and directory.in_label(person.team)
    person = dataclasses.replace(
        person, role=role, location=location, team="" if dropped else person.team
    )
    if not dropped:
        return person, None
    line = team_lines.get(person.name)
    return person, Problem(FILE, f"{person.name}: {withheld_label('the team')}", line)


def _unnamed(text: str, directory: Directory) -> str:
    """`text` with every hidden name (`Directory.names_in`) and every quoted value that names
    someone hidden (`Directory.in_label`: "'ipark'") written as `HIDDEN_NAME`."""
    for a, b in reversed(directory.names_in(text) if text else []):
        text = text[:a] + HIDDEN_NAME + text[b:]
    return _QUOTED.sub(
        lambda m: f"'{HIDDEN_NAME}'" if directory.in_label(m.group(1)) else m.group(), text
    )


def _private(
    entry: object, hidden: bool, line: int, fields: dict[str, int]
) -> tuple[dict[str, str], list[Problem]]:
    """The entry's private attributes (none for someone hidden: they are not kept at all)."""
    if hidden or not isinstance(entry, dict) or entry.get("private") is None:
        return {}, []
    try:
        return directory_fields.private(entry["private"]), []
    except directory_fields.Refused as why:
        at = fields.get("private", line)
        return {}, [Problem(FILE, f"private ignored: {why}", at)]


def _without_secrets(
    person: Person, line: int, fields: dict[str, int]
) -> tuple[Person, list[Problem]]:
    """The entry with every credential in its text redacted (the directory is stored in the
    index and served), and a warning per credential at its field's line."""
    problems: list[Problem] = []

    def clean(key: str, value: str) -> str:
        text, found = redact(value)
        at = fields.get(key, line)
        problems.extend(Problem(FILE, describe(s, redacted=True), at) for s in found)
        return text

    cleaned = dataclasses.replace(
        person,
        name=clean("name", person.name),
        aliases=tuple(clean("aliases", a) for a in person.aliases),
        team=clean("team", person.team),
        role=clean("role", person.role),
        contact=clean("contact", person.contact),
        location=clean("location", person.location),
    )
    if not contact_kind(cleaned.contact):  # what is left of a URL once its token is gone
        cleaned = dataclasses.replace(cleaned, contact="")
    return cleaned, problems


def _top_lines(node: yaml_safe.Node | None) -> list[tuple[str, int]]:
    """Each top-level key of the file, with its line."""
    if not isinstance(node, yaml_safe.MappingNode):
        return []
    return [(str(k.value), k.start_mark.line + 1) for k, _ in node.value]


def _field_given_twice(node: yaml_safe.Node | None) -> tuple[str, int] | None:
    """The first field an entry of the list gives again, with the line of its second copy
    (the consent flag given twice has a rule of its own: `_item_lines`)."""
    if isinstance(node, yaml_safe.MappingNode):
        node = next((v for k, v in node.value if k.value == "people"), None)
    for item in node.value if isinstance(node, yaml_safe.SequenceNode) else ():
        seen: set[str] = set()
        for k, _ in item.value if isinstance(item, yaml_safe.MappingNode) else ():
            field = str(k.value)
            if field in seen and field != "<<" and not consent_field(field):
                return field, k.start_mark.line + 1
            seen.add(field)
    return None


def _item_lines(node: yaml_safe.Node | None) -> list[tuple[int, dict[str, int], bool]]:
    """The line of each entry of the list, the line of each of its fields, and whether it
    gives the consent flag (or a misspelling) more than once with a copy that is not `false`
    (none when the file holds no list of people: it is then refused for that)."""
    if isinstance(node, yaml_safe.MappingNode):
        node = next((v for k, v in node.value if k.value == "people"), None)
    if not isinstance(node, yaml_safe.SequenceNode):
        return []
    out = []
    for item in node.value:
        fields: dict[str, int] = {}
        flags: list[yaml_safe.Node] = []
        if isinstance(item, yaml_safe.MappingNode):
            fields = {str(k.value): k.start_mark.line + 1 for k, _ in item.value}
            flags = [v for k, v in item.value if consent_field(str(k.value))]
        hides = len(flags) > 1 and not all(map(clear_false, flags))
        out.append((item.start_mark.line + 1, fields, hides))
    return out


def _person(
    entry: object, line: int, fields: dict[str, int] | None = None, hides: bool = False
) -> tuple[Person | None, list[Problem]]:
    """`hides`: the entry's YAML gives the consent flag more than once, not always `false`."""
    if not isinstance(entry, dict):
        return None, [Problem(FILE, "each person is a mapping with at least 'name:'", line)]
    fields = fields or {}

    def at(field: str) -> int:  # a problem points at its field's line
        return fields.get(field, line)

    problems = []
    for key in entry:
        if key in _KEYS:
            continue
        if consent_field(str(key)):  # a misspelt consent flag still counts
            problems.append(Problem(FILE, f"'{key}' read as '{_CONSENT}'", at(str(key))))
            if _CONSENT not in entry or reads_hidden(entry[key]):  # the one that hides wins
                entry = {**entry, _CONSENT: entry[key]}
            continue
        known = ", ".join(sorted(_KEYS))
        problems.append(Problem(FILE, f"unknown field '{key}' ignored; known: {known}", at(key)))
    name = entry.get("name")
    if isinstance(name, list) and name and all(isinstance(n, str) for n in name):
        name = name[0]
    if (not isinstance(name, str) or not person_key(name)) and entry.get(_CONSENT):
        # A hidden entry is never skipped: any name it gives keeps it hidden.
        names = [a for a in _split(entry.get("aliases")) if person_key(a)]
        name = names[0] if names else name
    if not isinstance(name, str) or not person_key(name):
        return None, [*problems, Problem(FILE, "a person without a 'name:', skipped", line)]
    flag = entry.get(_CONSENT, False)
    hidden = reads_hidden(flag)
    if hides and not hidden:  # YAML keeps the last of a key given twice: any copy hides
        problems.append(Problem(FILE, f"'{_CONSENT}' is given twice; hidden", at(_CONSENT)))
        hidden = flag = True
    if not isinstance(flag, bool):
        problems.append(
            Problem(
                FILE,
                "hide_from_expert_search should be true or false; hidden",
                at("hide_from_expert_search"),
            )
        )
    # Messages land in the index's manifest: they never name someone hidden.
    label = "(hidden person)" if hidden else name
    aliases = _strings(entry.get("aliases"), "aliases", label, at("aliases"), problems)
    if hidden and not aliases:
        aliases = [a for a in _split(entry.get("aliases")) if a != name]  # keep what reads
    available = _strings(
        entry.get("available_for"), "available_for", label, at("available_for"), problems
    )
    unknown = [a for a in available if a not in AVAILABILITY]
    if unknown:
        problems.append(
            Problem(
                FILE,
                f"{label}: available_for {', '.join(unknown)} ignored; "
                f"use {', '.join(AVAILABILITY)}",
                at("available_for"),
            )
        )
    department = str(entry.get("department") or "").strip()
    if department and not side_named(department):
        problems.append(
            Problem(
                FILE,
                f"{label}: department '{department}' ignored; use {WORDS_HINT}",
                at("department"),
            )
        )
        department = ""
    contact = entry.get("contact") or ""
    if contact and not (isinstance(contact, str) and contact_kind(contact.strip())):
        # The value is not repeated: it may hold a password, or a hidden person's address.
        problems.append(
            Problem(
                FILE,
                f"{label}: contact ignored; use an email, @handle or https:// URL",
                at("contact"),
            )
        )
        contact = ""
    read = {}
    for key, reader in _FIELDS.items():
        if hidden or entry.get(key) is None:  # nothing of a hidden person is kept
            continue
        try:
            read[key] = reader(entry[key])
        except directory_fields.Refused as why:
            problems.append(Problem(FILE, f"{label}: {key} ignored: {why}", at(key)))
    if hidden and contact_kind(contact.strip()) == "email":
        # Not kept as a contact, but it is theirs: a page by "Izzy <it>" is theirs too.
        aliases = [*aliases, contact.strip()]
    person = Person(
        **read,
        name=name.strip(),
        aliases=tuple(aliases),
        team=str(entry.get("team") or "").strip(),
        department=side_named(department),
        role=str(entry.get("role") or "").strip(),
        available_for=tuple(a for a in available if a in AVAILABILITY),
        # Only an empty list said outright opts out: an entry without the key may be there
        # for a role or a team alone.
        opted_out=isinstance(entry.get("available_for"), list | str) and not available,
        contact="" if hidden else contact.strip(),  # kept nowhere, not even in memory
        hidden=hidden,
    )
    return person, problems


def _split(value: object) -> list[str]:
    """Strings of a list, or of a comma-separated string; anything else is dropped."""
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]
    return []


def _strings(value: object, field: str, name: str, line: int, problems: list) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = _split(value)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(Problem(FILE, f"{name}: {field} should be a list of words; ignored", line))
        return []
    return [v.strip() for v in value if v.strip()]
