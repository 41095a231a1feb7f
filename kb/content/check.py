"""Content checks for pull requests: front matter, links, titles, reviews and leaked secrets.

Errors are what must not be merged (a broken link, an invalid date, a leaked key); warnings
are what a reviewer should look at (an overdue review, a duplicate title, a page with no
author anywhere). Every finding points at a file and line.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from kb.config import Settings
from kb.content.authors import Identities, front_matter_people, unlisted
from kb.content.chunk import duplicate_sections
from kb.content.directory import UNREADABLE, directory_files, read_directory
from kb.content.discover import SECRET_IN_NAME, find_pages, read_page
from kb.content.front_matter import DRAFT, key_line, read_front_matter
from kb.content.git_history import SHALLOW, GitHistory, split_name_email
from kb.content.hiding import HIDDEN_IN_NAME, unnamed_path, without_hidden_paths
from kb.content.linking import link_target, page_named
from kb.content.parse import NO_DATE, NO_SIDE, NOT_TEXT, date_of, links, parse_markdown
from kb.content.secrets import describe, find_secrets
from kb.models import Directory, Document, Finding, Problem, dated_ahead, review_too_far
from kb.models.names import printable_name
from kb.models.pages import REVIEW_CYCLES_AHEAD

DATE_KEYS = ("updated", "date", "review_by")
LIST_KEYS = ("authors", "tags")


def check_content(
    content_dir: Path,
    *,
    today: dt.date | None = None,
    max_page_bytes: int = Settings.max_page_bytes,
    stale_after_days: int = Settings.stale_after_days,
) -> list[Finding]:
    """Every finding in the Markdown pages under `content_dir`, sorted by file and line.
    `max_page_bytes`: a page over it is skipped, as `kb index` skips it (`Settings`' limit,
    not a second constant). `stale_after_days`: a page's next review is due this long after
    its last change when it gives no `review_by` (the gap report's stale rule)."""
    today = today or dt.date.today()
    found = find_pages(content_dir)
    history = GitHistory(content_dir)
    directory, people_problems = read_directory(content_dir)
    # An unreadable directory cannot say who withheld consent: no owner is named then.
    blind = any(p.message.startswith(UNREADABLE) for p in people_problems)
    # As a build reads them: no page whose path names someone hidden, nor such a tag or team.
    withheld = directory.in_label if directory.hidden() else None
    if withheld is not None:
        found = without_hidden_paths(found, withheld)
    findings: list[Finding] = [_skipped(p) for p in found.problems]
    # The teams a page may name: people.yaml's, and the top folders pages are filed under.
    teams = {p.team.casefold() for p in directory.people if p.team}
    teams |= {rel.split("/")[0].casefold() for rel in found.rels if "/" in rel}
    titles: dict[str, list[tuple[str, int]]] = defaultdict(list)
    pages: dict[str, set[str]] = {}  # path -> heading anchors, for links between pages
    page_links: list[tuple[str, str, int]] = []
    read: list[tuple[str, Document, dict[str, int]]] = []  # asked about authors once all are
    for rel, file in zip(found.rels, found.files, strict=True):
        raw = read_page(content_dir, file, max_bytes=max_page_bytes)
        if isinstance(raw, Problem):
            findings.append(_skipped(raw))
            continue
        doc, problems = parse_markdown(raw, rel, withheld, drafts=True)
        for p in problems:
            error = doc is None or "YAML" in p.message or "front matter" in p.message
            if "no title" in p.message:
                error = True
            if p.message.startswith(DRAFT):  # checked all the same, before it is published
                findings.append(Finding(p.path, p.line or 1, "warning", "draft", p.message))
                continue
            if p.message.endswith((NO_DATE, NO_SIDE)) or NOT_TEXT in p.message:  # parser's
                findings.append(Finding(p.path, p.line or 1, "error", "front-matter", p.message))
                continue
            findings.append(_finding(p.path, p.line or 1, "error" if error else "warning", p))
        if doc is None:
            continue
        # Line ends as the parser and `kb index` count them: an old Mac file ends lines with
        # CR alone, and its secret was "line 1" here, line 14 in the index's warning.
        text = raw.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
        findings.extend(_secrets(rel, text))
        meta, body_start, _ = read_front_matter(text, rel)
        lines = text.split("\n")
        key_lines = {str(k): key_line(lines, body_start - 1, str(k)) for k in meta}
        findings.extend(
            _schema(rel, meta, key_lines, today, directory, stale_after_days, blind=blind)
        )
        if not blind:
            changed = date_of(meta.get("updated") or meta.get("date") or "")
            changed = changed or date_of(history.last_changed(file, rel))
            next_review = _next_review(meta, changed, stale_after_days, today)
            findings.extend(_owner_leaving(rel, meta, key_lines, today, directory, next_review))
        for p in duplicate_sections(doc):
            findings.append(Finding(p.path, p.line or 1, "warning", "duplicate-section", p.message))
        read.append((rel, doc, key_lines))
        if not doc.authors and not history.authors_of(file, rel):
            findings.append(
                Finding(rel, 1, "warning", "authors", "no authors in the front matter or git")
            )
        titles[doc.title.casefold()].append((rel, key_lines.get("title", 1)))
        pages[rel] = _anchors(doc)
        body = "\n".join(lines[body_start:])
        page_links.extend((rel, href, line) for href, line in links(body, body_start))

    if directory.people and not blind:
        hides = _hides_author(directory, [doc for _, doc, _ in read], history)
        said = unlisted(directory)  # as `kb index` says it
        for rel, doc, key_lines in read:
            findings.extend(_unlisted(rel, doc, key_lines, said, teams, hides))
        findings.extend(_unlisted_committers(content_dir, read, directory, history, hides))
    credited = [
        rel
        for rel, doc, _ in read
        if not doc.authors and history.authors_of(content_dir / rel, rel)
    ]
    if credited and history.shallow:
        findings.append(Finding(min(credited), 1, "warning", "authors", SHALLOW))
    findings.extend(_people_secrets(content_dir))
    for p in people_problems:
        if p.message.startswith("possible "):
            continue  # a credential, reported above as a 'secret' error
        # A person the directory could not take is an error; an ignored detail a warning.
        error = p.message.startswith("cannot be read") or any(
            w in p.message for w in ("skipped", "invalid YAML", "UTF-8", "expected a")
        )
        severity = "error" if error else "warning"
        findings.append(Finding(p.path, p.line or 1, severity, "people", p.message))
    for href_page, href, line in page_links:
        # A link to a page not read for its name says it back without her name.
        shown = unnamed_path(href, withheld) if withheld is not None else href
        message = _broken(href_page, href, pages, content_dir, shown)
        if message:
            findings.append(Finding(href_page, line, "error", "link", message))
    for same in titles.values():
        for rel, line in same if len(same) > 1 else ():
            others = ", ".join(printable_name(p) for p, _ in same if p != rel)
            findings.append(
                Finding(rel, line, "warning", "duplicate-title", f"same title as {others}")
            )
    return sorted(findings, key=lambda f: (f.path, f.line, f.rule))


def _hides_author(
    directory: Directory, docs: Sequence[Document], history: GitHistory
) -> Callable[[str], bool]:
    """Whether a front-matter author is someone hidden, under any name that shares an email
    (or a `.mailmap` entry) with them on any page or in git, as a build reads them
    (kb.content.pages): "Izzy <izzy@x.org>" is hidden "Inés Park <izzy@x.org>"."""
    people = Identities()
    for name, email in history.identities():
        people.add(name, email)
    for doc in docs:
        for name, email in front_matter_people(doc.authors, history):
            people.add(name, email)

    def hides(author: str) -> bool:
        name, email = split_name_email(author)
        return any(directory.hides(n, e) for n, e in people.members(name, email))

    return hides


def _unlisted(
    rel: str,
    doc: Document,
    key_lines: dict[str, int],
    said: Callable[[str], str],
    teams: set[str],
    hides: Callable[[str], bool],
) -> list[Finding]:
    """With a people.yaml: a team no one is in and no folder is named for (a typo such as
    'finanse' makes a team of its own), and an author people.yaml does not list (kb shows
    no role, team or availability for them). A hidden person (`hides`) is never named."""
    out = []
    team = doc.team if key_lines.get("team") else ""
    if team and team.casefold() not in teams:
        close = difflib.get_close_matches(team.casefold(), sorted(teams), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        message = f"team '{team}' is no one's team in people.yaml nor a folder{hint}"
        out.append(Finding(rel, key_lines["team"], "warning", "team", message))
    line = doc.authors_line
    for author in doc.authors:
        message = said(author.name)
        if message and not hides(author.name):
            out.append(Finding(rel, line, "warning", "people", message))
    return out


def _unlisted_committers(
    content_dir: Path,
    read: Sequence[tuple[str, Document, dict[str, int]]],
    directory: Directory,
    history: GitHistory,
    hides: Callable[[str], bool],
) -> list[Finding]:
    """Each author by git history (of a page whose front matter names none) people.yaml
    does not list, once, on the first page they are credited on, as `kb index` says it: a
    "Release Bot" commit made an expert without a word (an admin trial). Spellings are
    joined as a build joins them: people.yaml's names and aliases first, then git's."""
    people = Identities()
    for person in directory.people:
        for alias in ("", *person.aliases):
            people.add(person.name, alias)
    for name, email in history.identities():
        people.add(name, email)
    first: dict[str, str] = {}
    for rel, doc, _ in sorted(read, key=lambda page: page[0]):
        if doc.authors:
            continue
        for name, email, _ in history.authors_of(content_dir / rel, rel):
            if not hides(f"{name} <{email}>" if email else name):
                first.setdefault(people.resolve(name, email), rel)
    said = unlisted(directory)
    return [
        Finding(rel, 1, "warning", "people", message)
        for name, rel in first.items()
        if (message := said(name, by_git=True))
    ]


def _skipped(problem: Problem) -> Finding:
    """A file kb does not read (a link out of the folder, a fifo, a page over the limit)."""
    if problem.message.startswith(SECRET_IN_NAME):
        return Finding(problem.path, problem.line or 1, "error", "secret", problem.message)
    if problem.message.startswith(HIDDEN_IN_NAME):  # not indexed: rename it
        return Finding(problem.path, problem.line or 1, "error", "people", problem.message)
    return Finding(problem.path, problem.line or 1, "warning", "file", problem.message)


def _finding(path: str, line: int, severity: str, problem) -> Finding:
    return Finding(path, line, severity, "parse", problem.message)


def _schema(
    rel: str,
    meta: dict,
    key_lines: dict[str, int],
    today: dt.date,
    directory: Directory,
    stale_after_days: int,
    *,
    blind: bool = False,
) -> list[Finding]:
    out: list[Finding] = []

    def bad(key: str, message: str, severity: str = "error") -> None:
        out.append(Finding(rel, key_lines.get(key, 1), severity, "front-matter", message))

    if "title" in meta and not str(meta.get("title") or "").strip():
        bad("title", "'title' is empty")
    for key in LIST_KEYS:
        value = meta.get(key)
        if value is not None and not isinstance(value, str | list):
            bad(key, f"'{key}' must be a list or a comma-separated text")
        if isinstance(value, list) and not all(isinstance(v, str | dict) for v in value):
            bad(key, f"every entry of '{key}' must be text")
    for key in DATE_KEYS:
        if key not in meta or meta[key] is None:
            continue
        date = date_of(meta[key])  # no date: a parse error, as `kb index` warns of it
        page_date = key == "updated" or date_of(meta.get("updated") or "") is None
        if date is not None and key != "review_by" and page_date and dated_ahead(date, today):
            bad(key, f"'{key}' is {date.isoformat()}, after today; write the day it last changed")
        if (
            date is not None
            and key == "review_by"
            and review_too_far(date, today, stale_after_days)
        ):
            bad(
                key,
                f"'review_by' is {date.isoformat()}, more than "
                f"{REVIEW_CYCLES_AHEAD * stale_after_days} days ahead; it counts as no review "
                f"date (the page is stale {stale_after_days} days after its last change): "
                "write the day it will next be reviewed",
                "warning",
            )
        if date is not None and key == "review_by" and date < today:
            owner = _owner(meta)
            if blind or (owner and directory.hides(*split_name_email(owner))):  # no consent
                owner = "its owner"
            owner = owner or "its authors"
            if directory.left_on(owner, today):  # no one is sent to them (a new-user trial)
                owner = f"its team ({owner}, its owner, has left)"
            elif leaves := directory.leaves_on(owner, today):  # before they go
                owner = f"{owner} (who leaves on {leaves})"
            out.append(
                Finding(
                    rel,
                    key_lines.get(key, 1),
                    "warning",
                    "review-due",
                    f"review was due on {date.isoformat()}; ask {owner} to review the page "
                    "or move the date",
                )
            )
    return out


def _owner(meta: dict) -> str:
    """Who answers for a page: its `owner:`, else its first author (an email in angle
    brackets left out); "" when it names no one."""
    authors = meta.get("authors") or meta.get("author")
    first = authors[0] if isinstance(authors, list) and authors else authors
    owner = meta.get("owner") or (first if isinstance(first, str) else "") or ""
    return re.sub(r"\s*<[^>]*>", "", str(owner)).strip()


def _next_review(
    meta: dict, changed: dt.date | None, after_days: int, today: dt.date
) -> dt.date | None:
    """When the page is next due for review: its `review_by` (unless too far ahead to count:
    `review_too_far`), else `after_days` after its last change (the gap report's stale
    rule); None when it says neither."""
    due = date_of(meta.get("review_by") or "")
    if due is not None and review_too_far(due, today, after_days):
        due = None
    if due is None and changed is not None:
        # A change dated near the calendar's end (`updated: 9999-12-31`) is due on its last day.
        due = changed + dt.timedelta(days=min(after_days, (dt.date.max - changed).days))
    return due


def _owner_leaving(
    rel: str,
    meta: dict,
    key_lines: dict[str, int],
    today: dt.date,
    directory: Directory,
    next_review: dt.date | None,
) -> list[Finding]:
    """A warning when the page's owner will not be there for its next review: they have
    left, or leave (people.yaml's `left:`) on or before the day it is due, or it gives no
    day at all. A review already due says so itself ("review-due"), naming who to ask."""
    owner = _owner(meta)
    if not owner or directory.hides(*split_name_email(owner)):
        return []
    if next_review is not None and next_review < today:
        return []  # the review-due warning (or, past a year unchanged, the gap report)
    gone, leaves = directory.left_on(owner, today), directory.leaves_on(owner, today)
    if next_review is not None and leaves and date_of(leaves) > next_review:
        return []  # still here for it: they review it, then hand it over
    if not gone and not leaves:
        return []
    when = f"left on {gone}" if gone else f"leaves on {leaves}"
    review = (
        f"its next review is due on {next_review.isoformat()}"
        if next_review
        else "it gives no review date"
    )
    key = next((k for k in ("owner", "authors", "author") if k in key_lines), "title")
    return [
        Finding(
            rel,
            key_lines.get(key, 1),
            "warning",
            "owner-leaving",
            f"its owner {owner} {when} and {review}: name an owner who stays ('owner:')",
        )
    ]


def _people_secrets(content_dir: Path) -> list[Finding]:
    """Credentials in the people directory (kb index redacts them; a review should remove them)."""
    path, _ = directory_files(content_dir)
    data = read_page(content_dir, path) if path is not None else None
    if not isinstance(data, bytes):
        return []  # none, or unreadable: the people rule reports that
    return _secrets(path.name, data.decode("utf-8", "replace"))


def _secrets(rel: str, text: str) -> list[Finding]:
    return [Finding(rel, s.line, "error", "secret", describe(s)) for s in find_secrets(text)]


def _anchors(doc) -> set[str]:
    """Anchors of a page's headings, as GitHub and as kramdown-style generators make them
    (punctuation dropped, or turned into hyphens); repeats get -1, -2 ..."""
    seen: dict[str, int] = {}
    out: set[str] = set()
    headings = [doc.title] + [s.heading_path[-1] for s in doc.sections if s.heading_path]
    for heading in headings:
        explicit = re.search(r"\{#([\w-]+)\}\s*$", heading)  # kramdown: ## Set up {#set-up}
        if explicit:
            out.add(explicit.group(1).lower())
            heading = heading[: explicit.start()]
        text = heading.strip().lower()
        dropped = re.sub(r"[^\w\- ]", "", text).replace(" ", "-")
        dashed = re.sub(r"-{2,}", "-", re.sub(r"[^\w-]", "-", text)).strip("-")
        for slug in {dropped, dashed}:
            n = seen.get(slug, 0)
            seen[slug] = n + 1
            out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def _broken(
    page: str, href: str, pages: dict[str, set[str]], content_dir: Path, shown: str = ""
) -> str:
    """Why a link from `page` is broken, or '' (external and template links are not judged);
    `shown`: the link as the message says it (`href` itself by default)."""
    said = shown or href
    named = link_target(page, href)
    if named is None:
        return ""
    target, anchor = named
    if target.startswith("../"):
        return f"link to '{said}' points outside the content folder"
    found = page_named(target, pages)
    if found is None:
        if (content_dir / target).exists():
            return ""  # an image, a PDF or a folder that exists
        kind = "page" if target.endswith((".md", ".markdown")) else "file"
        return f"broken link to '{said}': no such {kind}"
    if anchor and anchor.lower() not in pages[found]:
        return f"broken link to '{said}': no heading '#{said.rpartition('#')[2]}' in {found}"
    return ""
