"""Querying: a loaded index plus a model, answering searches, expert lookups and the people
side. Besides wiring it holds the team, gaps and profile assembly (issue 14 moves them out)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import numpy as np

from kb.backends.base import IndexBackend, LocalBackend, Where
from kb.config import EXPERT_MODELS, Settings
from kb.content.departments import other_side
from kb.embed.base import Embedder, embedder_for
from kb.models import (
    FILTER_FIELDS,
    Cover,
    Directory,
    Expert,
    Filters,
    GapReport,
    Hit,
    OneSided,
    Page,
    PageCredit,
    Pair,
    Pairing,
    Person,
    Profile,
    TeamProposal,
    Unanswered,
    consent_key_id,
    person_key,
)
from kb.people import searchlog
from kb.people.analysis import Bridges
from kb.people.gaps import names_hidden, stale_pages
from kb.people.team import COVERS, choose, closest_topics, subtopics
from kb.search.experts import home_teams, profile_vectors, rank_experts
from kb.search.fusion import rrf
from kb.search.searcher import Searcher


def directory_of(manifest: dict) -> Directory:
    """The people directory an index recorded (hidden people are never recorded)."""
    return Directory(
        tuple(
            Person(
                **{**p, "aliases": tuple(p["aliases"]), "available_for": tuple(p["available_for"])}
            )
            for p in manifest.get("people", ())
        )
    )


def _withheld_note(withheld: int, secret: str) -> str:
    why = "KB_CONSENT_KEY is not the key the index was built with; " if secret else ""
    return (
        f"{why}set KB_CONSENT_KEY when indexing and reporting to list unanswered searches; "
        f"{withheld} withheld because people are hidden"
    )


def open_knowledge_base(
    where: Where,
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    search_log: Path | None = None,
) -> KnowledgeBase:
    """The index `where` names, with the model it was built with (queries are embedded the
    way the index was; pass `embedder` to reuse one already loaded for that model).
    `search_log` is where `search(..., log=True)` records searches (none: not kept)."""
    embedder = embedder or embedder_for(where.model())
    backend = where.open(model_name=embedder.name, dim=embedder.dim)
    return KnowledgeBase(
        where.index_dir, embedder, settings, backend=backend, search_log=search_log
    )


class KnowledgeBase:
    """The query side of kb: sections, people, pages and profiles of one loaded index."""

    def __init__(
        self,
        index_dir: Path,
        embedder: Embedder,
        settings: Settings,
        *,
        backend: IndexBackend | None = None,
        search_log: Path | None = None,
    ) -> None:
        """The index in `index_dir`, or the one `backend` holds (e.g. a Milvus collection)."""
        self.index_dir = index_dir
        self.search_log = search_log
        self.settings = settings
        self.index = backend or LocalBackend.open(
            index_dir, model_name=embedder.name, dim=embedder.dim
        )
        self._searcher = Searcher(self.index, embedder, settings)
        self.directory = directory_of(self.index.manifest)
        # Home team and department: people.yaml where it says, else where they write most.
        self._homes = home_teams(self.index.chunks)
        for person in self.directory.people:
            for key in person.identities():
                team, department = self._homes.get(key, ("", ""))
                self._homes[key] = (person.team or team, person.department or department)
        self._profiles: tuple | None = None  # built on first use of a profile model
        self._bridges: Bridges | None = None

    @property
    def bridges(self) -> Bridges:
        """Topics, pairs, teams and gaps over this index (computed on first use)."""
        if self._bridges is None:
            vectors = self.index.vectors()
            self._bridges = Bridges(
                self.index.chunks,
                vectors,
                self._homes,
                self.directory,
                self.settings,
                hidden_words=frozenset(self.manifest.get("consent_word_digests", ())),
                secret=self._consent_secret(),
                blind=bool(self.manifest.get("consent")) and not self._consent_secret(),
            )
        return self._bridges

    def _consent_secret(self) -> str:
        """The key this index's consent digests were made with, if the settings hold it."""
        secret = self.settings.consent_key
        made_with = self.manifest.get("consent_key_id", "")
        return secret if secret and made_with == consent_key_id(secret) else ""

    @property
    def manifest(self) -> dict:
        return self.index.manifest

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        filters: Filters | None = None,
        mode: str = "",
        log: bool = False,
    ) -> list[Hit]:
        """Ranked sections; `mode` is dense, bm25 or hybrid (default: `Settings.retrieval`).

        `log`: record the search in the opt-in search log, if this knowledge base keeps one
        (the log `gaps` reads for searches that found nothing good)."""
        hits = self._searcher.search(query, k=k, filters=filters, mode=mode)
        if log and self.search_log is not None:
            used = mode or self.settings.retrieval
            searchlog.record(self.search_log, query, hits, mode=used, filters=filters)
        return hits

    def experts(
        self,
        query: str,
        *,
        k: int = 5,
        filters: Filters | None = None,
        team: str = "",
        department: str = "",
        bridge: bool = False,
        mode: str = "",
        model: str = "",
    ) -> list[Expert]:
        """People who wrote the sections that best answer `query`.

        `team` and `department` keep people of that home team or department. `bridge` keeps
        people of the department opposite to `filters.department`, ranked on sections of
        every department: the colleagues across the IT/business divide who know the topic.
        `model` is document, profile or combined (default: `Settings.expert_model`).
        """
        s = self.settings
        model = model or s.expert_model
        if model not in EXPERT_MODELS:
            raise ValueError(f"unknown expert model {model!r}; use one of {EXPERT_MODELS}")
        filters = filters or Filters()
        wanted = other_side(filters.department) if bridge else ""
        if bridge:
            filters = filters.without("department")
        hits = self._searcher.search(query, k=s.expert_pool, filters=filters, mode=mode)
        people = rank_experts(
            hits,
            k=len(hits) * 4,
            temperature=s.expert_temperature,
            evidence_per_expert=s.evidence_per_expert,
            homes=self._homes,
        )
        if model != "document":
            people = self._with_profiles(query, people, combined=model == "combined")
        if team:
            people = [p for p in people if p.team.casefold() == team.casefold()]
        for side in (wanted, department):
            if side:
                people = [p for p in people if p.department.casefold() == side.casefold()]
        return people[:k]

    def _with_profiles(self, query: str, people: list[Expert], *, combined: bool) -> list[Expert]:
        """Rank by the person's whole body of writing (or fuse that with the section votes)."""
        if self._profiles is None:
            self._profiles = profile_vectors(self.index.chunks, self.index.vectors())
        keys, names, matrix = self._profiles
        if not keys:
            return people
        sims = matrix @ self._searcher.query_vector(query)
        order = np.argsort(-sims)[: max(100, len(people))]
        by_profile = [(keys[i], float(sims[i])) for i in order]
        voted = {person_key(p.name): p for p in people}
        if combined:
            fused = rrf([(person_key(p.name), p.score) for p in people], by_profile)
            ranked = sorted(fused.items(), key=lambda ks: (-ks[1], ks[0]))
        else:
            ranked = by_profile
        out = []
        for key, score in ranked:
            team, department = self._homes.get(key, ("", ""))
            evidence = voted[key].evidence if key in voted else ()
            out.append(Expert(names[key], round(score, 6), team, evidence, department))
        return out

    def team(self, description: str, *, size: int = 4) -> TeamProposal:
        """A cross-functional team covering the description's sub-topics, who covers what.

        A description of several parts ("a, b and c") has those parts as sub-topics; a single
        phrase has the topics its best sections belong to. A sub-topic whose best section is
        less similar than `Settings.nothing_good_below` is reported as uncovered.
        """
        s = self.settings
        labels, groups, weights = [], [], []
        parts = subtopics(description)
        if len(parts) >= 2:
            for part in parts:
                labels.append(part)
                groups.append(self._searcher.search(part, k=s.expert_pool))
                weights.append(1.0)  # the user named each part
        else:
            by_topic: dict[int, list[Hit]] = defaultdict(list)
            for hit in self._searcher.search(description, k=s.expert_pool):
                by_topic[self.bridges.topic_of(hit.chunk.path).id].append(hit)
            relevance = {t: max(h.similarity for h in hits) for t, hits in by_topic.items()}
            for number in closest_topics(relevance, s.nothing_good_below):
                labels.append(self.bridges.topics[number].label)
                groups.append(by_topic[number])
                weights.append(relevance[number] / max(relevance.values()))
            if not labels:
                labels, groups, weights = [description], [[]], [1.0]
        scores, experts, uncovered, covered, kept = [], [], [], [], []
        for label, hits, weight in zip(labels, groups, weights, strict=True):
            good = hits and max(h.similarity for h in hits) >= s.nothing_good_below
            people = (
                rank_experts(
                    hits,
                    k=20,
                    temperature=s.expert_temperature,
                    evidence_per_expert=2,
                    homes=self._homes,
                )
                if good
                else []
            )
            if not people:  # nothing written on it, or no one credited with what is
                uncovered.append(label)
                continue
            top = people[0].score or 1.0
            scores.append({person_key(p.name): p.score / top for p in people})
            experts.append({person_key(p.name): p for p in people})
            covered.append(label)
            kept.append(weight)
        sides = {key: home[1] for key, home in self._homes.items()}
        members = choose(scores, sides, size, kept)
        covers = []
        for label, score, found in zip(covered, scores, experts, strict=True):
            who = sorted((m for m in members if score.get(m, 0) >= COVERS), key=lambda m: -score[m])
            evidence = found[who[0]].evidence if who else ()
            covers.append(Cover(label, tuple(found[m].name for m in who), evidence))
        return TeamProposal(
            description=description,
            members=tuple(self.bridges.colleague(m) for m in members),
            covers=tuple(covers),
            uncovered=tuple(uncovered),
        )

    def gaps(self, *, today: date, log: Path | None = None, top: int = 20) -> GapReport:
        """Topics resting on one person or one department, stale pages, unanswered searches.

        `log` is the opt-in search log; its searches that name someone hidden are dropped.
        Only the key the index was built with (`Settings.consent_key`) can tell which do:
        without it, while anyone is hidden, every logged search is withheld, and `note` says so.
        """
        s = self.settings
        b = self.bridges
        topics = sorted(b.topics, key=lambda t: (t.bus_factor, -len(t.pages), t.id))
        one_sided = tuple(OneSided(t, b.across(t)) for t in topics if len(t.departments) == 1)
        stale = stale_pages(list(self.index.pages.values()), today, s.stale_after_days)
        searches, problems = searchlog.read(log) if log else ([], [])
        digests = frozenset(self.manifest.get("consent_digests", ()))
        words = frozenset(self.manifest.get("consent_word_digests", ()))
        secret = self._consent_secret()
        blind = bool(self.manifest.get("consent")) and not secret
        unanswered, withheld, total = [], 0, 0
        for _, group in searchlog.nothing_good(searches, s.nothing_good_below):
            query = group[-1].query
            if blind or names_hidden(query, digests, secret, words):
                withheld += len(group)
                continue
            total += 1
            if len(unanswered) == top:
                continue
            hits = self.search(query, k=1)
            writers = [b.colleague(person_key(e.name)) for e in self.experts(query, k=3)]
            unanswered.append(
                Unanswered(
                    query=query,
                    times=len(group),
                    best_similarity=max(x.best_similarity for x in group),
                    closest=hits[0].chunk.title if hits else "",
                    writers=tuple(writers),
                )
            )
        return GapReport(
            topics=tuple(topics),
            one_sided=one_sided,
            stale=tuple(stale),
            unanswered=tuple(unanswered),
            searches_logged=len(searches),
            unanswered_total=total,
            withheld=withheld,
            warnings=tuple(str(p) for p in problems),
            note=_withheld_note(withheld, s.consent_key) if blind and withheld else "",
        )

    def pairs(
        self, kind: str, *, seed: int = 0, avoid: frozenset[frozenset[str]] = frozenset()
    ) -> Pairing:
        """One round of pairs of `kind` across the divide; `avoid` holds earlier pairs."""
        return self.bridges.pairs(kind, seed=seed, avoid=avoid)

    def partners(self, name: str) -> tuple[Pair, ...]:
        """The colleagues across the divide whose writing overlaps most with `name`'s."""
        return self.bridges.partners(name)

    def forget_queries(self) -> None:
        self._searcher.forget_queries()

    def loosen(self, query: str, filters: Filters) -> list[str]:
        """Names of the filters whose removal alone would give results (for 'no results')."""
        return [
            name
            for name in FILTER_FIELDS
            if getattr(filters, name) and self.search(query, k=1, filters=filters.without(name))
        ]

    def page(self, path: str) -> Page | None:
        return self.index.pages.get(path)

    def people(self) -> list[str]:
        names = {person_key(a.name): a.name for p in self.index.pages.values() for a in p.authors}
        return sorted(names.values(), key=str.casefold)

    def facets(self) -> dict[str, list[str]]:
        """The values each filter can take, for pickers."""
        pages = self.index.pages.values()
        return {
            "department": sorted({p.department for p in pages if p.department}),
            "team": sorted({p.team for p in pages if p.team}),
            "tag": sorted({t for p in pages for t in p.tags}, key=str.casefold),
            "author": self.people(),
        }

    def profile(self, name: str, *, topics: int = 8) -> Profile | None:
        """What `name` wrote: pages (largest share first), topics in words, tags, teams."""
        listed = self.directory.find(name)  # an alias finds the person too
        key = person_key(listed.name if listed else name)
        credits: list[PageCredit] = []
        topic_weight: Counter[str] = Counter()
        team_weight: dict[str, float] = defaultdict(float)
        display = ""
        for page in self.index.pages.values():
            share = next((a for a in page.authors if person_key(a.name) == key), None)
            if share is None:
                continue
            display = share.name
            credits.append(PageCredit(page.path, page.title, page.team, page.updated, share.share))
            for tag in page.tags:
                topic_weight[tag] += share.share
            if page.team:
                team_weight[page.team] += share.share
        if not credits:
            return None
        credits.sort(key=lambda c: (-c.share, c.title))
        team, department = self._homes.get(key, ("", ""))
        listed = self.directory.find(display) or Person(display)
        return Profile(
            name=display,
            team=team,
            department=department,
            pages=tuple(credits),
            topics=self.bridges.terms_of(key, topics),
            tags=tuple(t for t, _ in topic_weight.most_common(topics)),
            teams=tuple(sorted(team_weight, key=lambda t: -team_weight[t])),
            last_update=max((c.updated for c in credits), default=""),
            role=listed.role,
            available_for=listed.available_for,
        )
