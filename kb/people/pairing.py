"""Pairs across the IT/business divide: how close two people's writing is, and one round.

Two people's overlap is the mean of the three highest cosine similarities between a section
one wrote and a section the other wrote, never counting a page they wrote together (that
would only say they already work together). A round takes the strongest remaining pair
first, so each person is in at most one pair. Chance comes from a hash of the seed and the
two names: the same seed gives the same round whatever order people are listed in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kb.models import PAIR_KINDS

KINDS = PAIR_KINDS
# What each programme asks of a month: a person whose people.yaml capacity is lower is not
# available for it (a shadowing day is a working day; the others meet an hour or two).
HOURS = {"tandem": 2, "mentoring": 2, "coffee": 1, "shadowing": 8, "reverse-mentoring": 2}
# How many months a pairing runs (hr/learning-budget-and-tandems.md: a tandem 3, mentoring 6);
# a coffee and a shadowing day are one meeting. No one is paired for one that would end on
# or after their `left:` day: a mentee should not lose their mentor half way.
MONTHS = {"tandem": 3, "mentoring": 6, "coffee": 0, "shadowing": 0, "reverse-mentoring": 6}
LINKED = 1.0  # shadowing: pages that link to each other outrank any overlap of writing
TOP = 3  # section pairs whose similarity makes an overlap
JITTER = 0.1  # tandem and mentoring: a new seed reshuffles only near-ties (±10%)
COFFEE_CHANCE = 0.5  # coffee: half chance, half overlap
WORK_TOGETHER = 0.8  # co-authors already know each other: their overlap counts less


@dataclass(frozen=True)
class Overlap:
    """How close two people's writing is, and the section pairs that show it."""

    score: float
    pairs: tuple[tuple[int, int, float], ...]  # (row of the first, row of the second, cosine)
    coauthors: bool


def overlap(
    left: Sequence[int],
    right: Sequence[int],
    vectors: np.ndarray,
    pages: np.ndarray,
) -> Overlap:
    """The overlap of two people's sections (`pages[row]` numbers the page of a row)."""
    if not len(left) or not len(right):
        return Overlap(0.0, (), False)
    left, right = list(left), list(right)
    sims = vectors[left] @ vectors[right].T
    # A page both wrote counts on neither side: two co-authors of near-identical pages (a
    # handbook's mid-year and end-of-year steps) were "close" by their own shared pages.
    theirs, mine = np.isin(pages[left], pages[right]), np.isin(pages[right], pages[left])
    coauthors = bool(theirs.any())
    sims = np.where(theirs[:, None] | mine[None, :], -np.inf, sims)
    flat = np.argsort(-sims, axis=None, kind="stable")[:TOP]
    best = [
        (left[i // len(right)], right[i % len(right)], float(sims.flat[i]))
        for i in flat
        if np.isfinite(sims.flat[i])
    ]
    if not best:
        return Overlap(0.0, (), coauthors)
    score = float(np.mean([s for _, _, s in best])) * (WORK_TOGETHER if coauthors else 1.0)
    return Overlap(score, tuple(best), coauthors)


def closeness(
    left: Sequence[int],
    others: Sequence[Sequence[int]],
    vectors: np.ndarray,
    pages: np.ndarray,
) -> np.ndarray:
    """`overlap(left, o).score` for every `o` in `others` at once (coauthor discount included).

    One matrix product against everyone's sections, then the three best section pairs per
    colleague in one pass: the top three of a block are among the top three of its columns.
    """
    out = np.zeros(len(others), dtype=np.float64)
    cols = np.fromiter((r for rows in others for r in rows), dtype=np.int64)
    if not len(left) or not len(cols):
        return out
    owner = np.repeat(np.arange(len(others)), [len(rows) for rows in others])
    left = np.asarray(list(left))
    sims = vectors[left] @ vectors[cols].T
    # As in `overlap`: a page both wrote counts on neither side (the left row's page is
    # the colleague's too, or the colleague's row's page is the left's).
    span = int(pages.max()) + 1
    written = np.unique(owner * span + pages[cols])  # (colleague, page) pairs
    theirs = np.isin(owner[None, :] * span + pages[left][:, None], written)
    mine = np.isin(pages[cols], pages[left])
    sims = np.where(theirs | mine[None, :], -np.inf, sims)
    depth = min(TOP, len(left))
    best = -np.partition(-sims, depth - 1, axis=0)[:depth]  # each column's best rows
    values, who = best.ravel(), np.tile(owner, depth)
    keep = np.isfinite(values)
    values, who = values[keep], who[keep]
    order = np.lexsort((-values, who))
    values, who = values[order], who[order]
    starts = np.searchsorted(who, who)  # first position of each colleague's run
    top = np.arange(len(who)) - starts < TOP
    # As floats even when no pair is left (bincount of no weights counts in integers).
    sums = np.bincount(who[top], weights=values[top], minlength=len(others)).astype(np.float64)
    counts = np.bincount(who[top], minlength=len(others))
    out = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
    shared = np.bincount(owner, weights=mine, minlength=len(others)) > 0
    return np.where(shared, out * WORK_TOGETHER, out)


def chance(seed: int, first: str, second: str) -> float:
    """A number in [0, 1) fixed by the seed and the two names (in either order)."""
    a, b = sorted((first, second))
    digest = hashlib.sha256(f"{seed}\0{a}\0{b}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def score(kind: str, closeness: float, luck: float) -> float:
    """How much a round wants this pair: overlap, with chance mixed in as `kind` says."""
    if kind == "coffee":
        return (1 - COFFEE_CHANCE) * closeness + COFFEE_CHANCE * luck
    return closeness * (1 + JITTER * (2 * luck - 1))


def one_round(candidates: Sequence[tuple[float, str, str]]) -> list[tuple[float, str, str]]:
    """The strongest pairs first, each person in at most one pair."""
    taken: set[str] = set()
    chosen = []
    for value, first, second in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if first in taken or second in taken or first == second:
            continue
        taken |= {first, second}
        chosen.append((value, first, second))
    return chosen
