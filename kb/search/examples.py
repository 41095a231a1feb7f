"""Example questions for a start page, worded from the pages' own titles and headings.

A title or heading becomes a question when it asks one or names a task:

- a question stays one: "Which MFA factors are allowed" -> "Which MFA factors are allowed?";
- "How to X" -> "How do I X?";
- a task, "<verb>ing ...", is asked in the verb's plain form: "Resetting a forgotten password
  (self-service)" -> "How do I reset a forgotten password?". The plain form is a word of the
  content with the -ing form's stem ("merging" -> "merge", "setting" -> "set"): with none,
  the heading is left out rather than guessed.

Left out too: an -ing word the content uses as a noun ("the learning budget": so "Learning
budget" is no task), a section its page's title names ("Meeting rooms" in "Printers and meeting
rooms"), a heading that speaks to the reader ("Delegating while you are away") and one with
nothing but stop words ("Rolling back"). `Examples` then keeps only the questions a search
answers with the page they came from, spread over the teams, and offers those that name
their subject (`names_subject`) before those that do not: "What gets created in NetSuite?"
asks of its page, and a business reader on the start page could not tell of what (a trial).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import zip_longest

from kb.index.bm25 import stems, stop_words
from kb.models import Chunk, Example, Page

_WORD = re.compile(r"[a-z]+")
_LETTERS = re.compile(r"[^\W\d_]+")  # a word in any script, as consent reads names
_GERUND = re.compile(r"[A-Z][a-z]+ing")
_ASIDE = re.compile(r"\s*\([^()]*\)")  # "(self-service)", "(EKS)"
_WH = frozenset({"what", "which", "who", "whom", "whose", "when", "where", "why", "how"})
_DETERMINERS = frozenset(
    "a an the this that these those my your our their his her its each every any".split()
)
_AUXILIARIES = frozenset(
    "is are was were do does did can could should would will must may might has have "
    "don't doesn't didn't can't won't isn't aren't".split()
)
_TO_THE_READER = frozenset({"you", "your", "yours", "yourself", "yourselves"})


class Words:
    """What the content's running text says about words: which occur, and which -ing words
    it uses as nouns (after a determiner, before the same next word)."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.counts: Counter[str] = Counter()
        self.modifiers: set[str] = set()  # "learning" from "the learning budget"
        stop = stop_words()
        for text in texts:
            words = _WORD.findall(text.lower())
            self.counts.update(words)
            for i, word in enumerate(words[1:-1], 1):
                if not word.endswith("ing") or words[i + 1] in stop:
                    continue
                if words[i - 1] in _DETERMINERS or (i > 1 and words[i - 2] in _DETERMINERS):
                    self.modifiers.add(word)  # "the (monthly) engineering review"

    def rarest(self, text: str) -> int:
        """How often the content uses the least used word of `text` (stop words aside)."""
        stop = stop_words()
        found = [self.counts[w] for w in _WORD.findall(text.lower()) if w not in stop]
        return min(found, default=0)

    def plain_form(self, gerund: str) -> str:
        """The verb of `gerund` as the content writes it ("merging" -> "merge"), or ""."""
        stem = gerund[:-3]
        forms = [stem + "e", stem] + ([stem[:-1]] if len(stem) > 2 and stem[-1] == stem[-2] else [])
        want = stems([gerund])[0]
        found = [
            f for f, s in zip(forms, stems(forms), strict=True) if s == want and self.counts[f]
        ]
        return max(found, key=lambda f: self.counts[f], default="")


def question(heading: str, words: Words, *, title: str = "") -> str:
    """`heading` asked as a question, or "" when it does not name a task or ask one. `title`:
    the heading's page title, for a section heading."""
    text = _ASIDE.sub("", heading).strip().rstrip(":;.,")
    if title and text.casefold() in title.casefold():
        return ""  # "Meeting rooms" in "Printers and meeting rooms": a topic, not a task
    parts = text.split()
    lower = [p.lower().strip(",") for p in parts]
    if len(parts) < 2 or _TO_THE_READER & set(lower) or not _says_something(lower[1:]):
        return ""
    if text.endswith("?"):
        return text
    if lower[0] in _WH:
        return _asked(parts, lower)
    if not _GERUND.fullmatch(parts[0]) or lower[1] in ("and", "or"):
        return ""  # "Pricing and framework agreements": a list of topics
    if lower[0] in words.modifiers:
        return ""
    verb = words.plain_form(lower[0])
    return f"How do I {verb} {' '.join(parts[1:])}?" if verb else ""


def _asked(parts: list[str], lower: list[str]) -> str:
    """A heading that starts with a question word, as a direct question ("" if it is not
    one): "How to X" asks "How do I X?", "How backups are configured" "How are backups
    configured?"; "What the build does" and "Who to ask" name something, and stay out."""
    if lower[1] == "to":
        return (
            f"How do I {' '.join(parts[2:])}?"
            if lower[0] == "how" and _says_something(lower[3:])
            else ""
        )
    if lower[1] in _DETERMINERS or len(parts) < 3:
        return ""
    subject_asks = lower[0] in ("what", "who") and re.fullmatch(r"[a-z]+[^s]s", lower[1])
    if lower[1] in _AUXILIARIES or lower[0] in ("which", "whose") or subject_asks:
        return " ".join(parts) + "?"  # "Which MFA factors are allowed", "What counts as ..."
    # "When Legal review is needed" -> "When is Legal review needed?"
    at = next((i for i in range(2, len(parts) - 1) if lower[i] in _AUXILIARIES), 0)
    if not at:
        return ""  # "How long it takes": no verb kb could move
    return " ".join([parts[0], lower[at], *parts[1:at], *parts[at + 1 :]]) + "?"


def names_subject(question: str) -> bool:
    """Whether `question` says what it is about without its page. One whose question word is
    its subject ("What gets created in NetSuite?", "Who can sign?", "Who needs it?") names
    it only with a noun phrase of its own, after a determiner ("What counts as a
    discount?"); "How do I X?", "Which X ...?" and "When is X needed?" name theirs."""
    words = _WORD.findall(question.lower())
    if not words or words[0] not in ("what", "who", "whom"):
        return True
    return any(w in _DETERMINERS for w in words[1:])


def _says_something(words: Sequence[str]) -> bool:
    stop = stop_words()
    return any(len(w) > 2 and w not in stop for w in words)


def candidates(pages: Mapping[str, Page], chunks: Sequence[Chunk]) -> list[Example]:
    """Every question the titles and headings give, each once: the titles' first (a whole
    page answers them), then the most specific, whose rarest word the content uses least
    (what it asks about: "How do I restore an RDS database?" before "What is covered?")."""
    words = Words([c.text for c in chunks])
    headings: dict[str, dict[tuple[str, ...], None]] = defaultdict(dict)
    for c in chunks:
        if c.heading_path:
            headings[c.path][c.heading_path] = None
    out: dict[str, tuple[tuple[bool, int], Example]] = {}
    for path in sorted(pages):
        title = pages[path].title
        asked = [(title, question(title, words), "")]
        asked += [
            (h[-1], question(h[-1], words, title=title), " > ".join(h))
            for h in headings.get(path, ())
        ]
        for source, q, heading in asked:
            if q and q.casefold() not in out:
                # Specific: what it asks about (the words after its verb) is rare here.
                rank = (bool(heading), words.rarest(source.split(maxsplit=1)[-1]))
                out[q.casefold()] = (rank, Example(q, path, heading))
    return [example for _, example in sorted(out.values(), key=lambda r: r[0])]


class Examples:
    """The example questions of one index: each checked by a search once, when first offered.

    `answers(question)` is the path of the page a search for it answers with first ("" for
    none); a question is offered only when that is the page it came from. `hides` tells of a
    lower-case word whether it must never be shown (a hidden person's name: headings are
    colleagues' text, which may name one): a question with such a word is never offered.
    """

    def __init__(
        self,
        pages: Mapping[str, Page],
        chunks: Sequence[Chunk],
        answers: Callable[[str], str],
        *,
        hides: Callable[[str], bool] = lambda word: False,
    ) -> None:
        self._pages = pages
        self._answers = answers
        self._by_team: dict[str, list[Example]] = defaultdict(list)
        stop = stop_words()
        for example in candidates(pages, chunks):
            words = _LETTERS.findall(example.question.lower())
            if any(hides(w) for w in words if w not in stop):  # "how" is no one's name
                continue
            self._by_team[pages[example.path].team].append(example)
        self._checked: dict[str, bool] = {}

    def pick(self, top: int, *, allowed: Callable[[Page], bool] = lambda _: True) -> list[Example]:
        """Up to `top` questions on pages `allowed` lets through, one team after another (the
        teams with most pages first, the departments taking turns), so that they span it all;
        those that name their subject first, the others only to fill what is left."""
        out: list[Example] = []
        for named in (True, False):
            teams = self._teams(lambda e, named=named: names_subject(e.question) == named)
            sources = [self._good(team, allowed, named) for team in teams]
            while sources and len(out) < top:
                for source in list(sources):
                    found = next(source, None)
                    if found is None:
                        sources.remove(source)
                    elif len(out) < top:
                        out.append(found)
        return out

    def _teams(self, kept: Callable[[Example], bool]) -> list[str]:
        """The teams with a question `kept` keeps, in turns (a team without one would break
        the departments' turns)."""
        size = Counter(page.team for page in self._pages.values())
        by_department: dict[str, list[str]] = defaultdict(list)
        for team in sorted(self._by_team, key=lambda t: (-size[t], t)):
            if not any(kept(e) for e in self._by_team[team]):
                continue
            page = self._pages[self._by_team[team][0].path]
            by_department[page.department].append(team)
        turns = zip_longest(*(by_department[d] for d in sorted(by_department)))
        return [team for turn in turns for team in turn if team is not None]

    def _good(self, team: str, allowed: Callable[[Page], bool], named: bool) -> Iterator[Example]:
        for example in self._by_team[team]:
            if not allowed(self._pages[example.path]) or names_subject(example.question) != named:
                continue
            if example.question not in self._checked:
                self._checked[example.question] = self._answers(example.question) == example.path
            if self._checked[example.question]:
                yield example
