"""Ranked pages or sections -> ranked people (document-centric expert finding).

Two voting models, each voter's vote split among its authors by their share of the page:

absvote (the default)  the best pages (`Settings.expert_pages`) vote, each weighing
    exp((score - best) / `Settings.page_vote_temperature`) on a page score in [0, 1] that
    means the same for every query (`Searcher.page_scores`): a title that names one page
    gives it a score far above the rest, so its authors take the votes (who wrote this).
    Blended (`blend`) with textbook CombSUM over the best pages by BM25, which rewards how
    much of an area a person covers (who will answer this).
document  the retrieved sections vote, each weighing exp((cosine - best) / temperature):
    the sections closest to the query dominate.

Either way only people with a relevant section are listed (a long tail of weak matches
cannot make a prolific writer look like the expert), with those sections as evidence.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

import numpy as np

from kb.models import NOWHERE, Author, Chunk, Evidence, Expert, Hit, Home, Page, person_key
from kb.search.fusion import rrf
from kb.search.relevance import WEAK


def rank_experts(
    hits: list[Hit],
    *,
    temperature: float,  # Settings.expert_temperature: one default, in one place
    k: int = 5,
    evidence_per_expert: int = 3,
    homes: Mapping[str, Home] | None = None,
) -> list[Expert]:
    """People ranked by the relevance of the sections they wrote, with those sections."""
    if not hits:
        return []
    # Votes weigh by cosine similarity, calibrated the same whatever fused the ranking.
    best = max(h.similarity for h in hits)
    scores: dict[str, float] = defaultdict(float)
    names: dict[str, str] = {}
    evidence: dict[str, list[tuple[float, Evidence]]] = defaultdict(list)
    for hit in hits:
        weight = math.exp((hit.similarity - best) / temperature)
        for author in hit.chunk.authors:
            key = person_key(author.name)
            names.setdefault(key, author.name)
            credit = weight * author.share
            scores[key] += credit
            evidence[key].append((credit, _evidence(hit)))
    return _listed(scores, scores, names, evidence, k, evidence_per_expert, homes)


def rank_by_pages(
    pages: list[tuple[str, float]],
    hits: list[Hit],
    authors: Mapping[str, Sequence[Author]],
    *,
    temperature: float,  # Settings.page_vote_temperature
    spread: list[tuple[str, float]] | None = None,
    k: int = 5,
    evidence_per_expert: int = 3,
    homes: Mapping[str, Home] | None = None,
) -> list[Expert]:
    """People ranked by the votes of `pages` (`Searcher.page_scores`), each page's vote
    split among its `authors` (path -> authors) by their shares, blended with CombSUM over
    `spread` unless it is None (`blend`; an empty one leaves the votes' distribution).
    Only the authors of `hits` (the relevant sections) are listed, with those sections as
    evidence, strongest vote first; one whose pages fell outside `pages` comes after those
    voted for."""
    votes, names, weights = page_votes(pages, authors, temperature)
    if spread is not None:
        votes = blend(votes, combsum(spread, authors, names))
    evidence: dict[str, list[tuple[float, Evidence]]] = defaultdict(list)
    for hit in hits:
        for author in hit.chunk.authors:
            key = person_key(author.name)
            names.setdefault(key, author.name)
            credit = weights.get(hit.chunk.path, 0.0) * author.share
            evidence[key].append((credit, _evidence(hit)))
    return _listed(evidence, votes, names, evidence, k, evidence_per_expert, homes)


def _listed(
    people: Iterable[str],
    votes: Mapping[str, float],
    names: Mapping[str, str],
    evidence: Mapping[str, list[tuple[float, Evidence]]],
    k: int,
    evidence_per_expert: int,
    homes: Mapping[str, Home] | None,
) -> list[Expert]:
    """The `k` of `people` (person keys) with the most `votes`, as experts with their home
    and their best evidence, one entry per page."""
    ranked = sorted(people, key=lambda key: (-votes.get(key, 0.0), names[key]))[:k]
    homes = homes or {}
    return [
        Expert(
            name=names[key],
            score=round(votes.get(key, 0.0), 4),
            team=homes.get(key, NOWHERE).team,
            department=homes.get(key, NOWHERE).department,
            evidence=_per_page(evidence[key], evidence_per_expert),
            confidence=max((e.confidence for _, e in evidence[key]), default=0.0),
        )
        for key in ranked
    ]


def page_votes(
    pages: list[tuple[str, float]], authors: Mapping[str, Sequence[Author]], temperature: float
) -> tuple[dict[str, float], dict[str, str], dict[str, float]]:
    """Each person's votes from `pages` (path, score): a page's vote weighs
    exp((score - best score) / temperature) and is split among its authors by their shares.

    Returns (person key -> votes, person key -> display name, path -> the page's weight).
    """
    best = max((score for _, score in pages), default=0.0)
    votes: dict[str, float] = defaultdict(float)
    names: dict[str, str] = {}
    weights: dict[str, float] = {}
    for path, score in pages:
        weights[path] = math.exp((score - best) / temperature)
        for author in authors.get(path, ()):
            key = person_key(author.name)
            names.setdefault(key, author.name)
            votes[key] += author.share * weights[path]
    return dict(votes), names, weights


def combsum(
    pages: Iterable[tuple[str, float]],
    authors: Mapping[str, Sequence[Author]],
    names: dict[str, str] | None = None,
) -> dict[str, float]:
    """Textbook voting (CombSUM): each person's sum of the scores of `pages` (path, score)
    they wrote, by their share of each; their display names are added to `names`."""
    votes: dict[str, float] = defaultdict(float)
    for path, score in pages:
        for author in authors.get(path, ()):
            key = person_key(author.name)
            if names is not None:
                names.setdefault(key, author.name)
            votes[key] += author.share * score
    return dict(votes)


def blend(sharp: Mapping[str, float], smooth: Mapping[str, float]) -> dict[str, float]:
    """Each person's share of the `sharp` votes plus their share of the `smooth` ones.

    Sharp votes find who wrote the one page a question names; smooth ones, how much of the
    area a person covers, which predicts who answers a new question (docs/quality.md).
    Each is made a distribution first, so neither scale decides, and they weigh the same:
    no expert set picks the weight, as no corpus picks hybrid search's."""
    totals = [sum(sharp.values()) or 1.0, sum(smooth.values()) or 1.0]
    return {
        key: sharp.get(key, 0.0) / totals[0] + smooth.get(key, 0.0) / totals[1]
        for key in {*sharp, *smooth}
    }


def home_teams(chunks: Sequence[Chunk | Page]) -> dict[str, Home]:
    """Each person's team and department: those of the pages they hold the largest share of."""
    per_person: dict[str, Counter[Home]] = defaultdict(Counter)
    seen_pages: set[str] = set()
    for chunk in chunks:
        if chunk.path in seen_pages or not chunk.team:
            continue
        seen_pages.add(chunk.path)
        for author in chunk.authors:
            per_person[person_key(author.name)][Home(chunk.team, chunk.department)] += author.share
    return {
        key: sorted(counts.items(), key=lambda tc: (-tc[1], tc[0]))[0][0]
        for key, counts in per_person.items()
    }


def _per_page(found: list[tuple[float, Evidence]], most: int) -> tuple[Evidence, ...]:
    """The strongest evidence first, one entry per page (its best section), `most` at most."""
    pages: dict[str, Evidence] = {}
    for _, e in sorted(found, key=lambda ce: -ce[0]):
        pages.setdefault(e.path, e)
    return tuple(pages.values())[:most]


def _evidence(hit: Hit) -> Evidence:
    c = hit.chunk
    return Evidence(
        path=c.path,
        title=c.title,
        heading=c.heading,
        line=c.line,
        score=round(hit.score, 4),
        # A lookup's section holds every code typed: the page itself, not the model's guess,
        # whose confidence is set at the floor (kb.search.relevance); not weak evidence.
        confidence=1.0 if hit.lookup else round(hit.confidence, 4),
    )


def weakly_known(experts: Sequence[Expert]) -> bool:
    """Whether the best section of every expert one may ask (anyone listed, if all have
    left) is only barely relevant (under `WEAK`): the closest authors, not people who know."""
    here = [e for e in experts if not e.left] or experts
    return bool(here) and max(e.confidence for e in here) < WEAK


def profile_vectors(
    chunks: tuple[Chunk, ...] | list[Chunk], vectors: np.ndarray
) -> tuple[list[str], dict[str, str], np.ndarray]:
    """One unit vector per person: the share-weighted mean of the chunks they wrote.

    Returns (person keys, key -> display name, matrix with one row per key).
    """
    sums: dict[str, np.ndarray] = {}
    names: dict[str, str] = {}
    for chunk, vec in zip(chunks, vectors, strict=True):
        for author in chunk.authors:
            key = person_key(author.name)
            names.setdefault(key, author.name)
            sums[key] = sums.get(key, 0) + author.share * vec
    keys = sorted(sums)
    if not keys:
        return [], {}, np.zeros((0, vectors.shape[1] if vectors.ndim == 2 else 0), np.float32)
    matrix = np.vstack([sums[k] for k in keys]).astype(np.float32)
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    return keys, names, matrix


def rank_by_profile(
    people: list[Expert],
    query_vector: np.ndarray,
    profiles: tuple[list[str], dict[str, str], np.ndarray],
    homes: Mapping[str, Home],
    *,
    combined: bool,
) -> list[Expert]:
    """`people` (those with relevant evidence) ranked by their whole body of writing
    (`profiles`, from `profile_vectors`), or with `combined` by that fused with their section
    votes; evidence is the votes'. No one without evidence is added."""
    keys, names, matrix = profiles
    # People who wrote the same pages have the same profile, up to the float rounding of
    # their sums: a difference below 1e-5 is no evidence, so they tie, and ties go by key
    # (`keys` is sorted), not by how an unstable sort met them.
    sims = np.round(matrix @ query_vector, 5)
    order = np.argsort(-sims, kind="stable")[: max(100, len(people))]
    by_profile = [(keys[i], float(sims[i])) for i in order]
    voted = {person_key(p.name): p for p in people}
    if combined:
        fused = rrf([(person_key(p.name), p.score) for p in people], by_profile)
        ranked = sorted(fused.items(), key=lambda ks: (-ks[1], ks[0]))
    else:
        ranked = by_profile
    out = []
    for key, score in ranked:
        if key not in voted:
            continue
        home = homes.get(key, NOWHERE)
        out.append(
            replace(
                voted[key],
                name=names[key],
                score=round(score, 6),
                team=home.team,
                department=home.department,
            )
        )
    return out
