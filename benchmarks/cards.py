"""The card of the intended page: does it show the section that answers, and mark the sentence?

Usage: python benchmarks/cards.py [--index-dir /tmp/kb-cards-idx] [--sets dev,heldout,business]
           [--k 10] [--show] [--json benchmarks/results/cards.json]

Questions: benchmarks/questions/cards-dev.json (the 90 answerable questions of a new-user
trial, the set changes were tuned on), cards-heldout.json (40 questions on the 19 bundled
pages the trial never asked about, written and labelled before any change) and
cards-business.json (54 business questions: the 34 answerable ones of a business-side trial
and 20 more on the HR, finance, sales, procurement and legal pages asking for amounts, bands,
roles and countries; labelled before any change, not used to tune). Each names its intended
page, the section(s) that answer (the last heading; "(top)" for the part of the page above
its first heading) and text found in the unit(s) that answer (a sentence, a table row as
"cell · cell", a list item or a code line, as kb.search.display shows them).

The bundled content (content/) is indexed into `--index-dir` unless it holds an index. Each
question is searched as the app does (`KnowledgeBase.search`, spelling corrected, `k` hits);
the intended page's card is the section `kb.search.cards.group_by_page` shows for it among
the relevant hits, else among the rest (the app's two lists).

Per set: page found (among the `k` hits), page first, section right (the card's section is
one that answers), shown (an answering unit's text is in the card's snippet), sentence right (the
marked text holds an answering unit's text), nothing marked, wrong marked (something marked
that answers nothing), cut (the marked text is part of a unit only: a row cut mid-cell, a
sentence cut short). Counts are of all the set's questions.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from kb import KnowledgeBase, SentenceTransformerEmbedder, Settings, build_index
from kb.index.store import MANIFEST
from kb.models import Hit
from kb.search.cards import group_by_page
from kb.search.display import units as display_units

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "benchmarks" / "questions"
COUNTS = ("found", "first", "section", "shown", "sentence", "nothing", "wrong", "cut")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--content", type=Path, default=ROOT / "content")
    ap.add_argument("--index-dir", type=Path, default=Path("/tmp/kb-cards-idx"))
    ap.add_argument("--sets", default="dev,heldout,business")
    ap.add_argument("--k", type=int, default=10, help="hits per search (the API's default)")
    ap.add_argument("--show", action="store_true", help="print every question's card")
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "cards.json")
    args = ap.parse_args()
    embedder, settings = SentenceTransformerEmbedder(), Settings()
    if not (args.index_dir / MANIFEST).exists():
        build_index(args.content, args.index_dir, embedder, settings)
    kb = KnowledgeBase(args.index_dir, embedder, settings)
    out: dict[str, object] = {"k": args.k, "sets": {}}
    print(f"| set | questions | {' | '.join(COUNTS)} |")
    print("|---|---|" + "---|" * len(COUNTS))
    for name in args.sets.split(","):
        rows = [judge(kb, q, args.k) for q in json.loads(read(name))["questions"]]
        totals = {c: sum(bool(r[c]) for r in rows) for c in COUNTS}
        out["sets"][name] = {"questions": len(rows), **totals, "rows": rows}  # type: ignore[index]
        print(f"| {name} | {len(rows)} | " + " | ".join(str(totals[c]) for c in COUNTS) + " |")
        if args.show:
            for r in rows:
                flags = "".join(c[0].upper() if r[c] else "." for c in COUNTS)
                print(f"  {r['id']} {flags} {r['query']!r} -> {r['heading']!r}: {r['marked']!r}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    out["when"] = time.strftime("%Y-%m-%d %H:%M")
    args.json.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n")


def read(name: str) -> str:
    return (QUESTIONS / f"cards-{name}.json").read_text()


def judge(kb: KnowledgeBase, question: dict, k: int) -> dict[str, object]:
    """One question's card for its intended page, and what it got right."""
    found = kb.search(question["query"], k=k)
    relevant = list(found.relevant)
    groups = group_by_page(relevant, pages=k) + group_by_page(
        [h for h in found.hits if not h.relevant], pages=k
    )
    pages = list(dict.fromkeys(shown.chunk.path for shown, _ in groups))
    card = next((shown for shown, _ in groups if shown.chunk.path == question["page"]), None)
    heading = _section(card) if card else None
    marked = card.answer_text if card else ""
    units = [_plain(u) for u in question["units"]]
    return {
        "id": question["id"],
        "query": question["query"],
        "found": card is not None,
        "first": bool(pages) and pages[0] == question["page"],
        "section": heading in question["sections"],
        "shown": bool(card) and any(u in _plain(card.snippet) for u in units),
        "sentence": bool(marked) and any(u in _plain(marked) for u in units),
        "nothing": card is not None and not marked,
        "wrong": bool(marked) and not any(u in _plain(marked) for u in units),
        "cut": bool(marked) and marked not in {u.text for u in display_units(card.chunk.text)},
        "heading": heading,
        "snippet": card.snippet if card else "",
        "marked": marked,
    }


def _section(hit: Hit) -> str:
    path = hit.chunk.heading_path
    return path[-1] if path else "(top)"


def _plain(text: str) -> str:
    return " ".join(text.split()).casefold()


if __name__ == "__main__":
    main()
