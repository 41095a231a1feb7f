"""Querying: a loaded index plus a model, answering searches, expert lookups and the people
side. Wiring: the algorithms are the stages' (kb.search, kb.people); this holds what one
index loaded and answers the facade's verbs (`kb.facade.Facade`) with them.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

from kb.backends.base import IndexBackend
from kb.backends.local import LocalBackend
from kb.backends.location import IndexLocation
from kb.config import EXPERT_MODELS, Settings
from kb.content.departments import other_side, side_named
from kb.embed import heap
from kb.embed.base import Embedder, query_embedder_for
from kb.models import (
    FILTER_FIELDS,
    Author,
    Barcamp,
    Chunk,
    Directory,
    Expert,
    Experts,
    Filters,
    GapReport,
    Hit,
    Manifest,
    OnboardingPlan,
    Overview,
    Page,
    Pair,
    Pairing,
    Profile,
    Results,
    TeamCriteria,
    TeamProposal,
    person_key,
    rated,
)
from kb.models.consent import IndexConsent
from kb.people import barcamp, onboarding, profiles, searchlog
from kb.people.analysis import PeopleAnalysis
from kb.people.criteria import known_criteria
from kb.people.gaps import gap_report
from kb.people.overview import overview
from kb.people.team import propose
from kb.search.boilerplate import Boilerplate
from kb.search.cards import reading_order
from kb.search.examples import Examples
from kb.search.experts import profile_vectors, rank_by_pages, rank_by_profile, rank_experts
from kb.search.facets import count_pages
from kb.search.searcher import Searcher

_COUNTS_KEPT = 64  # facet counts remembered, one per filters asked for
SHOWN_K = 10  # sections every search reads, whatever `k` (the default number of results)
LOGGED_K = 10  # sections a logged search is judged on (as `kb search` and `report_missing`)


def open_knowledge_base(
    where: IndexLocation,
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    search_log: Path | None = None,
) -> KnowledgeBase:
    """The index `where` names, with the model it was built with (queries are embedded the
    way the index was; pass `embedder` to reuse one already loaded for that model).
    `search_log` is where `search(..., log=True)` and `log_search` record searches (none:
    not kept)."""
    embedder = embedder or query_embedder_for(where.model())
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
        self.embedder = embedder
        self.index = backend or LocalBackend.open(
            index_dir, model_name=embedder.name, dim=embedder.dim
        )
        self._searcher = Searcher(self.index, embedder, settings)
        self.directory = Directory.recorded(self.index.manifest)
        self._homes = profiles.homes(self.index.pages.values(), self.directory)
        self._all_chunks: tuple[Chunk, ...] | None = None
        self._authors: dict[str, tuple[Author, ...]] | None = None
        self._recurring: Boilerplate | None = None  # read on the first expert search
        # What the index recorded of who is hidden, readable only with the key it was made with.
        self._consent = IndexConsent.read(self.index.manifest, settings.consent_key)
        self._profiles: tuple | None = None  # built on first use of a profile model
        self._analysis: PeopleAnalysis | None = None
        self._counts: dict[Filters | None, dict[str, dict[str, int]]] = {}
        self._facets: dict[str, list[str]] | None = None  # made on first use
        self._example_questions: Examples | None = None  # checked by search as first offered
        self._people: tuple[str, ...] | None = None  # every author's name, on first use
        heap.trim()  # what reading the index's files left behind

    @property
    def analysis(self) -> PeopleAnalysis:
        """Topics, pairs and colleagues over this index (computed on first use)."""
        if self._analysis is None:
            self._analysis = PeopleAnalysis(
                self.all_chunks,
                self.index.vectors(),
                self._homes,
                self.directory,
                self.settings,
                self._consent,
                self.index.pages,
            )
        return self._analysis

    @property
    def all_chunks(self) -> tuple[Chunk, ...]:
        """Every chunk decoded and held, for the people side, which reads them all and often
        (a search reads only its hits' records)."""
        if self._all_chunks is None:
            self._all_chunks = tuple(self.index.chunks)
        return self._all_chunks

    @property
    def manifest(self) -> Manifest:
        return self.index.manifest

    @property
    def build(self) -> str:
        """The loaded build's id (its build time, for an index written without one)."""
        return self.manifest.build_id or self.manifest.built_at

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        filters: Filters | None = None,
        mode: str = "",
        log: bool = False,
        exact: bool = False,
    ) -> Results:
        """Ranked sections, the relevant ones first; `mode` is dense, bm25 or hybrid (default:
        `Settings.retrieval`). Misspelled words are corrected first (`corrected` says to
        what) unless `exact`.

        When filters leave no relevant section, `elsewhere` counts the relevant pages outside
        them by department. `log`: record the search in the opt-in search log, if this
        knowledge base keeps one (the log `gaps` reads for searches that found nothing good)."""
        fix = None if exact else self._searcher.correct(query)
        searched = fix.corrected if fix else query
        # `k` only cuts the list: a search for fewer than `SHOWN_K` reads the same sections and
        # cuts their reading order. Asked for one, a bot got the NDA page's contents list where
        # ten showed "Who can sign", and "when do we get paid" found no answer that the second
        # hit gave (a trial): both reorderings need the hits after the first.
        pool = self._searcher.search(searched, k=max(k, SHOWN_K), filters=filters, mode=mode)
        hits = [self._marked(h) for h in reading_order(pool)[:k]]
        elsewhere = _by_department(self._outside(searched, hits, filters, k, mode))
        corrected = fix.corrected if fix and fix.changed else ""
        found = Results(tuple(hits), query.strip(), corrected, elsewhere)
        if log and self.search_log is not None and self._loggable(query):
            used = mode or self.settings.retrieval
            searchlog.record(
                self.search_log, query, found, mode=used, filters=filters, elsewhere=bool(elsewhere)
            )
        return found

    def _marked(self, hit: Hit) -> Hit:
        """`hit`, marked when its section says whom to ask (`Hit.says_whom`): who could write
        a missing page is never read from one, as no expert vote is."""
        return replace(hit, says_whom=True) if self._boilerplate.holds(hit.chunk) else hit

    def log_search(
        self, query: str, *, filters: Filters | None = None, exact: bool = False
    ) -> bool:
        """Record `query` under `filters` in the opt-in search log, once someone has settled
        on it (the app's box searches at every pause in typing and logs only the search
        kept: docs/people.md#the-search-log). The line is the one `search(..., log=True)`
        writes, best result included. False when this knowledge base keeps no search log."""
        if self.search_log is None:
            return False
        fix = None if exact else self._searcher.correct(query)
        self._record(self.search_log, query, fix.corrected if fix else query, filters)
        return True

    def report_missing(self, query: str, *, filters: Filters | None = None) -> bool:
        """Record that no page answers `query` (someone said so), for the gap report's
        unanswered searches. False when this knowledge base keeps no search log."""
        if self.search_log is None:
            return False
        self._record(self.search_log, query, query, filters, missing=True)
        return True

    def _record(
        self, log: Path, query: str, searched: str, filters: Filters | None, *, missing=False
    ) -> None:
        """One line in the search log for `query`, judged by a search for `searched` (the
        query corrected, or as typed): the hits' relevance, not their snippets, is logged.
        None for a search naming someone hidden (`_loggable`), said nowhere: an answer that
        differed would tell whom the index hides."""
        if not self._loggable(query):
            return
        hits = self._searcher.search(searched, k=LOGGED_K, filters=filters, snippets=False)
        elsewhere = any(h.relevant for h in self._outside(searched, hits, filters, LOGGED_K))
        used = self.settings.retrieval
        searchlog.record(
            log, query, hits, mode=used, filters=filters, missing=missing, elsewhere=elsewhere
        )

    def _loggable(self, query: str) -> bool:
        """Whether `query` may be written to the search log: not when it names someone who
        withheld consent (every report withholds it, and a file of their names is a file of
        what people asked about them). Without the key the index's fingerprints were made
        with no one can tell, and every report withholds the log while anyone is hidden."""
        return self._consent.blind or not self._consent.withholds(query)

    def _outside(
        self, searched: str, hits: list[Hit], filters: Filters | None, k: int, mode: str = ""
    ) -> list[Hit]:
        """The search without `filters` (no snippets), when they leave no relevant hit in
        `hits`: what they hide. Nothing when no filter is set or a hit answers."""
        if filters is None or not filters.active or any(h.relevant for h in hits):
            return []
        return self._searcher.search(searched, k=k, mode=mode, snippets=False)

    def experts(
        self,
        query: str,
        *,
        k: int = 5,
        filters: Filters | None = None,
        team: str | Sequence[str] = "",
        department: str = "",
        across_from: str = "",
        mode: str = "",
        model: str = "",
        exact: bool = False,
    ) -> Experts:
        """People who wrote the sections that answer `query`: `k` at most, and no one when no
        section is relevant (kb.search.relevance).

        `team` (one or several) and `department` keep people of that home team (any of
        them) or department. `across_from` is
        the asker's own side (IT or Business): only people of the other side are kept, ranked
        on the same sections (`filters` still choose them), the colleagues across the divide
        who know the topic. `model` is absvote (pages vote), document (sections vote), profile
        or combined (default: `Settings.expert_model`; kb.search.experts).
        Misspelled words are corrected first, as in `search`, unless `exact` (`corrected`
        says to what, from the one correction the people are found with).
        People who have left (people.yaml's `left:`) keep their place among the k best and
        come after everyone still here in it, without contact or availability
        (`profiles.introduced`, `profiles.ranked`).
        """
        s = self.settings
        model = model or s.expert_model
        if model not in EXPERT_MODELS:
            raise ValueError(f"unknown expert model {model!r}; use one of {EXPERT_MODELS}")
        wanted = other_side(side_named(across_from)) if across_from else ""
        if across_from and not wanted:
            raise ValueError(f"across_from {across_from!r} is not a side; use IT or Business")
        fix = None if exact else self._searcher.correct(query)
        asked, query = query, fix.corrected if fix else query
        hits = self._searcher.search(
            query, k=s.expert_pool, filters=filters, mode=mode, snippets=False
        )
        # Only what answers counts as expertise: a long tail of weak matches would list
        # prolific writers for a question nobody has written about.
        hits = [h for h in hits if h.relevant]
        people = self._voted(query, hits, model=model, filters=filters, mode=mode)
        if model in ("profile", "combined") and people:
            people = self._with_profiles(query, people, combined=model == "combined")
        # As the values were checked: " finance" is finance (a review found no one in it).
        teams = {t.strip().casefold() for t in ([team] if isinstance(team, str) else team)}
        teams.discard("")
        if teams:
            people = [p for p in people if p.team.casefold() in teams]
        for side in (wanted, department.strip()):
            if side:
                people = [p for p in people if p.department.casefold() == side.casefold()]
        shown = rated(profiles.ranked(profiles.introduced(people, self.directory), k))
        corrected = fix.corrected if fix and fix.changed else ""
        return Experts(tuple(shown), asked.strip(), corrected)

    def _voted(
        self,
        query: str,
        hits: list[Hit],
        *,
        model: str = "",
        filters: Filters | None = None,
        mode: str = "",
        evidence: int = 0,
    ) -> list[Expert]:
        """The authors of `hits` (relevant sections of `query`) ranked by `model`'s votes:
        absvote, the pages'; else the sections'."""
        s = self.settings
        model, evidence = model or s.expert_model, evidence or s.evidence_per_expert
        # A repeated section naming someone ("Contacts") says whom to ask, not what its
        # authors know (kb.search.boilerplate).
        hits = [h for h in hits if not self._boilerplate.holds(h.chunk)]
        if model == "absvote":
            pages, spread = (
                self.voting_pages(query, filters=filters, mode=mode) if hits else ([], [])
            )
            return rank_by_pages(
                pages,
                hits,
                self._page_authors(),
                k=len(hits) * 4,
                temperature=s.page_vote_temperature,
                spread=spread if s.expert_spread else None,
                evidence_per_expert=evidence,
                homes=self._homes,
            )
        return rank_experts(
            hits,
            k=len(hits) * 4,
            temperature=s.expert_temperature,
            evidence_per_expert=evidence,
            homes=self._homes,
        )

    def _with_profiles(self, query: str, people: list[Expert], *, combined: bool) -> list[Expert]:
        """Rank by the person's whole body of writing (or fuse that with the section votes)."""
        if self._profiles is None:
            self._profiles = profile_vectors(self.all_chunks, self.index.vectors())
        if not self._profiles[0]:  # no one wrote anything
            return people
        query_vector = self._searcher.query_vector(query)
        return rank_by_profile(people, query_vector, self._profiles, self._homes, combined=combined)

    def team(
        self, description: str, *, size: int = 4, criteria: TeamCriteria | None = None
    ) -> TeamProposal:
        """A cross-functional team covering the description's sub-topics (`kb.people.team`),
        within the criteria set in advance (`kb.people.criteria`); a value no one in the
        index has is `CriteriaError` (`known_criteria`), not a criterion "not met"."""
        if criteria is not None:
            known_criteria(criteria, self.facets(), self.directory)
        return propose(
            description,
            size,
            search=self._spoken_for,
            rank=lambda query, hits: self._voted(query, hits, evidence=2),
            about=lambda query: self.analysis.about(self._searcher.query_vector(query)),
            people=self.analysis,
            homes=self._homes,
            settings=self.settings,
            criteria=criteria,
        )

    def _spoken_for(self, query: str, k: int) -> list[Hit]:
        """The sections found for `query`, those that say whom to ask left out (a repeated
        heading naming someone): a team's part is a topic someone wrote on, not one whose
        "Contacts" names them."""
        hits = self._searcher.search(query, k=k, snippets=False)
        return [h for h in hits if not self._boilerplate.holds(h.chunk)]

    def barcamp(
        self, *, slots: int, rooms: int, log: Path | None = None, day: date | None = None
    ) -> Barcamp:
        """A proposed barcamp programme held on `day` (default: the next working day): the
        search log and thin topics (`kb.people.barcamp`)."""
        return barcamp.programme(
            self.analysis,
            slots=slots,
            rooms=rooms,
            log=log,
            # A "Contacts" section naming someone makes no one a speaker, as it votes for no one.
            search=lambda query: self._spoken_for(query, 10),
            settings=self.settings,
            consent=self._consent,
            day=day,
        )

    def onboard(self, name: str, *, team: str, today: date) -> OnboardingPlan:
        """A new joiner's reading path in `team` and the people to meet (`kb.people.onboarding`)."""
        return onboarding.plan(
            name,
            team,
            self.index.pages,
            people=self.analysis,
            homes=self._homes,
            today=today,
            settings=self.settings,
        )

    def gaps(self, *, today: date, log: Path | None = None, top: int = 20) -> GapReport:
        """Topics resting on one person or one department, stale pages, unanswered searches.

        `log` is the opt-in search log; its searches that name someone hidden are dropped.
        Only the key the index was built with (`Settings.consent_key`) can tell which do:
        without it, while anyone is hidden, every logged search is withheld, and `note` says so.
        """
        return gap_report(
            self.analysis,
            list(self.index.pages.values()),
            today=today,
            log=log,
            top=top,
            settings=self.settings,
            consent=self._consent,
            search=lambda query: self.search(query, k=10),
        )

    def pairs(
        self,
        kind: str,
        *,
        seed: int = 0,
        avoid: frozenset[frozenset[str]] = frozenset(),
        today: date | None = None,
        new: bool = False,
        teams: tuple[str, ...] = (),
    ) -> Pairing:
        """One round of pairs of `kind` across the divide, started on `today` (default: now;
        `left:` is judged on that day); `avoid` holds earlier pairs. With `new`, round `seed`
        leaves out the pairs of rounds 0 to seed - 1 too (`PeopleAnalysis.new_pairs`). With
        `teams`, every pair has someone of them (a side with none of them: anyone)."""
        if new and not avoid:
            return self.analysis.new_pairs(kind, seed=seed, today=today, teams=teams)
        if new:  # and pairs of rounds made elsewhere: those of every round before, too
            rounds = (
                self.analysis.new_pairs(kind, seed=r, today=today, teams=teams) for r in range(seed)
            )
            made = {frozenset((p.first.name, p.second.name)) for r in rounds for p in r.pairs}
            avoid = avoid | made
        return self.analysis.pairs(kind, seed=seed, avoid=avoid, today=today, teams=teams)

    def partners(self, name: str) -> tuple[Pair, ...]:
        """The colleagues across the divide whose writing overlaps most with `name`'s."""
        return self.analysis.partners(name)

    def page_scores(
        self, query: str, *, filters: Filters | None = None, mode: str = ""
    ) -> list[tuple[str, float]]:
        """The pages that vote in the absvote expert model, with their scores
        (`Searcher.page_scores`, `Settings.expert_pages` of them)."""
        return self.voting_pages(query, filters=filters, mode=mode)[0]

    def voting_pages(
        self, query: str, *, filters: Filters | None = None, mode: str = ""
    ) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """`page_scores` and the pages CombSUM sums in the absvote model
        (`Searcher.voting_pages`)."""
        return self._searcher.voting_pages(
            query,
            depth=self.settings.expert_pages,
            filters=filters,
            mode=mode,
            mute=self._boilerplate.rows,
        )

    @property
    def _boilerplate(self) -> Boilerplate:
        """The sections that vote for no one (`Settings.boilerplate_votes` lets them)."""
        if self.settings.boilerplate_votes:
            return Boilerplate()
        if self._recurring is None:
            chunks = self.index.chunks
            names = {a.name for c in chunks for a in c.authors}
            names |= {n for p in self.directory.people for n in (p.name, *p.aliases)}
            self._recurring = Boilerplate.of(chunks, names)
        return self._recurring

    def _page_authors(self) -> dict[str, tuple[Author, ...]]:
        """Each page's authors, by path (hidden people were never indexed)."""
        if self._authors is None:
            self._authors = {path: page.authors for path, page in self.index.pages.items()}
        return self._authors

    def forget_queries(self) -> None:
        self._searcher.forget_queries()

    def query_vector(self, query: str):
        """The query's embedding, as search uses it (cached per query)."""
        return self._searcher.query_vector(query)

    def prepare(self) -> None:
        """Make now what the first search would make on demand, so that no user waits for
        it: the keyword index's postings (at 100,000 pages a second or more), by answering a
        search for the first page's title. (The words typo correction knows take longer
        and are learnt apart: `learn_words_ahead`.)"""
        first = next(iter(self.index.pages.values()), None)
        if first is not None and first.title.strip():
            self._searcher.search(first.title, k=1, snippets=False)

    def learn_words_ahead(self) -> threading.Thread:
        """Learn the corpus's words for typo correction in a background thread (servers call
        it once when they open an index; on a large corpus it takes a second or more)."""
        thread = threading.Thread(target=self._searcher.learn_words, daemon=True)
        thread.start()
        return thread

    def loosen(self, query: str, filters: Filters) -> list[str]:
        """Names of the filters whose removal alone would give results (for 'no results')."""
        return [
            name
            for name in FILTER_FIELDS
            if getattr(filters, name) and self.search(query, k=1, filters=filters.without(name))
        ]

    def page(self, path: str) -> Page | None:
        return self.index.pages.get(path)

    def titles(self) -> dict[str, str]:
        """Every page's title, by path."""
        return {path: page.title for path, page in self.index.pages.items()}

    def people(self) -> list[str]:
        if self._people is None:  # asked of every search, for a colleague it names
            pages = self.index.pages.values()
            names = {person_key(a.name): a.name for p in pages for a in p.authors}
            self._people = tuple(sorted(names.values(), key=str.casefold))
        return list(self._people)

    def facets(self) -> dict[str, list[str]]:
        """The values each filter can take, for pickers: read from every page once per loaded
        index (an app run asks for them several times), a copy each time."""
        if self._facets is None:
            pages = self.index.pages.values()
            self._facets = {
                "department": sorted({p.department for p in pages if p.department}),
                "team": sorted({p.team for p in pages if p.team}),
                "tag": sorted({t for p in pages for t in p.tags}, key=str.casefold),
                "author": self.people(),
            }
        return {name: list(values) for name, values in self._facets.items()}

    def facet_counts(self, filters: Filters | None = None) -> dict[str, dict[str, int]]:
        """For each filter, every value it can take with the number of pages the `filters`
        allow that carry it (0 included)."""
        key = filters if filters is not None and filters.active else None
        if key not in self._counts:
            pages = self.index.pages.values()
            allowed = [p for p in pages if key is None or key.allows(p)]
            if len(self._counts) >= _COUNTS_KEPT:  # the oldest goes: dates make many filters
                del self._counts[next(iter(self._counts))]
            self._counts[key] = count_pages(allowed, self.facets())
        return self._counts[key]

    def overview(
        self, *, filters: Filters | None = None, today: date, log: Path | None = None, top: int = 6
    ) -> Overview:
        """Where to start among the pages `filters` allow: the newest pages, the stale ones
        (as of `today`, by the gap report's rule), example questions and, from the opt-in
        search `log`, the most searched (none naming a hidden person: as `gaps` withholds
        them), `top` of each."""
        allows = filters.allows if filters is not None and filters.active else lambda _: True
        return overview(
            list(self.index.pages.values()),
            today=today,
            log=log,
            top=top,
            settings=self.settings,
            consent=self._consent,
            examples=self._examples(),
            allows=allows,
        )

    def _examples(self) -> Examples:
        if self._example_questions is None:

            def answers(question: str) -> str:
                hits = self._searcher.search(question, k=3, snippets=False)
                return hits[0].chunk.path if hits and hits[0].relevant else ""

            # Read three times over below: decoded once (and let go, unless the people side
            # holds them already), not once per pass over the chunks file.
            chunks = self._all_chunks or tuple(self.index.chunks)
            hides = self._consent.hides_word([c.embed_text for c in chunks])
            self._example_questions = Examples(self.index.pages, chunks, answers, hides=hides)
        return self._example_questions

    def profile(self, name: str, *, topics: int = 8) -> Profile | None:
        """What `name` wrote: pages (largest share first), topics in words, tags, teams."""
        return profiles.profile(
            name,
            self.index.pages.values(),
            directory=self.directory,
            homes=self._homes,
            phrases_of=lambda key, n: self.analysis.phrases_of(key, n),
            topics=topics,
        )


def _by_department(hits: list[Hit]) -> tuple[tuple[str, int], ...]:
    """The relevant pages among `hits`, counted by department, most first."""
    pages: dict[str, str] = {}
    for h in hits:
        if h.relevant:
            pages.setdefault(h.chunk.path, h.chunk.department or "no department")
    counts: dict[str, int] = {}
    for department in pages.values():
        counts[department] = counts.get(department, 0) + 1
    return tuple(sorted(counts.items(), key=lambda dc: (-dc[1], dc[0])))
