"""Settings: one frozen object with defaults. The shells (CLI, app, `kb serve`) read the
environment into it; `model_package`, `embed_onnx` and `parallel` set thread and offline
variables for the libraries they load, and read none of kb's settings."""

from __future__ import annotations

from dataclasses import dataclass, field

# 2: BM25 keyword index; 3: sources, for incremental runs; 4: kb's BM25 rows, byte spans.
FORMAT_VERSION = 5  # 5: segments
REDACTION_VERSION = 29  # of kb/content/secrets.py's detection: bump when it finds more
# (18: default ignorable characters inside a token: variation selectors, the grapheme joiner;
# 19: a seed phrase down a column read as shown, a quoted key's body blanked no further;
# 20: a key's body past an early END line or a fence inside it; 21: a token in a name as a
# title's slug writes it, `ghp-r4nd0m…`: every name is scanned again; 22: a token split by a
# comment, a template tag, an inline tag or Markdown's delimiters inside a word; 23: a key's
# body without its BEGIN line; 24: a token split by a link's brackets, read as its text;
# 28: a credential in a commit author's name or email, as git history credits them)
HIDING_VERSION = 17  # of kb/content/hiding.py's names in page text: bump when it finds more
# (2: its mark is no word of the index; 3: accents as marks, curly apostrophes, Unicode hyphens;
# 4: a tag or team naming someone hidden is dropped, a page whose path names them not read;
# 5: invisible characters inside a name's word, a name run together or a login as a word;
# 6: look-alike letters without case or small capitals begin a name; 7: HTML references;
# 8: Markdown links' text, and their targets and URLs part by part; 9: an English word is
# no label's login, so "brand" is kept for a hidden Ben Rand; 10: reference links' text,
# comments and template tags; 11: comments and template tags of any length, and the names
# inside them, raw HTML tags; a small look-alike letter in a name's word; "rn" read as "m";
# 13: default ignorable characters inside a name: variation selectors, the grapheme joiner;
# 14: Markdown's emphasis, strikethrough or code delimiters inside a word of a name;
# 17: a name reversed by a right-to-left override after its start, read as a screen shows it)
# Of kb/content/chunk.py's pieces: bump when the same page is cut into other pieces (1: none
# recorded; 2: each piece of a cut table starts with the table's header).
CHUNKING_VERSION = 2
SENTENCES_VERSION = 1  # of the sentence vectors stored with each chunk (kb/search/sentences.py)
DEFAULT_MODEL = "all-MiniLM-L6-v2"
ONNX_INT8_MODEL = f"{DEFAULT_MODEL}+onnx-int8"  # the name indexes record for that encoder

EXPERT_MODELS = ("absvote", "document", "profile", "combined")
VECTOR_INDEXES = ("auto", "exact", "ivf")
VECTOR_STORAGES = ("float32", "float16", "int8")
# "onnx": the packaged model in full precision through onnxruntime, torch's vectors (cosine
# 0.9999998) as fast, without loading torch (9 s of every `kb index` run); "torch": the same
# model through sentence-transformers; "onnx-int8": int8 weights, 1.8x as fast to index with,
# 0.002 to 0.005 nDCG@10 lower (docs/performance.md). "onnx" and "torch" make the same index.
ENCODERS = ("onnx", "torch", "onnx-int8")

# Teams whose pages count as IT when a page does not say `department:`; everything else with a
# team is Business. Names are compared case-insensitively with spaces, '_' and '-' ignored.
IT_TEAMS = frozenset(
    (
        "it service-desk servicedesk helpdesk it-support security infosec cybersecurity "
        "cloud-platform platform infrastructure infra devops sre operations-engineering "
        "data data-engineering analytics data-platform software-engineering engineering "
        "development dev software architecture networking identity"
    ).split()
)


@dataclass(frozen=True)
class Settings:
    """Everything that shapes an index or a ranking."""

    model_name: str = DEFAULT_MODEL
    # The model sees at most 256 word pieces; chunks are sized below that so nothing is cut.
    max_tokens: int = 256
    chunk_tokens: int = 200  # target size of a split piece, header included
    overlap_tokens: int = 40  # text repeated between consecutive pieces of one section
    # False embeds every section whole and lets the model truncate it at its window: only to
    # reproduce published benchmark protocols (BEIR embeds each document once, truncated).
    split_long_sections: bool = True
    # False stores no sentence vectors: cards then mark their sentence by words alone, and a
    # build embeds only its chunks (the sentences cost as much again: docs/performance.md).
    # For an index nobody reads cards from, such as one that only compares rankings.
    sentence_vectors: bool = True
    batch_size: int = 32
    # Retrieval: "dense", "bm25" or "hybrid" (both legs fused). Hybrid beats both legs on
    # every labelled corpus measured (docs/quality.md).
    retrieval: str = "hybrid"
    # Hybrid fusion: "convex" = w * min-max(cosine) + (1 - w) * BM25 / the query's own IDF
    # sum (how much of the query a section matches, so weak keyword matches stay weak);
    # "minmax" = both legs min-max normalised (Bruch et al., 2023); "rrf" = reciprocal rank
    # fusion (k = 60). Both legs weigh the same: no corpus picks the weight.
    fusion: str = "convex"
    dense_weight: float = 0.5
    candidates: int = 100  # per leg, before fusion
    # Expert ranking. "absvote": the `expert_pages` best pages vote for their authors, a
    # vote weighing exp((page score - best) / page_vote_temperature) on a page score in
    # [0, 1] that means the same for every query (the mean of its best cosine and the share
    # of the query's information its best BM25 section matches), so one temperature is as
    # sharp on every query; better than "document" on every expert set (docs/quality.md).
    # "document": the sections vote; "profile": one vector per person (all their writing);
    # "combined": the last two fused (RRF). Chosen by `kb eval experts`.
    expert_model: str = "absvote"
    expert_pages: int = 100
    page_vote_temperature: float = 0.05  # 5 points (of 100) above another page: e times the vote
    # absvote's votes blended, as two distributions of equal weight, with textbook CombSUM
    # over the `expert_pages` best pages by BM25: sharp votes find a page's own authors,
    # the sum how much of an area a person covers (kb.search.experts.blend).
    expert_spread: bool = True
    # Sections under a heading the page template repeats that name someone ("Contacts": whom
    # to ask) vote for no one (kb.search.boilerplate); True lets them, as before 2026-12-07.
    boilerplate_votes: bool = False
    # The sections searched: who may be listed (those who wrote a relevant one) and their
    # evidence, and the "document" model's voters.
    expert_pool: int = 40
    # A section's vote weighs exp((cosine - best) / temperature) in the "document" model
    # (and in `kb team`). Sharper (0.05) finds a page's own authors best, softer (0.2) the
    # people who answer many related questions; 0.1 keeps 98% of the first and most of the
    # gain on the second (docs/quality.md).
    expert_temperature: float = 0.1
    evidence_per_expert: int = 3
    it_teams: frozenset[str] = IT_TEAMS
    # Vector search: "auto" scans every vector up to `approximate_above` chunks (an exact
    # scan costs about 7 ms per 100k on 2 cores) and uses an IVF index above, tuned by each
    # build to recall >= `recall_target` against exact search at the search's depth
    # (`candidates`); "exact" and "ivf" force one. docs/performance.md has the measurements.
    vector_index: str = "auto"
    approximate_above: int = 200_000
    recall_target: float = 0.95
    # "float16" halves the memory of "float32" and loses nothing measurable on retrieval
    # quality; "int8" quarters it, also within noise on SciFact (docs/performance.md).
    vector_storage: str = "float16"
    # People side (kb pairs, kb team, kb gaps). Pages join a topic while their average cosine
    # distance stays under `topic_distance` (0.45 for all-MiniLM-L6-v2, docs/people.md).
    topic_distance: float = 0.45
    # Tandem and mentoring pairs need this much overlap (kb.people.pairing: mean cosine of the three
    # closest section pairs); below it two people share words, not work.
    pair_overlap_floor: float = 0.45
    # A page is stale when its review date has passed or it has not changed for this long.
    stale_after_days: int = 365
    # Search log lines written before kb marked relevance (no "answered" field) "found nothing
    # good" when their best section is less similar than this (cosine): 19 of the 20 bundled
    # questions score above 0.35, 8 of 10 off-topic ones below (docs/people.md).
    nothing_good_below: float = 0.35
    # The key of the consent fingerprints (KB_CONSENT_KEY), the same when indexing and when
    # reporting; never stored in the index. Without it no fingerprint of a hidden name is
    # stored, and the gap report withholds every logged search while anyone is hidden.
    consent_key: str = field(default="", repr=False)
    # A page bigger than this is skipped with a warning: a 20 MB page took 65 s and 3.5 GB
    # to index, and no real page comes near it (the bundled ones are under 10 KB).
    max_page_bytes: int = 2_000_000

    def __post_init__(self) -> None:
        # Fail where the setting is made, not after an hour of embedding.
        for name, value, choices in (
            ("vector_index", self.vector_index, VECTOR_INDEXES),
            ("vector_storage", self.vector_storage, VECTOR_STORAGES),
        ):
            if value not in choices:
                raise ValueError(f"{name}={value!r}: use one of {', '.join(choices)}")

    def vector_signature(self) -> dict[str, str | int | float]:
        """What shapes the vector index (a change rebuilds it from stored vectors)."""
        return {
            "index": self.vector_index,
            "approximate_above": self.approximate_above,
            "recall_target": self.recall_target,
            "storage": self.vector_storage,
        }

    def chunking_signature(self) -> dict[str, int | bool]:
        """What must match for stored chunks to be reusable."""
        return {
            "max_tokens": self.max_tokens,
            "chunk_tokens": self.chunk_tokens,
            "overlap_tokens": self.overlap_tokens,
            "split_long_sections": self.split_long_sections,
            # Pages are redacted before chunking: a new detector version (or an index from
            # before redaction, which has no entry) reads every page again.
            "redaction": REDACTION_VERSION,
            # Hidden people's names are written out of page text likewise (a review built an
            # index before that rule, then with it: every page was kept, names and all).
            "hiding": HIDING_VERSION,
            # How a section is cut into pieces (an index from before has no entry).
            "pieces": CHUNKING_VERSION,
            # Each piece's sentences are embedded and stored with it, as kb.search.sentences
            # reads them (kb.search.display's units): bump when either reads them otherwise.
            # None stored (`sentence_vectors` False) is 0: a build with them starts afresh.
            "sentences": SENTENCES_VERSION if self.sentence_vectors else 0,
            # How BM25 splits text into words (2: runs of CJK characters as pairs; 3: number
            # words as digits, "forty" is "40", and a lone digit 2-9 a word).
            "words": 3,
            # A page without a date in its front matter is dated by its last commit (1); a
            # front matter date that is none is dropped with a warning, as `kb check` calls
            # it an error (2); a date and time (Jekyll's) or a month is its day, kept in one
            # form, YYYY-MM-DD (3).
            "dates": 3,
            # A Liquid include's prose arguments (a callout's title and content) are page
            # text (1).
            "includes": 1,
            # Every byte order mark before a page's text is nothing (1): a second one made
            # its front matter text, and such a page is read again.
            "marks": 1,
            # A draft however its flag is written (`Draft: 1`), or in front matter YAML
            # cannot read (1), or in Hugo's JSON front matter, which was page text (2): an
            # index from before may hold one, so every page is read again.
            "drafts": 2,
            # A team, a tag or an author's name is stored as shown, at most 100 characters
            # (1): an index from before may hold one raw; a page's tags once each and at most
            # 100, as its authors (2); a title, team or department given as a map is none,
            # not its Python text (3).
            "labels": 3,
        }
