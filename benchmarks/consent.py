"""How long consent takes to read every name-like string of a real corpus (`Directory.hides`).

Usage: python benchmarks/consent.py ../shared/data/handbook-18f [--hidden "A B,C D"] [--rounds 3]
       [--show]

Every run of one to four capitalised words, every email and every single word that could be
a login in the corpus's Markdown pages, and every author in its `authors.tsv`, asked of a
fresh directory (its answers and the name caches emptied first) of the corpus's authors
with three of them hidden. Prints the best of `--rounds` and how many strings were hidden
(with `--show`, which: a rule that hides more than their names is a false positive).
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from kb.models import Directory, Person, names

_CAPITALISED = re.compile(r"\b[A-Z][\w'’.-]*(?:[ \t]+[A-Z][\w'’.-]*){0,3}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LOGIN = re.compile(r"\b[a-z][a-z0-9._]{4,20}\b")


def strings(corpus: Path) -> tuple[list[str], list[str]]:
    """The name-like strings of the corpus's pages, and its authors, each once."""
    found: dict[str, None] = {}
    for path in sorted((corpus / "docs").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        for pattern in (_CAPITALISED, _EMAIL, _LOGIN):
            found.update(dict.fromkeys(pattern.findall(text)))
    rows = (corpus / "authors.tsv").read_text(encoding="utf-8").splitlines()[1:]
    authors = list(dict.fromkeys(row.split("\t")[1] for row in rows))
    return list(found), authors


def once(asked: list[str], authors: list[str], hidden: set[str]) -> tuple[float, int]:
    """Seconds to ask every string of a fresh directory, and how many it hides."""
    names.folded_name.cache_clear()
    names.person_key.cache_clear()
    directory = Directory(tuple(Person(a, hidden=a in hidden) for a in authors))
    start = time.perf_counter()
    shown = sum(directory.hides(s) for s in asked)
    return time.perf_counter() - start, shown


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path, help="a folder with docs/ and authors.tsv")
    ap.add_argument("--hidden", default="Sean Killeen,Ashley Wichman,John Jediny")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--show", action="store_true", help="print every string hidden")
    args = ap.parse_args()
    texts, authors = strings(args.corpus)
    hidden = set(args.hidden.split(","))
    asked = texts + authors
    runs = [once(asked, authors, hidden) for _ in range(args.rounds)]
    best = min(t for t, _ in runs)
    print(f"{len(asked)} strings, {len(authors)} authors, {len(hidden)} hidden")
    print(f"best of {args.rounds}: {best:.3f} s; {runs[0][1]} hidden")
    if args.show:
        directory = Directory(tuple(Person(a, hidden=a in hidden) for a in authors))
        print("\n".join(sorted(s for s in asked if directory.hides(s))))


if __name__ == "__main__":
    main()
