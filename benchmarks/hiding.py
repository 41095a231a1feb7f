"""What writing hidden people's names out of page text costs a build, against parsing.

Usage: python benchmarks/hiding.py ../shared/data/handbook-18f [--hidden N] [--rounds 3]
       [--show]

Parses every Markdown page of the corpus (`kb.content.parse.parse_markdown`), then writes
out the names of the first N of its authors with a space in their name
(`kb.content.hiding.without_hidden`, a fresh directory of every author each round). Prints
a table of the best of `--rounds` for both, their ratio and how many names were written out
(`--show`: which texts, to judge false positives), and writes
benchmarks/results/hiding.json. Only a build with someone hidden pays it.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path

from kb.content.hiding import HIDDEN_NAME, without_hidden
from kb.content.parse import parse_markdown
from kb.models import Directory, Person

OUT = Path(__file__).parent / "results" / "hiding.json"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path, help="a folder with docs/ and authors.tsv")
    ap.add_argument("--hidden", type=int, default=10, help="how many authors are hidden")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--show", action="store_true", help="print every text written out")
    args = ap.parse_args()
    rows = (args.corpus / "authors.tsv").read_text(encoding="utf-8").splitlines()[1:]
    authors = sorted({row.split("\t")[1] for row in rows})
    hidden = set([a for a in authors if " " in a][: args.hidden])
    files = sorted((args.corpus / "docs").rglob("*.md"))
    parse, hide, docs, out = [], [], [], []
    for _ in range(args.rounds):
        start = time.perf_counter()
        docs = [d for f in files if (d := parse_markdown(f.read_bytes(), f.name)[0])]
        parse.append(time.perf_counter() - start)
        directory = Directory(tuple(Person(a, hidden=a in hidden) for a in authors))
        start = time.perf_counter()
        out = [without_hidden(d, directory.names_in) for d in docs]
        hide.append(time.perf_counter() - start)
    written = sum(d.body.count(HIDDEN_NAME) for d in out)
    result = {
        "pages": len(docs),
        "authors": len(authors),
        "hidden": len(hidden),
        "parse_s": round(min(parse), 3),
        "hide_s": round(min(hide), 3),
        "ratio": round(min(hide) / min(parse), 2),
        "names_written_out": written,
    }
    print("| pages | authors | hidden | parsing (s) | names written out (s) | ratio | names |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {result['pages']} | {result['authors']} | {result['hidden']} | "
        f"{result['parse_s']} | {result['hide_s']} | {result['ratio']} | {written} |"
    )
    if args.show:
        directory = Directory(tuple(Person(a, hidden=a in hidden) for a in authors))
        seen = Counter(d.body[a:b] for d in docs for a, b in directory.names_in(d.body))
        print("\n".join(f"{n} x {text!r}" for text, n in seen.most_common()))
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
