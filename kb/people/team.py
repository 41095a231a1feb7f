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
from collections.abc import Mapping, Sequence

DIVERSITY = 0.3
BACKUP = 0.5  # the second-best member's weight in a sub-topic's cover
COVERS = 0.3  # a member covers a sub-topic with at least this score for it
_LIST = re.compile(r"[,;\n•]|\s[-–]\s")
_LAST_AND = re.compile(r"\s(?:and|&)\s")
_WORDS = re.compile(r"\w{3,}")


def subtopics(description: str) -> list[str]:
    """The parts of a project description that name separate things to know.

    Commas, semicolons, lines and bullets separate parts; "and" does only in the last item
    of such a list ("a, b and c"), so "new starter laptop and accounts" stays one idea.
    """
    parts = [p.strip(" .:") for p in _LIST.split(description)]
    parts = [p for p in parts if _WORDS.search(p)]
    if len(parts) >= 2:
        parts[-1:] = [p.strip() for p in _LAST_AND.split(parts[-1]) if _WORDS.search(p)]
    return parts


def closest_topics(
    relevance: Mapping[int, float], floor: float, *, window: float = 0.05, most: int = 3
) -> list[int]:
    """The topics a one-phrase description is about: at most `most`, within `window` of the
    best topic's relevance (cosine of its best section) and above `floor`, best first.

    The team's size does not change them: a bigger team adds backups, not stray topics.
    """
    if not relevance:
        return []
    best = max(relevance.values())
    keep = [t for t, r in relevance.items() if r >= max(floor, best - window)]
    return sorted(keep, key=lambda t: (-relevance[t], t))[:most]


def choose(
    scores: Sequence[Mapping[str, float]],
    departments: Mapping[str, str],
    size: int,
    weights: Sequence[float] | None = None,
) -> list[str]:
    """Up to `size` people (keys), in the order they join, covering `scores`' sub-topics.

    `weights` says how much each sub-topic matters (default: all alike). Only people who
    cover some sub-topic (a score of at least `COVERS`) can join: a team member should be
    there for something.
    """
    useful = {p for s in scores for p, v in s.items() if v >= COVERS}
    if weights is not None:
        scores = [{p: v * w for p, v in s.items()} for s, w in zip(scores, weights, strict=True)]
    team: list[str] = []
    people = sorted(useful)
    while len(team) < size:
        sides = {departments.get(p, "") for p in team}
        before = _cover(scores, team)
        best, best_gain = None, 0.0
        for person in people:
            if person in team:
                continue
            gain = _cover(scores, [*team, person]) - before
            if departments.get(person, "") not in sides:
                gain *= 1 + DIVERSITY
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
