"""The content's values, from a file to a search result: pages, sections, chunks, hits."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date

from kb.models.names import counted, person_key, printable, printable_name, spoken

# How a hidden person's name is written in page text (kb.content.hiding): shown, but no word
# of the index, so that no search lists the pages that name someone hidden (a review).
HIDDEN_NAME = "[hidden person]"


def embed_header(title: str, heading_path: tuple[str, ...]) -> str:
    return " > ".join((title, *heading_path))


@dataclass(frozen=True)
class Problem:
    """A warning about one input file, reported as `path:line: message`."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = printable_name(self.path) + (f":{self.line}" if self.line else "")
        return printable(f"{where}: {self.message}")  # a name may hold a line break


@dataclass(frozen=True)
class Finding:
    """One result of `kb check`: an error blocks a merge, a warning asks for a look."""

    path: str
    line: int
    severity: str  # "error" or "warning"
    rule: str  # parse, front-matter, draft, authors, link, duplicate-title, review-due, secret
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message} [{self.rule}]"


@dataclass(frozen=True)
class Author:
    """A person credited with a share of a page (shares of a page sum to 1)."""

    name: str
    share: float = 1.0
    email: str = ""


@dataclass(frozen=True)
class Source:
    """One indexed file as last read: what an incremental run needs to skip reading it again."""

    path: str
    hash: str  # sha256 of the file's bytes
    declared: tuple[Author, ...] = ()  # authors as the front matter lists them, unresolved
    problems: tuple[Problem, ...] = ()  # parse and chunking warnings: they depend on the bytes
    authors: tuple[Author, ...] = ()  # as resolved when the index was built
    rows: tuple[int, int] = (0, 0)  # its chunks' rows [start, end) in that index
    chunk_bytes: tuple[int, int] = (0, 0)  # where those rows' lines are in the chunks file
    page_bytes: tuple[int, int] = (0, 0)  # where its line is in the pages file
    authors_line: int = 1  # Document.authors_line: a kept page's author warning points there


@dataclass(frozen=True)
class Section:
    """A heading and the text under it, up to the next heading of any level."""

    heading_path: tuple[str, ...]
    text: str
    line_start: int  # 1-based line of the heading (or of the first body line)
    line_end: int


@dataclass(frozen=True, kw_only=True)
class PageInfo:
    """What a page says about itself, carried by the page and by every chunk of it.

    Declared once here: `Document`, `Chunk` and `Page` extend it, and `page_info(x)` hands the
    fields from one to the next, so a new page field is added in one place.
    """

    team: str = ""
    tags: tuple[str, ...] = ()
    authors: tuple[Author, ...] = ()
    updated: str = ""
    review_by: str = ""
    department: str = ""  # "IT" or "Business"; from front matter or the team (see departments)


PAGE_INFO = tuple(f.name for f in fields(PageInfo))


def dated_ahead(day: date, today: date) -> bool:
    """Whether `day`, given as a page's last change, is still to come: after tomorrow (a day
    for time zones). No page changed then: a typo (`2062` for `2026`), or `9999-12-31`
    written so that the page is never stale."""
    return day.toordinal() > today.toordinal() + 1


# How many review cycles (`Settings.stale_after_days`) ahead a review date may promise: past
# that it promises nothing (`review_by: 9999-12-31` kept a page from ever going stale).
REVIEW_CYCLES_AHEAD = 2


def review_too_far(day: date, today: date, after_days: int) -> bool:
    """Whether `review_by` `day` is further ahead than a review date may promise: more than
    `REVIEW_CYCLES_AHEAD` times `after_days` (the stale rule's year) after `today`."""
    return day.toordinal() > today.toordinal() + REVIEW_CYCLES_AHEAD * after_days


def page_info(value: PageInfo) -> dict:
    """The page fields of a Document, Chunk or Page, as keywords for the next one."""
    return {name: getattr(value, name) for name in PAGE_INFO}


@dataclass(frozen=True)
class Document(PageInfo):
    """One parsed Markdown page."""

    path: str  # relative to the content folder, with forward slashes
    title: str
    sections: tuple[Section, ...]
    content_hash: str
    owner: str = ""
    authors_line: int = 1  # of the front matter key naming them, for messages about an author
    summary: str = ""  # front matter description/summary/subtitle/keywords
    body: str = ""  # the Markdown after the front matter, for display


@dataclass(frozen=True)
class Chunk(PageInfo):
    """A piece of one section, small enough for the model; the unit that is embedded."""

    id: str
    path: str
    title: str
    heading_path: tuple[str, ...]
    text: str  # the section text of this piece, for display
    line: int

    @property
    def heading(self) -> str:
        return " > ".join(self.heading_path)

    @property
    def embed_text(self) -> str:
        """What the model sees and BM25 indexes: the page title and heading path give a piece
        its context; a hidden person's name, written out, is not there at all."""
        text = embed_header(self.title, self.heading_path) + "\n" + self.text
        return text.replace(HIDDEN_NAME, "") if HIDDEN_NAME in text else text


@dataclass(frozen=True)
class Filters:
    """Restrictions on which chunks may be returned; empty fields mean no restriction."""

    department: str = ""
    # One team, or any of several ("who in finance or sales knows": a trial could not ask).
    team: str | tuple[str, ...] = ""
    tag: str = ""
    author: str = ""
    updated_since: str = ""  # ISO date: only pages updated on or after it

    @property
    def teams(self) -> tuple[str, ...]:
        """The teams a page may be of (none: any)."""
        return (self.team,) if isinstance(self.team, str) else self.team

    def allows(self, chunk: PageInfo) -> bool:
        """Whether a chunk or page (its page fields) passes."""
        if self.department and chunk.department.casefold() != self.department.casefold():
            return False
        teams = self.teams
        if any(teams) and chunk.team.casefold() not in {t.casefold() for t in teams}:
            return False
        if self.tag and self.tag.casefold() not in {t.casefold() for t in chunk.tags}:
            return False
        if self.updated_since and not (chunk.updated and chunk.updated >= self.updated_since):
            return False
        if self.author:
            return person_key(self.author) in {person_key(a.name) for a in chunk.authors}
        return True

    @property
    def active(self) -> bool:
        return any(getattr(self, f) for f in FILTER_FIELDS)

    def describe(self) -> str:
        """The filters in words: "in IT, tagged onboarding" ("here" when none is set)."""
        parts = [f"in {v}" for v in (self.department, " or ".join(self.teams)) if v]
        parts += [f"tagged {self.tag}"] if self.tag else []
        parts += [f"by {self.author}"] if self.author else []
        parts += [f"updated since {self.updated_since}"] if self.updated_since else []
        return ", ".join(parts) or "here"

    def without(self, name: str) -> Filters:
        return replace(self, **{name: ""})


FILTER_FIELDS = ("department", "team", "tag", "author", "updated_since")


@dataclass(frozen=True)
class Snippet:
    """An excerpt of a section for display, and where in it the answering sentence is."""

    text: str
    answer: tuple[tuple[int, int], ...] = ()  # (start, end) character spans of `text`
    # How likely the section's best unit answers: its score by meaning and words
    # (kb.search.snippet), comparable between the sections of one search.
    best: float = 0.0
    kind: bool = False  # the marked unit holds the kind of answer asked (answer_types)
    band: bool = False  # the marked unit's band holds an amount the question gives (bands)


@dataclass(frozen=True)
class Hit:
    """A chunk returned for a query, with its similarity score and a display snippet."""

    chunk: Chunk
    score: float  # the ranking score of the retrieval mode used (fused for hybrid)
    snippet: str = ""
    similarity: float = 0.0  # cosine similarity of query and chunk, whatever the mode
    coverage: float = 0.0  # share of the query's information (IDF) the section holds
    confidence: float = 0.0  # calibrated probability that it answers (kb.search.relevance)
    relevant: bool = False  # confidence at or above the floor
    answer: tuple[tuple[int, int], ...] = ()  # spans of `snippet`: the sentence that answers
    best_unit: float = 0.0  # `Snippet.best`: how likely the section's best unit answers
    answer_kind: bool = False  # `Snippet.kind`: the mark holds the kind of answer asked
    answer_band: bool = False  # `Snippet.band`: the mark's band holds the amount asked
    # Relevant as a lookup: the query is codes alone and the section holds every one
    # (kb.search.relevance), so its confidence is the floor, not a guess of the model's.
    lookup: bool = False
    # Relevant by holding every code a question names (`PII_READER` in "how do I get
    # PII_READER"), the floor, not the model, making it so (kb.search.relevance).
    named: bool = False
    # A section under a heading the page template repeats that names someone ("Contacts":
    # "AP: Oliver Grant"): it says whom to ask, so it credits its authors with nothing, as
    # in the expert vote (kb.search.boilerplate). Set by the knowledge base, not by search.
    says_whom: bool = False

    @property
    def answer_text(self) -> str:
        """The marked sentence(s) of the snippet, joined; empty when none is marked."""
        return " … ".join(self.snippet[a:b] for a, b in self.answer)

    @property
    def percent(self) -> str:
        """The confidence as people read it, "1%" to "99%": a calibrated guess is never
        certain, and a rounded 100% would say it is."""
        return f"{min(max(self.confidence, 0.01), 0.99):.0%}"


def main_authors(
    hits: Sequence[Hit],
    most: int,
    least: float = 0.0,
    may: Callable[[str], bool] = lambda name: True,
) -> list[str]:
    """The main author (largest share) of each page among `hits` with a confidence of at
    least `least`, nearest page first, each person once, `most` at most: who could write the
    page a search did not find. Only authors `may` allows count (not who has left), and no
    section that says whom to ask (`Hit.says_whom`), as it votes for no one."""
    names: dict[str, str] = {}
    seen: set[str] = set()
    for hit in hits:
        authors = [a for a in hit.chunk.authors if may(a.name)]
        if hit.chunk.path in seen or not authors or hit.confidence < least or hit.says_whom:
            continue
        seen.add(hit.chunk.path)
        name = max(authors, key=lambda a: a.share).name
        names.setdefault(person_key(name), name)
        if len(names) == most:
            break
    return list(names.values())


@dataclass(frozen=True)
class Results(Sequence[Hit]):
    """The hits for a query in the order a reader is shown them (`kb.search.cards.reading_order`):
    the relevant ones first, in rank order but a page's contents list after its sections, then
    the rest.

    A sequence of its hits. `corrected` is the query searched instead of `query` when
    spelling correction changed it; `elsewhere` counts, by department, the pages outside the
    filters that answer when no page inside them does.
    """

    hits: tuple[Hit, ...] = ()
    query: str = ""
    corrected: str = ""
    elsewhere: tuple[tuple[str, int], ...] = ()

    def __getitem__(self, i):  # type: ignore[override]
        return self.hits[i]

    def __len__(self) -> int:
        return len(self.hits)

    @property
    def searched(self) -> str:
        """The query the hits are for."""
        return self.corrected or self.query

    @property
    def relevant(self) -> tuple[Hit, ...]:
        return tuple(h for h in self.hits if h.relevant)

    def elsewhere_note(self, filters: Filters) -> str:
        """ "Nothing in IT answers this; 1 Business page does." ("" when nothing is hidden)."""
        return (
            f"Nothing {filters.describe()} answers this; {self.elsewhere_pages()}."
            if self.elsewhere
            else ""
        )

    def unwritten_note(
        self, near: float = 1.0, gone: Callable[[str], bool] = lambda name: False
    ) -> str:
        """What to say when no one is listed as knowing the query: "kb found no one who has
        written about this." (not "No one has ... yet": a trial read it as a claim when the
        search had missed the page), unless a page comes near it in meaning (a hit's
        confidence `near` or more): then that page and who wrote it, as "who could write it"
        names them; or unless a page uses its every word without answering it (one word the
        model cannot read alone, "minibar"): then who wrote that page, so the panel does not
        deny what a card beside it shows (a trial). Nearness first: "who is on call this
        week" named the sales page saying "weekly forecast call", beside the on-call rota's
        author named as who could write the page (a trial). Authors `gone` holds (who has
        left) are not named: the panel answers "who knows", and they are no one to ask
        (a review)."""
        # A "Contacts" section near it names whom to ask, not who wrote on it (`says_whom`).
        close = self._pages(lambda h: not h.relevant and not h.says_whom and h.confidence >= near)
        using = self._pages(lambda h: not h.relevant and not h.says_whom and h.coverage >= 1.0)
        shown = close or using
        if not shown:
            return "kb found no one who has written about this."
        titles = " and ".join(f"“{h.chunk.title}”" for h in shown)
        authors = (a.name for h in shown for a in h.chunk.authors if not gone(a.name))
        names = list({person_key(name): name for name in authors}.values())
        by = f", by {spoken(names[:3])}" if names else ""
        one = len(shown) == 1
        said = (
            ("comes" if one else "come") + " nearest"
            if close
            else ("uses" if one else "use") + " its words"
        )
        return f"No one has written about this as a topic; {titles} {said}{by}."

    def _pages(self, keep: Callable[[Hit], bool]) -> list[Hit]:
        """The first two pages' best hits among those `keep` holds, in rank order."""
        pages: dict[str, Hit] = {}
        for hit in self.hits:
            if keep(hit):
                pages.setdefault(hit.chunk.path, hit)
        return list(pages.values())[:2]

    def elsewhere_pages(self) -> str:
        """ "1 Business page does", "2 Business pages and 1 IT page do" ("" if none)."""
        pages = " and ".join(counted(n, f"{d} page") for d, n in self.elsewhere)
        verb = "does" if sum(n for _, n in self.elsewhere) == 1 else "do"
        return f"{pages} {verb}" if self.elsewhere else ""


@dataclass(frozen=True)
class Evidence:
    """A section that made someone an expert for a query."""

    path: str
    title: str
    heading: str
    line: int
    score: float
    confidence: float = 0.0  # the section's calibrated confidence that it answers the query


@dataclass(frozen=True)
class Expert:
    """A person ranked for a query, with the sections behind the ranking."""

    name: str
    score: float
    team: str = ""
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)
    department: str = ""
    role: str = ""  # role, availability and contact: people.yaml's, for people it lists
    available_for: tuple[str, ...] = ()
    contact: str = ""
    left: str = ""  # the day they left the company (people.yaml); "" while they are here
    leaves: str = ""  # the day they leave, while it is to come (notice given); "" otherwise
    # How sure kb is that their best section answers the query (its calibrated confidence).
    confidence: float = 0.0
    # What the app's bar and `kb experts` show, in [0, 1]: their score over the best score
    # of the people one may ask, times `confidence` (`rated`): a full bar only for the
    # leading author of a page that surely answers.
    relevance: float = 0.0


def score_scale(experts: Sequence[Expert]) -> float:
    """What shown scores are divided by: the best score of the people one may ask (anyone
    listed, if all have left). Someone who has left, last in the list, set it at 1.00 over
    colleagues at 0.08 (a new-user trial)."""
    here = [e.score for e in experts if not e.left] or [e.score for e in experts]
    return max(here, default=0.0) or 1.0


def rated(experts: Sequence[Expert]) -> list[Expert]:
    """`experts`, in the same order, each with its `relevance`: its score relative to the
    best one may ask (`score_scale`) times its own best section's confidence, and never
    above the relevance of anyone ranked before it (a bar longer than the one above would
    read as another ranking). Relative scores alone gave the best person a full bar when
    their best page was only 55% sure to answer (a trial: "revenue recognition" made a
    data engineer look certain)."""
    top, above, out = score_scale(experts), 1.0, []
    for e in experts:
        # Never certain, as a hit's percentage never says 100% (`Hit.percent`).
        share = min(e.score / top, 1.0) * min(e.confidence, 0.99)
        if not e.left:  # someone who has left is shown no bar and caps no one
            share = above = min(share, above)
        out.append(replace(e, relevance=round(share, 4)))
    return out


@dataclass(frozen=True)
class Experts(Sequence[Expert]):
    """The people who know about a query, best first (`Facade.experts`): a sequence of them.

    `corrected` is the query asked instead of `query` when spelling correction changed it, as
    `Results.corrected` is: the shells say it ("Showing experts for ...") from here, where
    they searched a second time to learn it.
    """

    people: tuple[Expert, ...] = ()
    query: str = ""
    corrected: str = ""

    def __getitem__(self, i):  # type: ignore[override]
        return self.people[i]

    def __len__(self) -> int:
        return len(self.people)

    @property
    def searched(self) -> str:
        """The query the people were found for."""
        return self.corrected or self.query


@dataclass(frozen=True)
class Page(PageInfo):
    """A whole indexed page, for display."""

    path: str
    title: str
    body: str
    owner: str = ""
