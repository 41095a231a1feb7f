"""A cross-functional team for a project: a greedy set cover over expert scores.

Each sub-topic of the project scores people in [0, 1] (1 = the best person for it). A team
covers a sub-topic as well as its best member for it. People join one at a time, each the
one who adds the most cover, and a person from a department the team does not have yet
counts `DIVERSITY` more: between two people who add about as much, the team crosses the
IT/business divide. A sub-topic is covered by its best member plus half its second best, so
once every sub-topic has someone, further people give each a backup (a bus factor above one).
Greedy is within 1 - 1/e of the best cover (Nemhauser et al., 1978).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

from kb.config import Settings
from kb.models import Cover, Expert, Hit, Home, TeamCriteria, TeamProposal, person_key
from kb.models.shown import plain
from kb.people.analysis import PeopleAnalysis
from kb.people.criteria import Rules

DIVERSITY = 0.3
BACKUP = 0.5  # the second-best member's weight in a sub-topic's cover
COVERS = 0.3  # a member covers a sub-topic with at least this score for it
_LIST = re.compile(r"[,;\n•]|\s[-–]\s")
_LAST_AND = re.compile(r"\s(?:and|&)\s")
_WORDS = re.compile(r"\w{3,}")


def propose(
    description: str,
    size: int,
    *,
    search: Callable[[str, int], list[Hit]],
    rank: Callable[[str, list[Hit]], list[Expert]],
    about: Callable[[str], Mapping[int, float]],
    people: PeopleAnalysis,
    homes: Mapping[str, Home],
    settings: Settings,
    criteria: TeamCriteria | None = None,
) -> TeamProposal:
    """A cross-functional team covering the description's sub-topics, who covers what, and
    (with `criteria`) whether each hard criterion holds and the balance in aggregate.

    A description of several parts ("a, b and c") has those parts as sub-topics; a single
    phrase has the topics its relevant sections belong to (kb.search.relevance) that are
    closest to it as a whole (`about(phrase)`: the cosine of each topic's centre), or, when
    that is one topic, itself as typed, on every section that answers it. A
    sub-topic with no relevant section is reported as uncovered. `search(query, k)` gives the
    sections for a sub-topic, `rank(query, sections)` their authors, best first, as `kb
    experts` ranks them (a vote for the best section alone left the warehouse supervisor out
    of "warehouse stock counts", whose cycle-count page answers it nearly as well).
    """
    s = settings
    # Said back as shown (`plain`), and its parts: a bidi control came back in every shell.
    description = plain(description)
    labels, groups, weights, asked = [], [], [], []
    parts = subtopics(description)
    if len(parts) >= 2:
        for part in parts:
            labels.append(part)
            asked.append(part)
            groups.append(search(part, s.expert_pool))
            weights.append(1.0)  # the user named each part
    else:
        # The phrase's topics, and those of each thing it joins with "and" ("sync claims
        # into NetSuite and a GDPR review"): the whole phrase's closest topics alone dropped
        # the review (a trial of the app's views).
        by_topic: dict[int, list[Hit]] = defaultdict(list)
        relevance: dict[int, float] = {}
        chosen: list[int] = []
        source: dict[int, str] = {}  # the phrase that found a topic first
        for phrase in (description, *_joined(description)):
            found: dict[int, list[Hit]] = defaultdict(list)
            for hit in search(phrase, s.expert_pool):
                found[people.topic_of(hit.chunk.path)].append(hit)
            # A topic is a part for what it is about as a whole, not for its one section
            # closest to the phrase: the backups page's line on the warehouses made backups
            # the one part of "replace the warehouse system" (a trial).
            whole = about(phrase)
            near = {
                t: whole.get(t, 0.0) for t, hits in found.items() if any(h.relevant for h in hits)
            }
            for t in closest_topics(near):
                if t not in chosen:
                    chosen.append(t)
                    source[t] = phrase
            for t, hits in found.items():
                by_topic[t] += [h for h in hits if h not in by_topic[t]]
                relevance[t] = max(relevance.get(t, 0.0), near.get(t, 0.0))
        if len(chosen) == 1:
            # One topic: the part is the phrase as typed, and every section that answers it
            # counts, as in `kb experts`. Named for its topic, "GDPR review of the customer
            # data" was 'Handling GDPR data subject requests', a page title, over a security
            # standard's section, and the Customer 360 model's "Personal data and GDPR" (in
            # another topic) was no one's evidence: "no one else wrote on" it (a trial).
            labels, asked, weights = [description], [description], [1.0]
            groups.append([h for hits in by_topic.values() for h in hits])
        else:
            for number in chosen:
                labels.append(people.topics[number].label)
                asked.append(source[number])
                groups.append(by_topic[number])
                weights.append(relevance[number] / max(relevance.values()))
        if not labels:
            labels, groups, weights, asked = [description], [[]], [1.0], [description]
    directory = people.writing.directory
    scores, experts, uncovered, covered, kept = [], [], [], [], []
    unstaffed: list[str] = []
    left_out: dict[str, str] = {}  # name -> why kb may not staff them
    for label, query, hits, weight in zip(labels, asked, groups, weights, strict=True):
        # Only what answers counts, as for `kb experts`.
        relevant = [h for h in hits if h.relevant]
        ranked = rank(query, relevant)[:20] if relevant else []
        if not ranked:  # nothing written on it, or no one credited with what is
            uncovered.append(label)
            continue
        # Never staffed: who has left or opted out, and, with a directory, who it does not
        # list (the trial staffed a legal counsel whose entry was removed when he left).
        top = ranked[0].score or 1.0
        for p in ranked:
            why = directory.not_enrolled(p.name)
            if why and p.score / top >= COVERS:  # someone who would have counted
                left_out.setdefault(p.name, why)
        ranked = [p for p in ranked if directory.may_enrol(p.name)]
        if not ranked:
            unstaffed.append(label)
            continue
        top = ranked[0].score or 1.0
        scores.append({person_key(p.name): p.score / top for p in ranked})
        experts.append({person_key(p.name): p for p in ranked})
        covered.append(label)
        kept.append(weight)
    sides = {key: home.department for key, home in homes.items()}
    rules = Rules(criteria, people.writing.directory, homes) if criteria else None
    members = choose(scores, sides, size, kept, rules)
    covers = []
    for label, score, found in zip(covered, scores, experts, strict=True):
        who = sorted((m for m in members if score.get(m, 0) >= COVERS), key=lambda m: -score[m])
        # Each member's best page on it: the first's alone left the others unsupported. A
        # page two members wrote is cited once (a trial read one WMS page listed twice).
        best = (found[m].evidence[0] for m in who if found[m].evidence)
        evidence = tuple({(e.path, e.heading): e for e in best}.values())
        covers.append(Cover(label, tuple(found[m].name for m in who), evidence))
    return TeamProposal(
        description=description,
        members=tuple(people.colleague(m) for m in members),
        covers=tuple(covers),
        uncovered=tuple(uncovered),
        unstaffed=tuple(unstaffed),
        left_out=tuple(f"{name} ({why})" for name, why in left_out.items()),
        checks=rules.checks(members, sorted({k for s in scores for k in s})) if rules else (),
        balance=rules.balance_report(members) if rules else (),
        others=_others(scores, members, people),
    )


def _others(
    scores: Sequence[Mapping[str, float]], members: Sequence[str], people: PeopleAnalysis
) -> tuple[str, ...]:
    """The names of those credited with a part who are not on the team, the most credited
    (their best score on any part) first."""
    best: dict[str, float] = {}
    for score in scores:
        for key, value in score.items():
            if key not in members:
                best[key] = max(best.get(key, 0.0), value)
    return tuple(people.colleague(k).name for k in sorted(best, key=lambda k: (-best[k], k)))


def _joined(phrase: str) -> list[str]:
    """The things a one-phrase description joins with "and", each of two words or more ("a
    GDPR review"); none when a side is one word ("terms and conditions")."""
    sides = [p.strip() for p in _LAST_AND.split(phrase)]
    return sides if len(sides) > 1 and all(len(_WORDS.findall(p)) >= 2 for p in sides) else []


def subtopics(description: str) -> list[str]:
    """The parts of a project description that name separate things to know.

    Commas, semicolons, lines and bullets separate parts; "and" does only in the last item
    of such a list ("a, b and c"), so "new starter laptop and accounts" stays one idea. A
    list after a name and a colon ("WMS replacement: picking, carriers") has the list's
    items as parts: the name is the project's, not a part's (a trial).
    """
    head, colon, rest = description.partition(":")
    if colon and rest[:1].isspace() and _LIST.search(rest) and not _LIST.search(head):
        description = rest
    parts = [p.strip(" .:") for p in _LIST.split(description)]
    parts = [p for p in parts if _WORDS.search(p)]
    if len(parts) >= 2:
        parts[-1:] = [p.strip() for p in _LAST_AND.split(parts[-1]) if _WORDS.search(p)]
    return parts


def closest_topics(
    relevance: Mapping[int, float], *, window: float = 0.05, most: int = 3
) -> list[int]:
    """The topics a one-phrase description is about: at most `most`, within `window` of the
    best topic's relevance (the cosine of its centre), best first.

    The team's size does not change them: a bigger team adds backups, not stray topics.
    """
    if not relevance:
        return []
    best = max(relevance.values())
    keep = [t for t, r in relevance.items() if r >= best - window]
    return sorted(keep, key=lambda t: (-relevance[t], t))[:most]


def choose(
    scores: Sequence[Mapping[str, float]],
    departments: Mapping[str, str],
    size: int,
    weights: Sequence[float] | None = None,
    rules: Rules | None = None,
) -> list[str]:
    """Up to `size` people (keys), in the order they join, covering `scores`' sub-topics.

    `weights` says how much each sub-topic matters (default: all alike). Only people who
    cover some sub-topic (a score of at least `COVERS`) can join: a team member should be
    there for something. `rules` (the criteria set in advance) decide who may join next and
    weigh balance.
    """
    useful = {p for s in scores for p, v in s.items() if v >= COVERS}
    # A criterion may need someone who knows a part less well: anyone with evidence for it.
    reserve = {p for s in scores for p in s} - useful if rules is not None else set()
    if weights is not None:
        scores = [{p: v * w for p, v in s.items()} for s, w in zip(scores, weights, strict=True)]
    team: list[str] = []
    people = sorted(useful | reserve)
    if rules is not None:
        rules.consider(people)
    while len(team) < size:
        sides = {departments.get(p, "") for p in team}
        before = _cover(scores, team)
        best, best_gain = None, 0.0
        for person in people:
            if person in team:
                continue
            if rules is not None and not rules.allows(team, person, size - len(team)):
                continue
            if person in reserve and not rules.fills(team, person):
                continue
            gain = _cover(scores, [*team, person]) - before
            if rules is not None and gain <= 1e-9 and rules.fills(team, person):
                gain = 1e-6  # adds no cover, but a criterion needs someone like them
            if departments.get(person, "") not in sides:
                gain *= 1 + DIVERSITY
            if rules is not None:
                gain *= rules.bonus(team, person)
            if gain > best_gain + 1e-9:
                best, best_gain = person, gain
        if best is None:
            break
        team.append(best)
    return team


def _cover(scores: Sequence[Mapping[str, float]], team: Sequence[str]) -> float:
    total = 0.0
    for s in scores:
        top = sorted((s.get(p, 0.0) for p in team), reverse=True)[:2] + [0.0, 0.0]
        total += top[0] + BACKUP * top[1]
    return total
