"""The opt-in local search log: one JSON line per search, for the knowledge-gap report.

Nothing is logged unless the CLI or the app is given a log file (`KB_SEARCH_LOG`). A line
holds the time, the query, the mode and filters, and how good the best result was; never who
searched.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kb.config import REDACTION_VERSION
from kb.content.secrets import redact_typed
from kb.models import Filters, Hit, Problem
from kb.models.shown import plain

LONGEST_SHOWN = 200  # characters of a logged search a start page offers again
# How a search is read for credentials beyond a page's reading (`redact_typed`): a line
# written by another is read again, in memory.
TYPED_VERSION = 3  # 2: a search naming a credential is told as typed (a key's BEGIN line)
# 3: a key's body without its BEGIN line, its lines apart


@dataclass(frozen=True)
class LoggedSearch:
    time: str
    query: str
    results: int
    best_similarity: float
    best_path: str = ""
    # Whether a hit was relevant (kb.search.relevance); None on lines written before kb
    # knew, which are judged by `best_similarity` instead.
    answered: bool | None = None


def record(
    log: Path,
    query: str,
    hits: Sequence[Hit],
    *,
    mode: str = "",
    filters: Filters | None = None,
    missing: bool = False,
    elsewhere: bool = False,
) -> None:
    """Append one search to `log` (created with its folder if needed). `missing`: someone
    said a page answering it is missing (the app's "this page is missing"). `elsewhere`:
    pages outside `filters` answer it, so it is answered (the index is not missing a page;
    the asker looked in the wrong place) and no gap.

    A credential in the query (a key pasted into the box by mistake, a password typed after
    its name: `redact_typed`) is redacted before the line is written: the log feeds the gap
    report, the barcamp and the start page, and a file that never held the secret cannot
    show it anywhere. It is written as shown (`plain`): a bidi control or an escape sequence
    in it would reorder or drive what the start page and the gap report show of it.
    """
    best = max(hits, key=lambda h: h.similarity, default=None)
    entry = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "query": redact_typed(plain(query)),
        "redaction": REDACTION_VERSION,
        "typed": TYPED_VERSION,
        "mode": mode,
        "filters": {k: v for k, v in vars(filters or Filters()).items() if v},
        "results": len(hits),
        "best_similarity": round(best.similarity, 4) if best else 0.0,
        "best_path": best.chunk.path if best else "",
        "answered": (elsewhere or any(h.relevant for h in hits)) and not missing,
    }
    if elsewhere and not any(h.relevant for h in hits):
        entry["answered_outside_filters"] = True
    if missing:
        entry["missing"] = True
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")


def read(log: Path) -> tuple[list[LoggedSearch], list[Problem]]:
    """Every readable line of `log`; a bad line is a problem naming it, the rest still count."""
    searches, problems = [], []
    if not log.is_file():
        return searches, problems
    for n, line in enumerate(log.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            query = plain(str(d["query"]))  # as shown: offered to everyone on the start page
            # Written before kb found that form: read again (not cached: no raw text is kept).
            if d.get("redaction") != REDACTION_VERSION or d.get("typed") != TYPED_VERSION:
                query = redact_typed(query)
            searches.append(
                LoggedSearch(
                    str(d["time"]),
                    query,
                    int(d["results"]),
                    float(d["best_similarity"]),
                    str(d.get("best_path", "")),
                    bool(d["answered"]) if "answered" in d else None,
                )
            )
        except (ValueError, KeyError, TypeError, OverflowError, RecursionError):
            # The line's content is not echoed: it may be anything a user typed.
            why = "not a search log line (JSON with time, query, results, best_similarity)"
            problems.append(Problem(str(log), why, n))
    return searches, problems


def nothing_good(
    searches: list[LoggedSearch], below: float
) -> list[tuple[str, list[LoggedSearch]]]:
    """Searches with no relevant result (older lines: whose best result was under `below`),
    grouped by query, most frequent first."""
    return grouped(
        s
        for s in searches
        if ((not s.answered) if s.answered is not None else s.best_similarity < below)
    )


def grouped(searches: Iterable[LoggedSearch]) -> list[tuple[str, list[LoggedSearch]]]:
    """Searches grouped by query (case and spacing ignored), most frequent first."""
    groups: dict[str, list[LoggedSearch]] = defaultdict(list)
    for s in searches:
        groups[" ".join(s.query.casefold().split())].append(s)
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def most_searched(
    searches: list[LoggedSearch],
    *,
    withholds: Callable[[str], bool],
    below: float,
    top: int,
    least: int = 2,
    private: Callable[[str], bool] = lambda query: False,
) -> tuple[list[tuple[str, int]], int]:
    """The searches run at least `least` times whose last run was answered (older lines:
    best result at `below` or over), most frequent first, `top` at most: (query, times)
    pairs, and how many logged searches `withholds` kept back (it is asked only about the
    searches that would be shown: reading a search for names costs time).

    A search run once is never shown: it may be one person's, and a start page shows what
    many people look for. Never shown nor counted either: one longer than `LONGEST_SHOWN`
    (no one types that: pasted text) and one `private` says holds a secret (a credential).
    """
    out: list[tuple[str, int]] = []
    withheld = 0
    for _, group in grouped(searches):
        if len(group) < least or len(out) == top:
            break
        last = group[-1]
        answered = last.answered if last.answered is not None else last.best_similarity >= below
        if not answered or len(last.query) > LONGEST_SHOWN or private(last.query):
            continue
        if withholds(last.query):
            withheld += len(group)
            continue
        out.append((last.query, len(group)))
    return out, withheld
