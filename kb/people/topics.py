"""Topics: pages grouped by meaning, and how many people a topic depends on.

Pages, not sections, are grouped: a page is the unit people write and own. A page's vector
is the length-weighted mean of its sections' vectors, leaving out boilerplate sections (a
heading found on many pages, such as "Contacts"). Pages join while the average similarity
between two groups stays high (average-linkage clustering, cut at a fixed distance), so
unrelated pages stay topics of their own instead of being forced into a mixed group, and the
same index always gives the same topics (`kb.people.clustering`).

A topic is labelled with the phrases its pages use (`kb.people.labels`), keeps its key terms,
lists the people who wrote it (largest share first) and its bus factor; `across` finds the
people of the other department close to it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from datetime import date

import numpy as np

from kb.content.departments import other_side
from kb.models import Colleague, Knower, Topic, person_key
from kb.people.clustering import flat_clusters
from kb.people.writing import KNOWS_SHARE, Writing

ACROSS_FLOOR = 0.4
HUB_NEIGHBOURS = 10  # CSLS's K: a person's closeness to topics is that to their 10 closest


def topics_of(
    writing: Writing,
    distance: float,
    gone: frozenset[str] = frozenset(),
    leaving: Mapping[str, str] | None = None,
) -> tuple[Topic, ...]:
    """The index's pages grouped into topics, each with its people and bus factor; `gone`
    (person keys) have left the company, so the bus factor counts only the others, and
    `leaving` (person key -> day) will: a topic they alone hold is at risk from then."""
    chunks = writing.chunks
    by_page: dict[str, list[int]] = defaultdict(list)
    for i, chunk in enumerate(chunks):
        by_page[chunk.path].append(i)
    paths = sorted(by_page)
    if not paths:
        return ()
    means = []
    for p in paths:
        rows = [i for i in by_page[p] if writing.telling(chunks[i])] or by_page[p]
        weights = np.array([len(chunks[i].text) + 1 for i in rows], dtype=np.float32)
        means.append(weights @ writing.vectors[rows])
    matrix = np.vstack(means)
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    labels = group(matrix, distance)
    rows = [[i for i in by_page[p] if writing.telling(chunks[i])] or by_page[p] for p in paths]
    labels = shared_subjects(labels, [writing.vectors[r] for r in rows], 1 - distance)
    topics = []
    for t in range(int(labels.max()) + 1):
        members = [p for p, label in zip(paths, labels, strict=True) if label == t]
        topics.append(_topic(writing, t, members, by_page, gone, leaving or {}))
    return tuple(topics)


def _topic(
    writing: Writing,
    number: int,
    paths: list[str],
    by_page: dict[str, list[int]],
    gone: frozenset[str] = frozenset(),
    leaving: Mapping[str, str] | None = None,
) -> Topic:
    leaving = leaving or {}
    chunks = writing.chunks
    rows = [i for p in paths for i in by_page[p]]
    sizes = {p: sum(len(chunks[i].text) for i in by_page[p]) for p in paths}
    total = sum(sizes.values()) or 1
    written: dict[str, float] = defaultdict(float)
    pages = []
    for p in paths:
        shares = {person_key(a.name): a.share for a in chunks[by_page[p][0]].authors}
        pages.append((float(sizes[p]), shares))
        for key, share in shares.items():
            written[key] += share * sizes[p] / total
    knowers = tuple(
        Knower(
            writing.names[k],
            round(s, 3),
            writing.home(k).department,
            _left(writing, k, gone),
            leaving.get(k, ""),
        )
        for k, s in sorted(written.items(), key=lambda ks: (-ks[1], ks[0]))
    )
    here = bus_factor(pages, gone)
    terms = writing.vocabulary.key_terms(((i, 1.0) for i in rows), 4)
    # Pages that offer no phrase to name them by (a title of numbers) keep their first title.
    label = writing.labels.label((i, 1.0) for i in rows)
    return Topic(
        id=number,
        label=label or chunks[by_page[paths[0]][0]].title,
        terms=terms,
        pages=tuple(sorted(paths, key=lambda p: -sizes[p])),
        knowers=knowers,
        bus_factor=here,
        departments=tuple(sorted({k.department for k in knowers if k.department})),
        on_leavers=here == 0 and bool(gone) and bus_factor(pages) > 0,
        at_risk=_at_risk(pages, gone, {k: d for k, d in leaving.items() if k in written}),
    )


def _at_risk(
    pages: Sequence[tuple[float, Mapping[str, float]]],
    gone: frozenset[str],
    leaving: Mapping[str, str],
) -> str:
    """The first of the `leaving` days on which the bus factor falls to 0 (those leaving by
    then gone too); "" if it never does, or if it is 0 already."""
    if not leaving or bus_factor(pages, gone) == 0:
        return ""
    for day in sorted(set(leaving.values())):
        if bus_factor(pages, gone | {k for k, d in leaving.items() if d <= day}) == 0:
            return day
    return ""


def _left(writing: Writing, key: str, gone: frozenset[str]) -> str:
    listed = writing.directory.find(key) if key in gone else None
    return listed.left if listed else ""


def across(
    writing: Writing,
    topic: Topic,
    centres: Mapping[int, np.ndarray],
    n: int = 2,
    hubs: np.ndarray | None = None,
    today: date | None = None,
    section_floor: float = 0.0,
) -> tuple[Colleague, ...]:
    """Up to `n` people of the other department whose writing is close to `topic` (its
    centre: `topic_centres`), as `closest_across` ranks them, one of their sections at
    least `section_floor` from it."""
    sides = {other_side(d) for d in topic.departments} - {""}
    centre = centres.get(topic.id)
    if centre is None or len(sides) != 1:
        return ()
    return closest_across(writing, centre, sides.pop(), n, hubs, today, section_floor=section_floor)


def closest_across(
    writing: Writing,
    centre: np.ndarray,
    side: str,
    n: int,
    hubs: np.ndarray | None = None,
    today: date | None = None,
    leave: Collection[str] = (),
    section_floor: float = 0.0,
) -> tuple[Colleague, ...]:
    """Up to `n` people of department `side` whose writing is close to `centre` (a unit
    vector), never anyone in `leave` (person keys).

    Close means a cosine of at least `ACROSS_FLOOR` between the mean of their sections
    and the centre (below 0.4 come names such as a procurement manager for Kubernetes
    deployments), and one section of their own at least `section_floor` from it: a mean of
    all someone wrote is near any page in the same register, so legal's policies came
    "closest" to the IT service portal (0.48) and code review (0.44) with no section of
    theirs above 0.46 or 0.48 (a trial). With `hubs` (`hubness`), people are ranked by CSLS
    (Conneau et al., 2018): twice the cosine less how close they are to their 10 closest
    topics, so that someone whose writing is near everything does not come first everywhere.
    They are people to ask: never one kb may not propose (`Directory.may_propose`: who has
    left by `today`, default now).
    """
    keys, matrix = writing.profiles
    if not keys:
        return ()
    sims = matrix @ centre
    rank = 2 * sims - hubs if hubs is not None else sims
    order = [
        i
        for i in np.argsort(-rank, kind="stable")
        if writing.home(keys[i]).department == side
        and keys[i] not in leave
        and sims[i] >= ACROSS_FLOOR
        and _nearest_section(writing, keys[i], centre) >= section_floor
        and writing.directory.may_propose(keys[i], today)
    ]
    return tuple(writing.colleague(keys[i]) for i in order[:n])


def _nearest_section(writing: Writing, key: str, centre: np.ndarray) -> float:
    """The highest cosine of one of `key`'s own sections (`Writing.own_rows`) to `centre`."""
    rows = writing.own_rows.get(key)
    return float((writing.vectors[rows] @ centre).max()) if rows else 0.0


def topic_centres(writing: Writing, topics: Sequence[Topic]) -> dict[int, np.ndarray]:
    """Each topic's unit mean vector of its telling sections, by topic id (none for a topic
    without one), in one pass over the sections."""
    topic_of = {path: t.id for t in topics for path in t.pages}
    rows: dict[int, list[int]] = defaultdict(list)
    for i, chunk in enumerate(writing.chunks):
        number = topic_of.get(chunk.path)
        if number is not None and writing.telling(chunk):
            rows[number].append(i)
    out = {}
    for number, found in rows.items():
        centre = writing.vectors[found].mean(axis=0)
        out[number] = centre / max(float(np.linalg.norm(centre)), 1e-12)
    return out


def hubness(
    writing: Writing, centres: Mapping[int, np.ndarray], k: int = HUB_NEIGHBOURS
) -> np.ndarray:
    """Per person (`writing.profiles` order): the mean cosine of their profile to the `k`
    topic centres closest to it, how close they are to topics in general (CSLS's r)."""
    keys, matrix = writing.profiles
    if not keys or not centres:
        return np.zeros(len(keys))
    sims = matrix @ np.stack(list(centres.values())).T
    k = min(k, sims.shape[1])
    return np.sort(sims, axis=1)[:, -k:].mean(axis=1)


def group(vectors: np.ndarray, distance: float) -> np.ndarray:
    """A topic number for each unit row of `vectors`, largest topic first.

    Two groups merge while the mean cosine distance between their members is at most
    `distance` (0.45 for all-MiniLM-L6-v2: pages that share a subject, not just a register).
    """
    n = len(vectors)
    if n < 2:
        return np.zeros(n, dtype=np.int64)
    labels = flat_clusters(vectors, distance)
    # Number topics by size, largest first, then by first member, so the numbering is stable.
    sizes = np.bincount(labels)
    first = {int(x): i for i, x in reversed(list(enumerate(labels)))}
    order = sorted(range(len(sizes)), key=lambda j: (-sizes[j], first.get(j, n)))
    renumber = {old: new for new, old in enumerate(order)}
    return np.array([renumber[int(x)] for x in labels], dtype=np.int64)


def shared_subjects(labels: np.ndarray, sections: Sequence[np.ndarray], least: float) -> np.ndarray:
    """`labels` (a topic number per page) with each topic split into the pages its sections
    join: two pages share a subject when a section of each has a cosine of at least `least`
    (as close as two pages of one topic). Numbered as `group` numbers them.

    The mean of a page's sections is close to any page in the same register: month-end
    close and two sales pages on customer accounts were one topic at 0.55-0.59 between their
    means, no two of their sections closer than 0.53 (month-end close's best pair with the IT
    budget's allocations: 0.73).
    """
    parts = np.arange(len(labels))
    for t in np.unique(labels):
        pages = [int(i) for i in np.flatnonzero(labels == t)]
        for a, b in ((a, b) for a in pages for b in pages if a < b):
            if parts[a] != parts[b] and (sections[a] @ sections[b].T).max() >= least:
                parts[parts == parts[b]] = parts[a]  # join b's part to a's
    sizes = {int(x): int((parts == x).sum()) for x in np.unique(parts)}
    first = {int(x): int(np.flatnonzero(parts == x)[0]) for x in sizes}
    order = sorted(sizes, key=lambda x: (-sizes[x], first[x]))
    renumber = {old: new for new, old in enumerate(order)}
    return np.array([renumber[int(x)] for x in parts], dtype=np.int64)


def bus_factor(
    pages: Sequence[tuple[float, Mapping[str, float]]], left: frozenset[str] = frozenset()
) -> int:
    """How many people would have to leave before most of a topic has no author left.

    `pages` holds (size, {person: share}) for each page of the topic. A page is known by its
    authors with at least `KNOWS_SHARE` of it. People leave most-knowing first (greedy, after
    Avelino et al., "A novel approach for estimating truck factors", 2016) until more than half
    of the topic's text has no one left who knows it. 0 means that is already so, also when
    it is so because the people in `left` have left the company (they are gone from the start).
    """
    total = sum(size for size, _ in pages)
    if total <= 0:
        return 0
    knowers = [
        (size, {p for p, share in shares.items() if share >= KNOWS_SHARE}) for size, shares in pages
    ]
    gone: set[str] = set(left)
    while True:
        orphaned = sum(size for size, who in knowers if not who - gone)
        if orphaned * 2 > total:
            return len(gone - left)
        coverage: dict[str, float] = {}
        for size, who in knowers:
            for person in who - gone:
                coverage[person] = coverage.get(person, 0.0) + size
        gone.add(min(coverage, key=lambda p: (-coverage[p], p)))
