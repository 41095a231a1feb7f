"""The keyword leg: BM25 over chunk text with English stemming and stop words.

The one place that tokenizes for BM25 (`words`, `tokens`, `analyzed`) and that holds the Lucene BM25
formula (`idf`, `length_norm`, `term_score`): both backends score with these, so a query
scores alike on either. Tokens are bm25s's (its pattern, its stop words, PyStemmer's English
stemmer) but for numbers ("forty" is "40", and a lone "2" a word), made here without bm25s's
per-call setup; `KeywordIndex`, the local backend's index, keeps each row's term counts and
scores them itself, with the same formula as bm25s (tests/index/test_bm25.py compares the
two), so that an incremental build copies the counts of unchanged rows instead of tokenizing
and re-indexing everything. bm25s (its stop words) and Stemmer are read here and nowhere else.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import Stemmer

from kb.index.compiled import transposed


def _bm25s_stopwords():
    """bm25s's stop word lists, read from its module file without importing the package:
    `import bm25s` loads scipy.sparse, a third of a second that every `kb search` would pay
    for two word lists."""
    spec = importlib.util.find_spec("bm25s")  # finds the package without running it
    if spec is None or spec.origin is None:
        raise ImportError("bm25s is not installed; run 'pip install -e .'")
    path = Path(spec.origin).parent / "stopwords.py"
    module_spec = importlib.util.spec_from_file_location("kb_bm25s_stopwords", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


_BM25S_STOPWORDS = _bm25s_stopwords()
_STOP_SET = frozenset(_BM25S_STOPWORDS.STOPWORDS_EN)  # what bm25s reads "en" as
_PER_THREAD = threading.local()
# What a word is: bm25s.tokenize's own default pattern, which `words` and `word_spans` split
# text by (the index by `_INDEX_WORD`, the same but for lone digits).
_WORD = re.compile(r"(?u)\b\w\w+\b")
# Pages write a count in words or in digits by house style ("two weeks", "2 weeks"; "thirty
# days", "30 days"): BM25 reads the words as the digits. Not "one" (a pronoun as often: "one
# of the", "no one"), "zero" ("zero trust"), ordinals ("second") or multipliers ("hundreds
# of"). A compound ("forty-five") is read word by word, "40" "5", as coverage and snippets
# read a query's words one at a time.
_TO_NINETEEN = (
    "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
)
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety"
_NUMBERS = {
    **{w: str(n) for n, w in enumerate(_TO_NINETEEN.split(), 2)},
    **{w: str(10 * n) for n, w in enumerate(_TENS.split(), 2)},
}
_SPELLED = {digits: w for w, digits in _NUMBERS.items()}
# bm25s's pattern drops one-character words, so "2 weeks" would hold nothing for "two" to
# match: a digit of those words standing alone is a word too ("0" and "1" stay dropped).
_INDEX_WORD = re.compile(r"(?u)\b\w\w+\b|\b[2-9]\b")
K1, B = 1.5, 0.75
# Chinese, Japanese and Korean write words without spaces (Korean between phrases): a run of
# their characters is one `_WORD`, which no query matches unless it is the very same run.
# Such runs are read as overlapping character pairs instead, as Lucene's CJK analyzer does
# ("报销政策" -> 报销 销政 政策), and a lone character as itself.
_CJK_CHAR = (
    "[\u1100-\u11ff\u3040-\u30fa\u30fc-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002ebef]"
)
_CJK = re.compile(_CJK_CHAR + "+")
_FULL_WIDTH = re.compile("[\uff01-\uff5e]")
_WORD_OR_CJK = re.compile(rf"(?u)\b\w\w+\b|\b[2-9]\b|{_CJK_CHAR}")  # a lone one is a word too


def idf(rows: int, df):
    """Lucene's IDF of a word held by `df` of `rows` rows (never negative), for an array of
    `df` or one. numpy's log1p for both: `math.log1p` differs from it in the last bit."""
    return np.log1p((rows - df + 0.5) / (df + 0.5))


def average_length(lengths: np.ndarray) -> float:
    """The mean row length in words; 1 for no rows or empty ones (`length_norm` divides by it)."""
    mean = float(lengths.mean()) if len(lengths) else 0.0
    return mean if mean > 0 else 1.0


def length_norm(length, average: float):
    """k1 * (1 - b + b * length / average): longer rows need more occurrences to score."""
    return K1 * (1 - B + B * length / average)


def term_score(weight, tf, norm):
    """What a word occurring `tf` times adds to a row's score: below `weight` (its IDF)
    however often it occurs."""
    return weight * tf / (tf + norm)


class KeywordIndex:
    """Per-row term counts (CSR) and a vocabulary; postings per term built on first query."""

    def __init__(
        self, vocab: dict[str, int], indptr: np.ndarray, terms: np.ndarray, counts: np.ndarray
    ) -> None:
        self._vocab = vocab
        self._indptr = indptr.astype(np.int64, copy=False)
        self._terms = terms.astype(np.int32, copy=False)
        self._counts = counts.astype(np.float32, copy=False)
        self.size = len(self._indptr) - 1
        self._stemmer = Stemmer.Stemmer("english")
        self._postings: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._idf: np.ndarray | None = None
        self._norm: np.ndarray | None = None

    @classmethod
    def build(cls, texts: Sequence[str]) -> KeywordIndex:
        return cls.assemble(texts, [None] * len(texts), [])

    @classmethod
    def assemble(
        cls,
        texts: Sequence[str],
        reuse: Sequence[tuple[int, int] | None],
        parts: Sequence[KeywordIndex],
        vocab: dict[str, int] | None = None,
    ) -> KeywordIndex:
        """Rows in order: row i copies row `reuse[i] = (p, r)` of `parts[p]`, or tokenizes
        `texts[i]`. Word ids are shared by every segment of an index: `vocab` holds theirs,
        and a new word gets an id after all of them."""
        vocab = dict(vocab or {})
        next_id = max(vocab.values(), default=-1) + 1
        fresh = [i for i, r in enumerate(reuse) if r is None]
        tokens = _tokenize([texts[i] for i in fresh])
        fresh_rows: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for i, row_tokens in zip(fresh, tokens, strict=True):
            ids = []
            for t in row_tokens:
                if t not in vocab:
                    vocab[t] = next_id
                    next_id += 1
                ids.append(vocab[t])
            terms, counts = np.unique(np.array(ids, np.int32), return_counts=True)
            fresh_rows[i] = (terms.astype(np.int32), counts.astype(np.float32))
        lengths = np.zeros(len(reuse), dtype=np.int64)
        pieces_t: list[np.ndarray] = []
        pieces_c: list[np.ndarray] = []
        i = 0
        while i < len(reuse):
            if reuse[i] is None:
                terms, counts = fresh_rows[i]
                pieces_t.append(terms)
                pieces_c.append(counts)
                lengths[i] = len(terms)
                i += 1
                continue
            # A run of consecutive rows of one part is one slice of its arrays.
            p, first = reuse[i]
            j = i
            while j + 1 < len(reuse) and reuse[j + 1] == (p, first + j + 1 - i):
                j += 1
            part = parts[p]
            start, stop = part._indptr[first], part._indptr[first + j - i + 1]
            pieces_t.append(part._terms[start:stop])
            pieces_c.append(part._counts[start:stop])
            lengths[i : j + 1] = np.diff(part._indptr[first : first + j - i + 2])
            i = j + 1
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        terms = np.concatenate(pieces_t) if pieces_t else np.zeros(0, np.int32)
        counts = np.concatenate(pieces_c) if pieces_c else np.zeros(0, np.float32)
        return cls(vocab, indptr, terms, counts)

    @classmethod
    def gather(cls, parts: Sequence[KeywordIndex], runs: Sequence[tuple[int, int, int]]):
        """One index of the rows `runs` name: (part, first row, stop), in order."""
        if len(parts) == 1 and list(runs) == [(0, 0, parts[0].size)]:
            return parts[0]
        lengths, pieces_t, pieces_c = [], [], []
        for p, a, b in runs:
            part = parts[p]
            start, stop = part._indptr[a], part._indptr[b]
            pieces_t.append(part._terms[start:stop])
            pieces_c.append(part._counts[start:stop])
            lengths.append(np.diff(part._indptr[a : b + 1]))
        indptr = np.concatenate([[0], np.cumsum(np.concatenate(lengths))]) if runs else [0]
        return cls(
            union_vocab(parts),
            np.asarray(indptr, dtype=np.int64),
            np.concatenate(pieces_t) if runs else np.zeros(0, np.int32),
            np.concatenate(pieces_c) if runs else np.zeros(0, np.float32),
        )

    @property
    def vocab(self) -> dict[str, int]:
        return self._vocab

    @classmethod
    def load(cls, path: Path, size: int) -> KeywordIndex:
        arrays = np.load(path / "rows.npz")
        index = cls(read_vocab(path), arrays["indptr"], arrays["terms"], arrays["counts"])
        if index.size != size:
            raise ValueError(f"{path}: {index.size} keyword rows, expected {size}")
        return index

    def save(self, path: Path) -> None:
        """Write the rows and the words they hold (ids as the index's other segments have)."""
        path.mkdir(parents=True, exist_ok=True)
        with open(path / "rows.npz", "wb") as fh:
            np.savez(fh, indptr=self._indptr, terms=self._terms, counts=self._counts)
        used = np.zeros(self._id_count(), dtype=bool)
        used[self._terms] = True
        vocab = {t: i for t, i in self._vocab.items() if used[i]}
        (path / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False))

    def _id_count(self) -> int:
        """One more than the largest word id (ids of words no row holds any more leave gaps)."""
        top = max(self._vocab.values(), default=-1)
        if len(self._terms):
            top = max(top, int(self._terms.max()))
        return top + 1

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every row for `query` (zeros when no query word is indexed)."""
        out = np.zeros(self.size, dtype=np.float32)
        ids = self._query_ids(query)
        if not ids:
            return out
        starts, rows, counts = self._index()
        for t in ids:
            lo, hi = starts[t], starts[t + 1]
            if hi > lo:
                tf = counts[lo:hi]
                out[rows[lo:hi]] += term_score(self._idf[t], tf, self._norm[rows[lo:hi]])
        return out

    def query_scale(self, query: str) -> float:
        """The most any row could score for `query`: the sum of its indexed words' IDF.

        In BM25 (Lucene) a word adds idf * tf / (tf + k1 * length norm), below idf however
        often it occurs. A row's score over this scale is the share of the query's
        information it matches, in [0, 1) and comparable across queries (min-max would call
        the best match 1 however weak it is).
        """
        ids = self._query_ids(query)
        if not ids:
            return 0.0
        self._index()
        return float(self._idf[ids].sum())

    def document_frequencies(self) -> dict[str, int]:
        """How many rows hold each indexed word (words of deleted rows only are left out)."""
        self._index()
        return {t: int(self._df[i]) for t, i in self._vocab.items() if self._df[i] > 0}

    def _query_ids(self, query: str) -> list[int]:
        # Every occurrence counts, as in bm25s: "pool pool" weighs "pool" twice.
        ids = [self._vocab[t] for t in tokens(query) if t in self._vocab]
        if ids and self.size:
            self._index()
            return [t for t in ids if self._df[t] > 0]  # words only deleted rows had
        return []

    def _index(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Postings (term -> rows and counts), IDF and length norms, built once."""
        if self._postings is None:
            n_terms = self._id_count()
            rows = np.repeat(np.arange(self.size, dtype=np.int32), np.diff(self._indptr))
            self._df = np.bincount(self._terms, minlength=n_terms)
            if len(self._terms) >= TRANSPOSE_FROM:
                self._postings = transposed(self._indptr, self._terms, self._counts, n_terms)
            else:
                order = np.argsort(self._terms, kind="stable")
                starts = np.concatenate([[0], np.cumsum(self._df)])
                self._postings = (starts, rows[order], self._counts[order])
            self._idf = idf(self.size, self._df)
            lengths = np.bincount(rows, weights=self._counts, minlength=self.size)
            self._norm = length_norm(lengths, average_length(lengths)).astype(np.float32)
        return self._postings


# Word occurrences from which postings are made by scipy's counting sort (its import is
# 0.15 s; at 100,000 pages, 42 million occurrences, it takes 0.8 s where a sort took 4.6 s,
# all of it holding up the first search after a server loads a new build).
TRANSPOSE_FROM = 2_000_000


def read_vocab(path: Path) -> dict[str, int]:
    """A keyword folder's words and their ids, without its rows."""
    return json.loads((path / "vocab.json").read_text(encoding="utf-8"))


def union_vocab(parts: Sequence[KeywordIndex]) -> dict[str, int]:
    """The words of every part, by their shared ids; ValueError if two parts disagree."""
    vocab: dict[str, int] = {}
    for part in parts:
        for t, i in part.vocab.items():
            if vocab.setdefault(t, i) != i:
                raise ValueError(f"the word {t!r} has two ids in the keyword files")
    return vocab


def _tokenize(texts: list[str]) -> list[list[str]]:
    """What `bm25s.tokenize(texts, token_pattern=_INDEX_WORD, stopwords="en", stemmer=English,
    return_ids=False)` returns for the texts with their number words written as digits, to
    the letter (tests/index/test_bm25.py compares them), without its per-call and per-text
    setup: a query's few words cost microseconds, not milliseconds. Lower-case, split, drop
    stop words, stem each distinct word once (a number word is its digits)."""
    split = [[w for w in _words(text.lower()) if w not in _STOP_SET] for text in texts]
    distinct = list(dict.fromkeys(w for ws in split for w in ws))
    stemmed = dict(zip(distinct, keyword_stems(distinct), strict=True))
    return [[stemmed[w] for w in ws] for ws in split]


def _words(low: str) -> list[str]:
    """`_INDEX_WORD`s of lower-cased text, with runs of CJK characters as character pairs (and
    full-width letters as their ASCII: "ＶＰＮ" is "vpn")."""
    if not _CJK.search(low) and not _FULL_WIDTH.search(low):  # bm25s's own split, exactly
        return _INDEX_WORD.findall(low)
    low = unicodedata.normalize("NFKC", low).lower()
    out: list[str] = []
    for word in _WORD_OR_CJK.findall(low):
        at = 0
        for run in _CJK.finditer(word):
            if run.start() - at >= 2:
                out.append(word[at : run.start()])
            chars = run.group()
            out.extend([chars] if len(chars) == 1 else map(str.__add__, chars, chars[1:]))
            at = run.end()
        if len(word) - at >= 2 or word.isdigit():  # a lone "2" (`_INDEX_WORD`)
            out.append(word[at:])
    return out


def _stemmer() -> Stemmer.Stemmer:
    # One per thread: a PyStemmer object keeps a cache and is not safe to share.
    stemmer = getattr(_PER_THREAD, "stemmer", None)
    if stemmer is None:
        stemmer = _PER_THREAD.stemmer = Stemmer.Stemmer("english")
    return stemmer


def words(text: str) -> list[str]:
    """The words of `text` as typed, lower-cased (a run of CJK characters is one): what
    spelling correction and highlighting read. BM25's own split is `index_words`."""
    return _WORD.findall(text.lower())


def index_words(text: str) -> list[str]:
    """The words BM25 splits `text` into, lower-cased, before stop words and stemming."""
    return _words(text.lower())


def is_cjk(word: str) -> bool:
    """Whether `word` (one of `index_words`) is a CJK character pair or lone character."""
    return bool(_CJK.fullmatch(word))


def cjk_spans(text: str, pieces: frozenset[str]) -> list[tuple[int, int, str]]:
    """(start, end, piece) of each CJK character pair of `pieces` in `text`, overlapping
    ones too, and of each lone character of `pieces` that stands alone in `text` as
    `_words` reads it (within a run it is part of pairs, not a word)."""
    pairs = sorted(p for p in pieces if len(p) == 2)
    lone = sorted(p for p in pieces if len(p) == 1)
    out = []
    if pairs:  # a look-ahead finds the pairs a run overlaps (报销 and 销政 in 报销政)
        found = re.finditer("(?=(" + "|".join(map(re.escape, pairs)) + "))", text)
        out += [(m.start(), m.start() + 2, m.group(1)) for m in found]
    if lone:
        alone = rf"(?<!{_CJK_CHAR})(" + "|".join(map(re.escape, lone)) + rf")(?!{_CJK_CHAR})"
        out += [(m.start(), m.end(), m.group(1)) for m in re.finditer(alone, text)]
    return sorted(out)


def word_spans(text: str) -> Iterator[tuple[int, int]]:
    """Where each of `words(text)` stands in `text` (start, end), for editing it in place."""
    return (m.span() for m in _WORD.finditer(text))


def tokens(text: str) -> list[str]:
    """The words BM25 sees in `text`, stemmed, stop words left out, in order."""
    return _tokenize([text])[0]


def tokens_each(texts: Sequence[str]) -> list[list[str]]:
    """`tokens` of each text, in one batch (one call per text costs bm25s's setup each time)."""
    return _tokenize(list(texts))


def token_sets(texts: Sequence[str]) -> list[set[str]]:
    """The distinct words BM25 sees in each text (one batch: cheaper than one call each)."""
    return [set(t) for t in _tokenize(list(texts))]


def analyzed(text: str) -> str:
    """`tokens(text)` space-separated, for Milvus's BM25 function to split again."""
    return " ".join(tokens(text))


@functools.cache  # asked on every search (snippets, relevance): built once
def stop_words() -> frozenset[str]:
    """English stop words (bm25s's longer list), for picking key terms."""
    return frozenset(_BM25S_STOPWORDS.STOPWORDS_EN_PLUS)


def stems(words: Sequence[str]) -> list[str]:
    """The English stem of each (lower-case) word: 'claims' and 'claim' share one."""
    return _stemmer().stemWords(list(words))


def keyword_stems(words: Sequence[str]) -> list[str]:
    """What BM25 reads each (lower-case) word as: its `stems`, a number word its digits
    ("forty" -> "40")."""
    return [_NUMBERS.get(w, s) for w, s in zip(words, stems(words), strict=True)]


def spelled(stem: str) -> str | None:
    """The number word BM25 reads as `stem` ("40" -> "forty"), or None."""
    return _SPELLED.get(stem)
