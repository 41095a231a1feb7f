"""Query -> ranked sections: dense, keyword (BM25) or both fused (the default), on any backend."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Collection, Sequence
from dataclasses import replace

import numpy as np

from kb.backends.base import IndexBackend
from kb.config import Settings
from kb.embed.base import Embedder
from kb.index.bm25 import idf, index_words, stop_words, token_sets, tokens_each
from kb.models import Filters, Hit
from kb.models import shown as _shown
from kb.search.answer_types import naming
from kb.search.asking import topic
from kb.search.fusion import convex, rrf
from kb.search.relevance import (
    FLOOR,
    MEANINGLESS_COSINE,
    QueryTerms,
    capitals,
    read_by_the_model,
    written_as_codes,
)
from kb.search.sentences import cosines
from kb.search.snippet import snippet_fields
from kb.search.spelling import Correction, Speller
from kb.search.tabulated import tabulates

_QUERY_CACHE = 256
_ASKED = 8  # acronyms of one query whose reading the model is asked about (`unread`)
_HOLDING = 20  # chunks whose words show the speller how the corpus writes a stem
MODES = ("hybrid", "dense", "bm25")
FUSIONS = ("convex", "minmax", "rrf")


def written_languages(people: Sequence[dict] | None) -> list[str]:
    """The languages an index's people write (people.yaml's `languages:`), as tags."""
    return [tag for p in people or () for tag in p.get("languages") or ()]


class Searcher:
    """Ranks the chunks of one index for a query, best section first."""

    def __init__(self, backend: IndexBackend, embedder: Embedder, settings: Settings) -> None:
        self._backend = backend
        self._embedder = embedder
        self._settings = settings
        # A page of results asks for sections and for experts: embed each query once.
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._speller: Speller | None = None
        self._paths: dict[int, str] = {}  # row -> page, as expert votes meet the rows
        # `unread` per word the corpus holds (so bounded by its vocabulary): a word's answer
        # does not change until the index does, and asking costs a search and an embedding.
        self._unread: dict[str, bool] = {}
        self._names: tuple[re.Pattern[str] | None] | None = None  # `colleagues`, once read

    def correct(self, query: str) -> Correction:
        """`query` with its misspelled words corrected to words of this corpus."""
        return self._spelling().correct(visible(query))

    def learn_words(self) -> None:
        """Learn the corpus's words for correction now (a server calls it in a background
        thread at start, so that no user's first misspelled word waits for it)."""
        self._spelling().learn()

    def _spelling(self) -> Speller:
        if self._speller is None:
            # Its words load lazily: a word the keyword index knows needs none of them.
            backend = self._backend
            self._speller = Speller.from_chunks(
                backend.chunks,
                known=lambda word: backend.keyword_scale(word) > 0,
                holding=lambda word: backend.keyword(word, _HOLDING, None),
                languages=written_languages(backend.manifest.people),
            )
        return self._speller

    def colleagues(self) -> re.Pattern[str] | None:
        """The names of the index's people (its directory and its pages' authors: no one
        hidden is recorded), which answer a question asking who."""
        if self._names is None:
            backend = self._backend
            listed = [p.get("name", "") for p in backend.manifest.people or ()]
            authors = [a.name for page in backend.pages.values() for a in page.authors]
            self._names = (naming([*listed, *authors]),)
        return self._names[0]

    def forget_queries(self) -> None:
        """Drop cached query vectors (so a timing includes embedding the query)."""
        self._vectors.clear()
        self._unread.clear()

    def query_vector(self, query: str) -> np.ndarray:
        vec = self._vectors.get(query)
        if vec is None:
            vec = self._embedder.encode([query])[0]
            self._vectors[query] = vec
            if len(self._vectors) > _QUERY_CACHE:
                self._vectors.popitem(last=False)
        else:
            self._vectors.move_to_end(query)
        return vec

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        filters: Filters | None = None,
        mode: str = "",
        snippets: bool = True,
    ) -> list[Hit]:
        """The `k` best sections for `query` (one hit per section: its best-matching piece);
        without `snippets` (expert votes read none), the hits carry no snippet."""
        query = topic(visible(query))
        if not query or k <= 0:
            return []
        mode = mode or self._settings.retrieval
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}; use one of {', '.join(MODES)}")
        if self._settings.fusion not in FUSIONS:
            raise ValueError(f"unknown fusion {self._settings.fusion!r}; use {', '.join(FUSIONS)}")
        if filters is not None and not filters.active:
            filters = None
        backend = self._backend
        vec = self.query_vector(query)
        terms = self.query_terms(query)
        # Ask for more rows than needed: several pieces of one section collapse into one hit.
        n = max(self._settings.candidates, k * 3)
        dense = backend.dense(vec, n, filters) if mode != "bm25" else {}
        known = dense  # cosine similarities known so far, by row
        if mode == "dense":
            ranked = dense
        else:
            keyword = backend.keyword(query, n, filters)
            if mode == "bm25":
                ranked = keyword
            elif self._settings.fusion == "rrf":
                ranked = rrf(_ordered(dense), _ordered(keyword))
            else:
                rows = sorted(set(dense) | set(keyword))
                # A row one leg did not retrieve still has that leg's score.
                missing = [r for r in rows if r not in keyword]
                keyword_all = {**backend.keyword_of(query, missing), **keyword}
                scaled = self._settings.fusion == "convex"
                known = self._similarities(vec, rows, dense)
                ranked = convex(
                    known,
                    {r: keyword_all[r] for r in rows},
                    dense_weight=self._settings.dense_weight,
                    keyword_scale=backend.keyword_scale(query) if scaled else None,
                    page_of=backend.path_of,
                    # When no section is close enough to be relevant with every query word,
                    # the model understood nothing ("minibar" alone): its spread is noise,
                    # which min-max would stretch to 0..1 and let outvote the keyword leg.
                    # So too for a lookup of codes, which it reads as noise: "UK-STD-20"
                    # put two pages with "UK" or "20" (cosines 0.30) above the one holding
                    # it (0.14), out of the first five (a new-user trial).
                    absolute=scaled
                    and (
                        max(known.values(), default=0.0) < MEANINGLESS_COSINE or bool(terms.lookup)
                    ),
                )
        order = sorted(ranked, key=lambda r: (-ranked[r], r))
        chunks = backend.chunks
        held_of: dict[int, set[str]] = {}  # a row's words, when read before the cut
        if terms.named:  # whatever k is, the sections holding a named code are among the hits
            texts = [chunks[r].embed_text for r in order]
            held_of = dict(zip(order, token_sets(texts), strict=True))
            order = _holders_first(order, terms.named, chunks, k, held_of)
        rows: list[int] = []
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for row in order:
            chunk = chunks[row]
            key = (chunk.path, chunk.heading_path)
            if key not in seen:
                seen.add(key)
                rows.append(row)
                if len(rows) == k:
                    break
        # Every hit carries its cosine similarity (expert votes use it), whatever the mode;
        # fusion already knows it for every candidate (on Milvus, a round trip saved).
        sims = self._similarities(vec, rows, known)
        if held_of:  # read already to find the holders: not tokenized twice
            covered = [held_of[row] for row in rows]
        else:
            covered = token_sets([chunks[row].embed_text for row in rows])
        # The sentence a snippet marks, by meaning too, where the model reads the query (not
        # a lookup of codes, nor a script it cannot read: there its cosines are noise).
        read = snippets and terms.read and not terms.lookup
        stored = backend.sentences(rows) if read else {}
        hits = []
        tabled: set[int] = set()  # hits holding every code, with a row or column for one
        for row, held in zip(rows, covered, strict=True):
            coverage = terms.coverage(held)
            sure = terms.sure(float(sims[row]), coverage, held)
            # Relevant by holding codes: a lookup's every section holding them; a question's
            # naming one (`named`) where the floor, not the model, made it so.
            by_codes = terms.looked_up(held)
            named = by_codes and not terms.lookup
            named = named and sure > terms.model_sure(float(sims[row]), coverage)
            text = chunks[row].text
            if by_codes and tabulates(text, terms.lookup or terms.named):
                tabled.add(len(hits))
            meaning = cosines(text, stored[row], vec) if read else None
            hits.append(
                Hit(
                    chunk=chunks[row],
                    score=float(ranked[row]),
                    similarity=float(sims[row]),
                    coverage=round(coverage, 4),
                    confidence=round(sure, 4),
                    relevant=sure >= FLOOR,
                    lookup=by_codes and bool(terms.lookup),
                    named=named,
                    **(
                        snippet_fields(text, query, terms.weights, meaning, self.colleagues())
                        if snippets
                        else {}
                    ),
                )
            )
        # The relevant hits first, in rank order: what falls below the floor comes after a cut.
        # Of a query naming codes, first those that tabulate them: "what is SEV2" asks for
        # the table of severities, not "Every SEV1 and SEV2 gets a review" (the model's 0.97).
        first = [h for i, h in enumerate(hits) if h.relevant and i in tabled]
        answers = first + [h for i, h in enumerate(hits) if h.relevant and i not in tabled]
        if answers:
            return answers + [h for h in hits if not h.relevant]
        return closest_first(hits)

    def page_scores(
        self, query: str, *, depth: int, filters: Filters | None = None, mode: str = ""
    ) -> list[tuple[str, float]]:
        """The `depth` best pages for `query`, best first, each with a score in [0, 1] that
        means the same for every query: the page's best cosine (dense), the largest share of
        the query's information a section of it matches by BM25 (bm25: BM25 over the most any
        section could score), or the mean of both (hybrid), each from its own section, as
        hybrid fusion pairs them but without min-max. Candidates: `depth` * 10 sections a leg."""
        return self.voting_pages(query, depth=depth, filters=filters, mode=mode)[0]

    def voting_pages(
        self,
        query: str,
        *,
        depth: int,
        filters: Filters | None = None,
        mode: str = "",
        mute: Collection[int] = frozenset(),
    ) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
        """`page_scores`, and from the same candidates the `depth` best pages by one leg
        alone (BM25's share; the cosine in dense mode): what textbook voting (CombSUM) sums.
        Rows in `mute` (boilerplate, `kb.search.boilerplate`) score no page."""
        query = topic(visible(query))
        if not query or depth <= 0:
            return [], []
        mode = mode or self._settings.retrieval
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}; use one of {', '.join(MODES)}")
        if filters is not None and not filters.active:
            filters = None
        backend, n = self._backend, depth * 10  # enough sections to fill `depth` pages
        vec = self.query_vector(query)
        dense = backend.dense(vec, n, filters) if mode != "bm25" else {}
        keyword = backend.keyword(query, n, filters) if mode != "dense" else {}
        rows = sorted(r for r in set(dense) | set(keyword) if r not in mute)
        # A row one leg did not retrieve still has that leg's score, unless the leg returned
        # fewer than `n` rows: then it returned every row it allows with a score above 0.
        if mode == "hybrid" and len(dense) >= n:
            dense = self._similarities(vec, rows, dense)
        if mode == "hybrid" and len(keyword) >= n:
            missing = [r for r in rows if r not in keyword]
            keyword = {**backend.keyword_of(query, missing), **keyword}
        scale = backend.keyword_scale(query) if mode != "dense" else 0.0
        best: dict[str, list[float]] = {}  # page -> [best cosine, best keyword share]
        paths = self._paths
        for row in rows:
            path = paths.get(row)
            if path is None:  # a backend's path_of costs a lookup; hundreds a query add up
                path = paths[row] = backend.path_of(row)
            top = best.setdefault(path, [-1.0, 0.0])
            if row in dense:
                top[0] = max(top[0], dense[row])
            if row in keyword and scale > 0:
                top[1] = max(top[1], min(1.0, keyword[row] / scale))
        legs = {"dense": (1.0, 0.0), "bm25": (0.0, 1.0), "hybrid": (0.5, 0.5)}[mode]
        scored = [(path, legs[0] * c + legs[1] * s) for path, (c, s) in best.items()]
        one = 0 if mode == "dense" else 1
        alone = [(path, both[one]) for path, both in best.items() if both[one] > 0]
        return _best(scored, depth), _best(alone, depth)

    def query_terms(self, query: str) -> QueryTerms:
        """The query's words with their IDF here; a word no row holds gets the highest IDF."""
        unseen = float(idf(len(self._backend.chunks), 0))
        typed = list(dict.fromkeys(index_words(query)))  # BM25's own split, not a second one
        stemmed = dict(zip(typed, tokens_each(typed), strict=True))
        scale = {word: self._backend.keyword_scale(word) for word in typed}  # 0: unseen
        terms = QueryTerms.of(
            typed,
            stemmed.__getitem__,
            lambda word: scale[word] or unseen,
            lambda word: bool(scale[word]),
            stop_words(),
            codes=written_as_codes(query),
        )
        if not read_by_the_model(query):
            return replace(terms, read=False)
        if terms.lookup:
            return terms
        # Acronyms the model cannot read that carry most of the question's information
        # ("What are our RPO and RTO targets?": its cosine to the RPO/RTO table is 0.21)
        # name what it asks about, as a name joined by underscores does: the sections
        # holding them all are relevant (`QueryTerms.named`). Most, as `read_by_the_model`
        # asks most words to be read: a claim or a long question naming a gene or a format
        # in passing (`TNF`, `JSON`) is still judged by the model.
        # Each word put to the model costs an embedding the first time, so only when the
        # capitals together carry most of the question (else no subset of them can), and at
        # most `_ASKED` of them (a pasted list of 300 codes would cost 300).
        asked = capitals(query)[:_ASKED]
        held = {s for w in asked for s in stemmed.get(w.lower(), [])}
        if not held or terms.coverage(held) < 0.5:
            return terms
        unread = {s for w in asked if self.unread(w) for s in stemmed.get(w.lower(), [])}
        if unread and terms.coverage(unread) >= 0.5:
            return replace(terms, named=terms.named | unread)
        return terms

    def unread(self, word: str) -> bool:
        """Whether the model cannot read `word`, a word the corpus holds: searched alone, no
        section holding it (BM25's best candidates) is within `MEANINGLESS_COSINE` of it, where
        the model has understood nothing. `RPO` (0.14 on the bundled pages), `GL` and `P1` are
        unread; `VPN` (0.61), `AWS` and `SLA` read. A word no section holds is not."""
        if word in self._unread:
            return self._unread[word]
        rows = list(self._backend.keyword(word, self._settings.candidates, None))
        if not rows:
            return False
        cosines = self._backend.similarity(self.query_vector(word), rows)
        self._unread[word] = unread = max(cosines.values()) < MEANINGLESS_COSINE
        return unread

    def _similarities(
        self, vec: np.ndarray, rows: list[int], known: dict[int, float]
    ) -> dict[int, float]:
        found = self._backend.similarity(vec, [r for r in rows if r not in known])
        return {r: known[r] if r in known else found[r] for r in rows}


def _holders_first(
    order: list[int], named: frozenset[str], chunks, k: int, held_of: dict[int, set[str]]
) -> list[int]:
    """`order` with the rows holding every named code (`QueryTerms.named`) moved up only as
    far as needed to be among the first `k` sections: they are relevant, and whether kb
    said so depended on k ("No page answers" at -k 8, the row that grants PII_READER at
    -k 10: a review). The rest keep their order. `held_of`: each row's words."""
    holders = [r for r in order if named <= held_of[r]]
    sections = {(chunks[r].path, chunks[r].heading_path) for r in holders}
    first: list[int] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for r in order:
        key = (chunks[r].path, chunks[r].heading_path)
        if key in seen:
            continue
        if len(seen) + len(sections - seen) >= k and key not in sections:
            continue  # its place goes to a holder further down
        seen.add(key)
        first.append(r)
    chosen = set(first)
    return first + [r for r in order if r not in chosen]


def closest_first(hits: list[Hit]) -> list[Hit]:
    """Hits none of which answers, as every shell lists them (the CLI's, the API's and the
    app's closest pages): those holding every word of the query first, then the likeliest to
    answer (by confidence), ties in rank order. Not the ranking's order: it lists what comes
    closest to answering, and the ranking's dense leg is stretched to 0..1 over candidates of
    which none is close, so the first listed was often less likely than the next (0.06 above
    0.11 for "which safety boots must I wear on the warehouse floor"). Every word first: one
    the model cannot read ("minibar") is answered by no page, yet the page that says it is
    the closest (a trial), and the shells open such a page."""
    return sorted(hits, key=lambda h: (h.coverage < 1.0, -h.confidence))


def visible(query: str) -> str:
    """`query` without invisible characters (zero-width spaces, bidi controls, variation
    selectors: `kb.models.shown.invisible`), which would cut a word in two for BM25 and the
    speller while the reader sees one, and trimmed."""
    return _shown.visible(query).strip()


def _ordered(scores: dict[int, float]) -> list[tuple[int, float]]:
    return sorted(scores.items(), key=lambda rs: (-rs[1], rs[0]))


def _best(scored: list[tuple[str, float]], depth: int) -> list[tuple[str, float]]:
    """The `depth` highest-scoring (path, score) pairs, best first, ties by path."""
    return sorted(scored, key=lambda ps: (-ps[1], ps[0]))[:depth]
