"""Typo correction on seeded typos: page MRR@10 clean, with one typo, and with it corrected.

Usage: python benchmarks/typos.py ../shared/data [--seed 0] [--questions FILE]
       [--cache-dir .kb-cache/eval] [--json benchmarks/results/typos.json]

Each question gets one typo (a deletion, insertion, substitution or transposition at a random
place) in one randomly chosen content word of 5 or more letters (letters only, not a stop
word), drawn from `random.Random(f"{seed}/{set}")`. Sets:
  bundled   the searches of tests/bundled_questions.json on content/
  handbook  handbook-18f (made a git repo, as quality.py does) with the questions of
            --questions ({"query", "qrels": {path: grade}} entries, default
            benchmarks/questions/handbook-18f.json), or each page's title -> that page when
            that file is missing
Per set: MRR@10 of the clean questions, of the typo questions searched as typed (`exact`:
KnowledgeBase.search's own correction off), and of the typo questions corrected by
kb.search.spelling (built from the index's chunks) and searched through KnowledgeBase.search;
how many typos were corrected back exactly; how many clean questions correction changed
(each with its MRR before and after: the promise is none worse).
Also the speller's cost: its vocabulary built from SciFact's 5,183 abstracts, and per query.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import random
import statistics
import string
import time
from pathlib import Path

from quality import ROOT, _bundled, _handbook

from kb import KnowledgeBase, SentenceTransformerEmbedder, Settings
from kb.eval import metrics
from kb.eval.runs import retrieval_run
from kb.index.bm25 import stop_words, word_spans
from kb.search.searcher import written_languages
from kb.search.spelling import LONG, MIN_LENGTH, REORDERED, Speller, correctable, english_words

KINDS = ("deletion", "insertion", "substitution", "transposition")
MIN_WORD = 5


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir", type=Path, help="the shared data folder (../shared/data)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--questions", type=Path, default=ROOT / "benchmarks" / "questions" / "handbook-18f.json"
    )
    ap.add_argument("--cache-dir", type=Path, default=ROOT / ".kb-cache" / "eval")
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "typos.json")
    args = ap.parse_args()
    t0 = time.perf_counter()
    english_words()  # read once per process: timed here, before anything else reads it
    english_ms = (time.perf_counter() - t0) * 1000
    embedder, settings = SentenceTransformerEmbedder(), Settings()
    args.cache_dir.mkdir(parents=True, exist_ok=True)

    index_dir, bundled, _ = _bundled(args.cache_dir, embedder, settings)
    sets = {"bundled": (index_dir, bundled.queries, bundled.qrels)}
    index_dir, titles, _ = _handbook(
        args.data_dir / "handbook-18f", args.cache_dir, embedder, settings
    )
    if args.questions.is_file():
        queries, qrels = _question_file(args.questions)
        digest = hashlib.sha256(args.questions.read_bytes()).hexdigest()[:12]
        handbook_source = f"{args.questions.name} (sha256 {digest})"
    else:
        print(f"{args.questions} not found: the handbook's page titles are its questions")
        queries, qrels = titles.queries, titles.qrels
        handbook_source = "page titles (no question file)"
    sets["handbook"] = (index_dir, queries, qrels)

    results = {}
    for name, (index_dir, queries, qrels) in sets.items():
        kb = KnowledgeBase(index_dir, embedder, settings)
        results[name] = _score(name, kb, queries, qrels, args.seed)
        print(f"{name} done", flush=True)
    results["handbook"]["questions_from"] = handbook_source
    result = {
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "seed": args.seed,
        "speller": {"min_length": MIN_LENGTH, "long": LONG, "reordered": REORDERED},
        "sets": results,
        "speed": {"english_word_list_ms": round(english_ms, 1)}
        | _speed(args.data_dir / "beir-scifact"),
    }
    _print(result)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nJSON: {args.json}")


def make_typo(query: str, rng: random.Random) -> tuple[str, str, str, str] | None:
    """`query` with one typo in one content word: (query, word, typo, kind); None when the
    query has no word to misspell."""
    stop = stop_words()
    spans = [
        (s, e)
        for s, e in word_spans(query)
        if e - s >= MIN_WORD and query[s:e].isalpha() and query[s:e].lower() not in stop
    ]
    if not spans:
        return None
    start, end = rng.choice(spans)
    word = query[start:end]
    while True:
        kind = rng.choice(KINDS)
        typo = _edit(word, kind, rng)
        if typo != word:
            return query[:start] + typo + query[end:], word, typo, kind


def _edit(word: str, kind: str, rng: random.Random) -> str:
    letter = rng.choice(string.ascii_lowercase)
    if kind == "deletion":
        i = rng.randrange(len(word))
        return word[:i] + word[i + 1 :]
    if kind == "insertion":
        i = rng.randrange(len(word) + 1)
        return word[:i] + letter + word[i:]
    if kind == "substitution":
        i = rng.randrange(len(word))
        return word[:i] + letter + word[i + 1 :]
    i = rng.randrange(len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _score(name: str, kb: KnowledgeBase, queries: dict, qrels: dict, seed: int) -> dict:
    rng = random.Random(f"{seed}/{name}")
    typos = {q: t for q, text in queries.items() if (t := make_typo(text, rng))}
    t0 = time.perf_counter()
    # The languages people.yaml lists, as the search's own speller reads them.
    speller = Speller.from_chunks(
        kb.index.chunks, languages=written_languages(kb.index.manifest.people)
    )
    speller.vocabulary()
    build_ms = (time.perf_counter() - t0) * 1000

    clean_fixes = {q: speller.correct(text) for q, text in queries.items()}
    fixes = {q: speller.correct(t[0]) for q, t in typos.items()}
    runs = {
        "clean": {q: queries[q] for q in typos},
        "typo": {q: t[0] for q, t in typos.items()},
        "corrected": {q: f.corrected for q, f in fixes.items()},
    }
    changed_clean = {q: f.corrected for q, f in clean_fixes.items() if f.changed}
    runs["clean, corrected"] = changed_clean
    mrr = {}
    for label, texts in runs.items():
        # "typo" is the question as typed, searched without kb's own correction (which
        # `KnowledgeBase.search` applies): what correction saves.
        run, _ = retrieval_run(texts, kb, "hybrid", depth=30, exact=label == "typo")
        mrr[label] = metrics.per_query(metrics.mrr_at, {q: qrels[q] for q in texts}, run, 10)
    clean_all, _ = retrieval_run(queries, kb, "hybrid", depth=30)
    clean_mrr = metrics.per_query(metrics.mrr_at, qrels, clean_all, 10)

    def mean(label: str) -> float:
        return round(statistics.fmean(mrr[label].values()), 4) if mrr[label] else 0.0

    outcome = {q: _outcome(speller, queries[q], typos[q], fixes[q]) for q in typos}
    return {
        "questions": len(queries),
        "typo_questions": len(typos),
        "mrr_at_10_clean_all": round(statistics.fmean(clean_mrr.values()), 4),
        "mrr_at_10_clean": mean("clean"),
        "mrr_at_10_typo": mean("typo"),
        "mrr_at_10_corrected": mean("corrected"),
        "ratio_typo_to_clean": round(mean("typo") / mean("clean"), 4),
        "ratio_corrected_to_clean": round(mean("corrected") / mean("clean"), 4),
        "typos_by_kind": _count(t[3] for t in typos.values()),
        "typos_corrected": _count(outcome.values()),
        "clean_changed": [
            {
                "query": queries[q],
                "corrected": changed_clean[q],
                "mrr_clean": clean_mrr[q],
                "mrr_corrected": mrr["clean, corrected"][q],
            }
            for q in changed_clean
        ],
        "speller_build_ms": round(build_ms, 1),
        "per_question": [
            {
                "query": queries[q],
                "typo": typos[q][0],
                "corrected": fixes[q].corrected,
                "outcome": outcome[q],
                "mrr_clean": mrr["clean"][q],
                "mrr_typo": mrr["typo"][q],
                "mrr_corrected": mrr["corrected"][q],
            }
            for q in typos
        ],
    }


def _outcome(speller: Speller, clean: str, typo: tuple[str, str, str, str], fix) -> str:
    """What correction made of one typo, and why it left it when it did."""
    if fix.corrected.lower() == clean.lower():  # a typo on a capital comes back lower-case
        return "corrected back"
    if fix.changed:
        return "corrected to another word"
    word = typo[2]
    if not correctable(word):
        return "left: not a plain word of 4+ letters"
    if word.lower() in english_words():
        return "left: the typo is an English word"
    if speller.vocabulary().knows(word.lower()):
        return "left: the corpus has it or its stem"
    return "left: no corpus word near enough"


def _count(values) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def _question_file(path: Path) -> tuple[dict[str, str], dict[str, dict[str, int]]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = data["questions"] if isinstance(data, dict) else data
    queries = {str(i): e["query"] for i, e in enumerate(entries)}
    qrels = {str(i): {p: int(g) for p, g in e["qrels"].items()} for i, e in enumerate(entries)}
    return queries, qrels


def _speed(scifact: Path) -> dict:
    """The speller on a 5k-document corpus: building its vocabulary, then correcting."""
    corpus = scifact / "corpus.jsonl"
    if not corpus.is_file():
        return {}
    docs = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    texts = [f"{d['title']}\n{d['text']}" for d in docs]
    speller = Speller(texts)
    t0 = time.perf_counter()
    speller.correct("the effect of aspirin on heart attacks")  # English words: no vocabulary
    clean_first_ms = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    speller.vocabulary()
    build_ms = (time.perf_counter() - t0) * 1000
    queries = [json.loads(line)["text"] for line in (scifact / "queries.jsonl").open()][:300]
    rng = random.Random("speed")
    typos = [t[0] for q in queries if (t := make_typo(q, rng))]
    per_query = []
    for q in queries + typos:
        t0 = time.perf_counter()
        speller.correct(q)
        per_query.append((time.perf_counter() - t0) * 1000)
    per_query.sort()
    return {
        "corpus": f"beir-scifact, {len(texts)} documents",
        "first_clean_query_ms": round(clean_first_ms, 2),
        "vocabulary_build_ms": round(build_ms, 1),
        "vocabulary_words": len(speller.vocabulary().counts),
        "queries": len(per_query),
        "correct_p50_ms": round(per_query[len(per_query) // 2], 3),
        "correct_p95_ms": round(per_query[int(len(per_query) * 0.95)], 3),
        "correct_max_ms": round(per_query[-1], 3),
    }


def _print(result: dict) -> None:
    sets = result["sets"]
    rows = [
        ("questions with a typo", "typo_questions"),
        ("MRR@10 clean", "mrr_at_10_clean"),
        ("MRR@10 typo, as typed", "mrr_at_10_typo"),
        ("MRR@10 typo, corrected", "mrr_at_10_corrected"),
        ("typo / clean", "ratio_typo_to_clean"),
        ("corrected / clean", "ratio_corrected_to_clean"),
        ("speller build ms", "speller_build_ms"),
    ]
    print(f"\n{'seed ' + str(result['seed']):<28}" + "".join(f"{n:>12}" for n in sets))
    for label, key in rows:
        print(f"{label:<28}" + "".join(f"{s[key]:>12}" for s in sets.values()))
    print(
        f"{'clean questions changed':<28}"
        + "".join(f"{len(s['clean_changed']):>12}" for s in sets.values())
    )
    for name, s in sets.items():
        print(f"\n{name}: typos {s['typos_by_kind']}")
        for outcome, n in s["typos_corrected"].items():
            print(f"  {outcome}: {n}")
        for c in s["clean_changed"]:
            print(
                f"  clean changed: {c['query']!r} -> {c['corrected']!r} "
                f"MRR {c['mrr_clean']:.3f} -> {c['mrr_corrected']:.3f}"
            )
    for key, value in result["speed"].items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
