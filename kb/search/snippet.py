"""Short, readable excerpts of a section around the sentence that best answers a query.

Words match a query word when their stems do (kb.index.bm25's stemmer), as whole words, never a
stop word: 'claims' marks 'claim', 'forty' marks '40' (BM25 reads both as 40), 'home' does not
mark 'Homebrew'. The answering sentence is the unit of the section (kb.search.display: a
sentence, table row, list item or code line) likeliest to answer by kb's relevance model
(kb.search.relevance): its meaning (the cosine of its stored vector to the query's,
kb.search.sentences) and its words (the share of the query's information, BM25's IDF, it
holds), and, of those holding a query word, one holding the kind of answer the question asks
for (kb.search.answer_types: "how many" a number, "when" a date or time) comes first, and of
those a table row whose band holds an amount the question gives (kb.search.bands: "£500 –
£10,000" for "a £2,000 purchase"). It is marked only when it holds a query word (the
highlighted words and the mark agree); else the snippet starts there unmarked. Without stored
vectors the words alone decide. No model is run per query: embedding the sentences of even the
first page costs more than the search (benchmarks/snippets.py), so they are embedded at index
time, and a snippet costs tens of microseconds.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import replace
from functools import lru_cache

from kb.index.bm25 import cjk_spans, index_words, is_cjk, keyword_stems, spelled, stop_words
from kb.models import Snippet
from kb.search.answer_types import asked, asked_task, holds
from kb.search.asking import topic
from kb.search.bands import asked_amounts
from kb.search.bands import holds as in_band
from kb.search.display import (
    CODE,
    DATA,
    HEAD,
    ITEM,
    PROSE,
    ROW,
    TOC,
    Data,
    Unit,
    record_holding,
    units,
)
from kb.search.relevance import COSINE, COVERAGE, codes

_CODE_WEIGHT = 0.5  # a code line answers less often than the prose around it
_HEADER_WEIGHT = 0.5  # a table header's words, for each row under it


@lru_cache(maxsize=256)
def query_stems(query: str) -> frozenset[str]:
    """The stems of a query's words (as BM25 splits them) worth matching: no stop words, no
    CJK character pairs (`_cjk_pieces`: they are matched as they are)."""
    stop, asked = stop_words(), topic(query)  # not "know" of "who knows about"
    found = [w for w in index_words(asked) if w not in stop and not is_cjk(w)]
    return frozenset(keyword_stems(found))


@lru_cache(maxsize=256)
def _candidates(query: str) -> re.Pattern[str] | None:
    """Words that may share a stem with a query word: a stem, less its last letter ('dodgi'
    for 'dodgy'), starts every word it is the stem of. Only these are stemmed."""
    found = query_stems(query)
    if not found:
        return None
    # A number is written in digits or as its word ("40", "forty"): BM25 reads both as "40".
    found |= {w for w in map(spelled, found) if w}
    prefixes = sorted({s[:-1] if len(s) > 2 else s for s in found}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(map(re.escape, prefixes)) + r")\w*", re.I)


@lru_cache(maxsize=256)
def _cjk_pieces(query: str) -> frozenset[str]:
    """The query's CJK character pairs and lone characters, as BM25 reads them."""
    return frozenset(w for w in index_words(query) if is_cjk(w))


def matched_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Where whole words of `text` share a stem with a word of `query` (no stop words), and
    where `text` holds a Chinese, Japanese or Korean character pair of `query` (these
    scripts have no spaces to mark a whole word: BM25 reads them as pairs too). A group of
    digits in a larger number is no word of its own: "000" of "£250,000" is not marked for
    "£100,000" (BM25 reads both as "000" and more; a trial read it as the amount asked)."""
    spans = [(a, b) for a, b, _ in _matches(text, query)]
    if not any(text[a:b].isdigit() for a, b in spans):
        return spans
    asked = {m.group(0).replace(",", "") for m in _NUMBER_RUN.finditer(query)}
    runs = [(m.span(), m.group(0).replace(",", "") in asked) for m in _NUMBER_RUN.finditer(text)]
    starts = [a for (a, _), _ in runs]  # each number is read once: linear in the text

    def whole(a: int, b: int) -> bool:
        """The digits `text[a:b]` are a whole number, or part of one the query gives."""
        span, given = runs[bisect_right(starts, a) - 1]
        return span == (a, b) or given

    return [(a, b) for a, b in spans if not text[a:b].isdigit() or whole(a, b)]


# A number as written: digit groups joined by a thousands comma or a decimal point.
_NUMBER_RUN = re.compile(r"\d++(?:[,.]\d++)*+")


def _matches(text: str, query: str) -> list[tuple[int, int, str]]:
    """(start, end, stem) of each word of `text` matching a word of `query` (a CJK
    character pair is its own stem; pairs may overlap)."""
    pieces = _cjk_pieces(query)
    latin = _latin_matches(text, query)
    return sorted(latin + cjk_spans(text, pieces)) if pieces else latin


def _latin_matches(text: str, query: str) -> list[tuple[int, int, str]]:
    pattern = _candidates(query)
    if pattern is None:
        return []
    stop = stop_words()
    # Plain tuples, not the Match objects: thousands of live matches (a section saying the
    # query word over and over) are objects the cyclic GC tracks, and the full collections of
    # the whole process they set off made a snippet cost ~10x for 4x the text.
    found = [
        (m.start(), m.end(), word)
        for m in pattern.finditer(text)
        if (word := m.group(0).lower()) not in stop
    ]
    if not found:
        return []
    wanted = query_stems(query)
    distinct = list(dict.fromkeys(w for _, _, w in found))  # each word stemmed once
    stem = dict(zip(distinct, keyword_stems(distinct), strict=True))
    return [(a, b, stem[w]) for a, b, w in found if stem[w] in wanted]


@lru_cache(maxsize=4096)
def _layout(text: str) -> tuple[tuple[Unit, ...], str, tuple[int, ...]]:
    """A section's units, their texts joined by newlines (matched in one pass) and where
    each starts in the joined text."""
    parts = units(text)
    starts, pos = [], 0
    for u in parts:
        starts.append(pos)
        pos += len(u.text) + 1
    return parts, "\n".join(u.text for u in parts), tuple(starts)


def _score(kind: str, found: list[str], weights: Mapping[str, float] | None) -> float:
    if kind in (DATA, TOC, HEAD):
        return 0.0
    distinct = set(found)
    weight = sum(weights.get(s, 0.0) for s in distinct) if weights is not None else len(distinct)
    score = weight + 0.1 * (len(found) - len(distinct))
    return score * (_CODE_WEIGHT if kind == CODE else 1.0)


def make_snippet(
    text: str,
    query: str,
    *,
    weights: Mapping[str, float] | None = None,
    width: int = 240,
    meaning: Mapping[int, float] | None = None,
    names: re.Pattern[str] | None = None,
) -> Snippet:
    """About `width` characters of `text` from its best-answering unit on, with that unit
    marked (`Snippet.answer`) when it holds a query word; from the start, unmarked, when no
    unit does and nothing says what they mean.

    By words, a unit scores the weight of the distinct query stems in it, a tenth for each
    repeat, half that for a line of code; a table's header row and data summaries score
    nothing (a header names the columns of every row, so its words count at half weight for
    each row under it instead). Of rows scoring the same by words of their own, the shortest
    is the answer. `weights` weigh each stem (the searcher's `QueryTerms.weights`: BM25's
    IDF); without them all weigh the same. `meaning`: each markable unit's cosine to the
    query, by its place in `units(text)` (kb.search.sentences.cosines); then a unit scores
    its cosine and its words' share of the query's weight as the relevance model weighs a
    section's (`_fused`). `names`: the colleagues who answer "who" (answer_types.naming).
    """
    parts, joined, starts = _layout(text)
    if not parts:
        return Snippet("")
    found: dict[int, list[tuple[int, str]]] = {}
    for a, _, stem in _matches(joined, query):
        found.setdefault(bisect_right(starts, a) - 1, []).append((a, stem))
    # A row holds what its header names ("Budget per calendar year · £1,000"): a header's
    # words count for every row under it, at half weight (a sentence saying them answers
    # better than the first row of a table whose columns they name).
    named = {i: _header_of(parts, i) for i, u in enumerate(parts) if u.kind == ROW}
    scores: dict[int, float] = {}
    for i in sorted({*found, *(i for i, h in named.items() if h in found)}):
        own = [s for _, s in found.get(i, [])]
        header = [s for _, s in found.get(named.get(i), []) if s not in own]
        scores[i] = _score(parts[i].kind, own, weights) + _HEADER_WEIGHT * _score(
            ROW, header, weights
        )
    worded = {i for i, score in scores.items() if score > 0}  # the words agree with a mark
    if meaning:
        scores = _fused(parts, scores, meaning, _information(query, weights))
    # A unit of the kind of answer asked for beats one of no such kind (`_typed`).
    kind = asked(query)
    typed = _typed(parts, kind, worded, names) if kind else set()
    pool = [i for i in scores if i in typed or i not in worded] if typed else list(scores)
    # Of those, a row whose band holds the amount the question gives (`_banded`).
    banded = _banded(parts, query, worded)
    if banded and banded.intersection(pool):
        pool = [i for i in pool if i in banded or i not in worded]
    # Of those, for "how do I X", an instruction opening with the verb X (`_instructing`).
    steps = _instructing(parts, task, worded) if (task := asked_task(query)) else set()
    if steps and steps.intersection(pool):
        pool = [i for i in pool if i in steps or i not in worded]
    top = max((scores[i] for i in pool), default=0.0)
    tied = [i for i in pool if scores[i] == top]
    # Of rows as good by words of their own, the one saying least else: "London · £45", not
    # "UK (outside London) · £35"; otherwise the first unit as good.
    rows = all(parts[i].kind == ROW and i in found for i in tied)
    best = min(tied, key=lambda i: len(parts[i].text)) if tied and rows else min(tied, default=0)
    if best in typed and parts[best].kind == ROW and best not in banded:
        best = _named_row(parts, best, typed, found, starts, weights)
    if (record := _record(parts, query)) is not None:
        at, unit = record
        made = _window((*parts[:at], unit, *parts[at + 1 :]), at, 0, width, marked=True)
        return replace(made, best=max(scores.values(), default=0.0))
    if not top:
        shown = [i for i, u in enumerate(parts) if u.kind not in (TOC, DATA)] or [0]
        return _window(parts, shown[0], 0, width, marked=False)
    first = found[best][0][0] - starts[best] if best in found else 0
    # How likely the section's best unit answers is of every unit, not only the typed ones:
    # the type chooses the mark, and scoring a section by its typed units alone made one
    # holding the kind asked for lose its card to one holding none ("who approves expense
    # claims" showed "What to check before you approve" over the approval chain's top).
    likeliest = max(scores.values(), default=0.0)
    made = _window(parts, best, first, width, marked=best in worded)
    return replace(made, best=likeliest, kind=best in typed, band=best in banded)


def _record(parts: tuple[Unit, ...], query: str) -> tuple[int, Unit] | None:
    """Where a code the query looks up is held by a record of summarised data alone, and
    that record as shown (kb.search.display.record_holding): "CC-3100" found the supplier
    template whose record holds it, and the card showed only "(comma-separated data, 1 row;
    columns ...)" (a trial)."""
    data = [i for i, u in enumerate(parts) if isinstance(u, Data)]
    looked_up = codes(query) if data else []  # most sections hold no data: no words read
    if not looked_up:
        return None
    for code in looked_up:
        word = re.compile(rf"(?<![\w-]){re.escape(code)}(?![\w-])", re.I)
        if any(word.search(u.text) for u in parts if u.kind != DATA):
            continue  # the prose says it: the words choose, as for any query
        for i in data:
            if (unit := record_holding(parts[i], word)) is not None:
                return i, unit
    return None


def _typed(
    parts: tuple[Unit, ...], kind: str, worded: set[int], names: re.Pattern[str] | None
) -> set[int]:
    """The units holding a query word that hold an answer of the `kind` asked for
    (kb.search.answer_types: a number, a duration, a date, a role, or for "who" a colleague
    named, `names`). Of the units holding a query word, one of no such kind never beats one
    of it: "Rotate it immediately" holds the words of "how often are secrets rotated" and no
    frequency, "Right-to-work checks are mandatory" those of "who does the right-to-work
    check" and no one who does it (held-out questions). A colleague's name is a who: for "who
    sends the security questionnaire to a new supplier" "Tomasz Nowak in security sends the
    questionnaire" lost to "Security rates the result ...", typed by its team word alone (a
    trial). Units holding no query word are not judged: they are shown unmarked, if at all."""
    return {i for i in worded if holds(parts[i].text, kind, names)}


def _banded(parts: tuple[Unit, ...], query: str, worded: set[int]) -> set[int]:
    """The table rows holding a query word (or under a header holding one) whose first cell
    is a band holding an amount the question gives (kb.search.bands): "£500 – £10,000 · 1
    (attach it)" for "do I need a purchase order for a £2,000 purchase"; and so the list
    items whose label, before a colon, is one: "up to £250,000: a director or the CFO" for
    "who can sign a supplier contract worth £100,000", where "above £250,000: CFO and CEO"
    was marked (a trial: a list of bands is a table written as a list)."""
    amounts = asked_amounts(query)
    if not amounts:
        return set()
    return {
        i for i in worded if (band := _band(parts[i])) and any(in_band(band, a) for a in amounts)
    }


def _instructing(parts: tuple[Unit, ...], verb: str, worded: set[int]) -> set[int]:
    """The units holding a query word that open with the verb of the task asked, as asked
    (an imperative is the verb's base form: not "Merges done by Friday ..." for "merge",
    nor "Delegation does not ..." for "delegate"): an instruction to do it. "How do I
    sign up for a tandem" marked "A tandem is two people from different departments ..."
    (the word rarest in the corpus, nearest by meaning) over "Sign up through the form
    linked in #learning" (a business trial)."""
    out = set()
    for i in worded:
        first = _FIRST_WORD.match(parts[i].text)
        if first and first.group(0).lower() == verb:
            out.add(i)
    return out


_FIRST_WORD = re.compile(r"[A-Za-z]+")


def _band(unit: Unit) -> str:
    """What may be a band of `unit`: a table row's first cell, a list item's label."""
    if unit.kind == ROW:
        return unit.text.split(" · ", 1)[0]
    if unit.kind == ITEM and ": " in unit.text:
        return unit.text.split(": ", 1)[0]
    return ""


def _named_row(
    parts: tuple[Unit, ...],
    best: int,
    typed: set[int],
    found: Mapping[int, list[tuple[int, str]]],
    starts: tuple[int, ...],
    weights: Mapping[str, float] | None,
) -> int:
    """Of the rows of `best`'s table holding the kind of answer asked for, the one whose
    first cell holds the most query weight, if more than `best`'s: the first cell names
    what a row is about (the question's focus), the others what is said of it. Both
    "Shared parental leave · Up to 50 weeks shared · Enhanced to match maternity pay ..."
    and "Maternity / adoption (primary carer) · Up to 52 weeks" hold a number of weeks; the
    first held more words of "how many weeks of maternity leave do I get" (a trial)."""
    lo = hi = best
    while lo > 0 and parts[lo - 1].kind == ROW:
        lo -= 1
    while hi + 1 < len(parts) and parts[hi + 1].kind == ROW:
        hi += 1

    def named(i: int) -> float:
        cell = parts[i].text.find(" · ")
        end = starts[i] + (cell if cell >= 0 else len(parts[i].text))
        held = {stem for at, stem in found.get(i, []) if at < end}
        return sum(weights.get(s, 0.0) for s in held) if weights is not None else len(held)

    rows = [i for i in sorted(typed) if lo <= i <= hi]
    most = max(rows, key=named, default=best)
    return most if named(most) > named(best) else best


def _information(query: str, weights: Mapping[str, float] | None) -> float:
    """All the weight a unit's words could hold: the query's stems (and CJK pieces)."""
    if weights is not None:
        return sum(weights.values())
    return float(len(query_stems(query)) + len(_cjk_pieces(query)))


def _fused(
    parts: tuple[Unit, ...],
    words: Mapping[int, float],
    meaning: Mapping[int, float],
    information: float,
) -> dict[int, float]:
    """Each markable unit's score by meaning and words: the log-odds that it answers, by the
    relevance model kb judges sections with (kb.search.relevance: the cosine and the share of
    the query's information held, on their absolute scales, with the weights fitted there).

    The rows of a table share its best row's cosine: each is read under the table's header,
    which the model reads more than a row's few cells (sister rows come within 0.02 of each
    other: "People managers · £1,500" above "Everyone · £1,000" for the learning budget per
    year), so a table competes with the prose by meaning, and its rows by their words."""
    meaning = dict(meaning)
    run: list[int] = []
    for i in [*sorted(meaning), len(parts)]:
        if run and (i != run[-1] + 1 or i == len(parts) or parts[i].kind != ROW):
            best = max(meaning[r] for r in run)
            meaning.update(dict.fromkeys(run, best))
            run = []
        if i < len(parts) and parts[i].kind == ROW:
            run.append(i)
    share = {i: words.get(i, 0.0) / information if information > 0 else 0.0 for i in meaning}
    return {i: COSINE * cosine + COVERAGE * share[i] for i, cosine in meaning.items()}


def _window(parts: tuple[Unit, ...], best: int, first: int, width: int, *, marked: bool) -> Snippet:
    """Units from `best` on (from the top when little comes before it), code and prose never
    run together, no contents list after them, cut to about `width` characters around the
    best unit's first query word (at `first` in it); a table row keeps its header above."""
    code = parts[best].kind == CODE
    before = parts[:best]
    early = sum(len(u.text) + 1 for u in before) < width // 3
    start = 0 if early and all((u.kind == CODE) == code for u in before) else best
    order = list(range(start, len(parts)))
    header = _header_of(parts, best) if start == best else None
    if header is not None:
        order.insert(0, header)
    text, answer, last = "", (0, 0), order[0]
    for i in order:
        unit, prev = parts[i], parts[last]
        full = len(text) + 1 + len(unit.text) > width and len(text) > width * 2 // 3
        if i > best and ((unit.kind == CODE) != code or unit.kind == TOC or full):
            break  # (a unit that starts early enough is shown in part)
        sep = "" if not text else " " if unit.kind == PROSE == prev.kind else "\n"
        if i == best:
            answer = (len(text) + len(sep), len(text) + len(sep) + len(unit.text))
        text += sep + unit.text
        last = i
    text, answer, cut = _fit(text, answer, answer[0] + first, width)
    lead = "… " if order[0] > 0 and not text.startswith("… ") else ""
    tail = " …" if cut or last < len(parts) - 1 else ""
    a, b = answer
    spans = ((a + len(lead), b + len(lead)),) if marked and b > a else ()
    return Snippet(lead + text + tail, spans)


def _header_of(parts: tuple[Unit, ...], row: int) -> int | None:
    """The header row above the table row `row`, if it has one."""
    if parts[row].kind != ROW:
        return None
    i = row - 1
    while i >= 0 and parts[i].kind == ROW:
        i -= 1
    return i if i >= 0 and parts[i].kind == HEAD else None


def _fit(
    text: str, answer: tuple[int, int], focus: int, width: int
) -> tuple[str, tuple[int, int], bool]:
    """`text` cut to about `width` characters at spaces, with the whole answer in it when it
    fits (a row, item or sentence cut short reads as another: "active attacker · Ransomware
    ..." lost its row's "SEV1", a trial), else from shortly before `focus`; the answer span
    moved with it, and whether anything was cut."""
    if len(text) <= width:
        return text, answer, False
    a, b = answer
    if 0 < b - a <= width:  # a marked row, item or sentence is shown whole, never cut
        start = 0 if b <= width else _line_or_word(text, b - width, a)
        end = min(len(text), start + width)
        cut = max(text.rfind(" ", b, end), text.rfind("\n", b, end))
        end = cut if cut >= b else end if end == len(text) else b
        lead = "… " if start else ""
        moved = (a - start + len(lead), b - start + len(lead))
        return lead + text[start:end].rstrip(), moved, True
    start = 0
    if focus > width * 2 // 3:  # from a word shortly before the focus, within the answer
        target = focus - width // 3
        start = text.rfind(" ", answer[0], target) + 1 if target > answer[0] else answer[0]
        start = max(start, answer[0])
    elif answer[0] > width // 2:  # units start at a word
        start = answer[0]
    end = start + width
    cut = text.rfind(" ", start + width // 2, end)
    end = cut if cut > 0 else end
    lead = "… " if start else ""
    a, b = max(answer[0], start), min(answer[1], end)
    moved = (a - start + len(lead), b - start + len(lead)) if b > a else (0, 0)
    return lead + text[start:end].rstrip(), moved, True


def _line_or_word(text: str, lo: int, hi: int) -> int:
    """The first line start in `text[lo:hi]`, else the first word start, else `hi`."""
    line = text.find("\n", lo, hi)
    if line >= 0:
        return line + 1
    word = text.find(" ", lo, hi)
    return word + 1 if word >= 0 else hi


def snippet_fields(
    text: str,
    query: str,
    weights: Mapping[str, float] | None = None,
    meaning: Mapping[int, float] | None = None,
    names: re.Pattern[str] | None = None,
) -> dict[str, object]:
    """`make_snippet` as the fields of a `Hit` (`snippet`, `answer`, `best_unit`)."""
    made = make_snippet(text, query, weights=weights, meaning=meaning, names=names)
    return {
        "snippet": made.text,
        "answer": made.answer,
        "best_unit": made.best,
        "answer_kind": made.kind,
        "answer_band": made.band,
    }


def marked(
    text: str, query: str, answer: tuple[tuple[int, int], ...] = ()
) -> list[tuple[str, bool, bool]]:
    """`text` cut into (piece, is a query word, is in the answer) for a renderer to style:
    query words by `matched_spans`, the answer by a hit's `answer` spans."""
    words = matched_spans(text, query)
    spans = [(max(0, a), min(b, len(text))) for a, b in answer if a < b]
    edges = sorted({0, len(text), *(x for w in (*words, *spans) for x in w)})
    out: list[tuple[str, bool, bool]] = []
    run: list[str] = []  # the pieces of the run being read: touching query words are one
    said = (False, False)
    flagged = zip(_covered(words, edges), _covered(spans, edges), strict=True)
    for a, b, flags in zip(edges, edges[1:], flagged, strict=False):
        if run and flags != said:
            out.append(("".join(run), *said))
            run = []
        run.append(text[a:b])
        said = flags
    if run:
        out.append(("".join(run), *said))
    return out


def _covered(spans: list[tuple[int, int]], edges: list[int]) -> list[bool]:
    """For each of `edges` but the last, whether one of `spans` covers it, in one sweep (a
    check of every span at every edge was quadratic on a section of many query words)."""
    ordered, out, i, reach = sorted(spans), [], 0, -1
    for at in edges[:-1]:
        while i < len(ordered) and ordered[i][0] <= at:
            reach = max(reach, ordered[i][1])
            i += 1
        out.append(reach > at)
    return out
