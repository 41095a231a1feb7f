"""Whole-process wall time of kb's commands, this checkout against another revision, as ratios.

Usage: python benchmarks/cold_start.py [--baseline REV] [--runs 7] [--commands search,experts]

A user who types `kb search` in a terminal, a CI step that runs `kb check` and a chat bot that
spawns the CLI pay for a whole process: Python, imports, the model and the index. The baseline
revision (default: the last commit whose queries were embedded by torch) is exported with
`git archive` into a temporary folder. Each command runs once in each checkout to warm the
disk cache, then `--runs` times, the two checkouts alternating so that the shared machine's
drift falls on both; each run is a fresh `python` whose `kb` is that checkout's (PYTHONPATH),
over an index of the bundled content/ that checkout built itself (kept in .kb-cache/cold-start:
an old revision cannot read today's index format). Prints the median and the ratio of medians
per command; writes benchmarks/results/cold_start.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from revision import export_revision  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "9e2eaed"

# Each command's arguments after `kb`; {index} and {content} are filled in.
COMMANDS = {
    "search": ["search", "who approves expense claims in Spendwise", "--json"],
    "experts": ["experts", "supplier onboarding", "--json"],
    "person": ["person", "Oliver Grant"],
    "pairs": ["pairs", "--kind", "tandem", "--seed", "7"],
    "gaps": ["gaps"],
    "check": ["check", "{content}"],
}
RUN = "import sys; from kb.cli import main; sys.argv = ['kb', *sys.argv[1:]]; main()"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default=BASELINE, help="git revision to compare against")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--commands", default=",".join(COMMANDS))
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks/results/cold_start.json")
    args = ap.parse_args()
    content = ROOT / "content"
    old = export_revision(args.baseline)
    checkouts = {"baseline": old, "this": ROOT}
    # Each checkout searches an index it built itself: an older revision cannot read a newer
    # index format, nor this one an older (both indexed from the same content/).
    cache = ROOT / ".kb-cache" / "cold-start"
    indexes = {"baseline": cache / f"index-{args.baseline}", "this": cache / "index"}
    result: dict = {"baseline": args.baseline, "runs": args.runs, "commands": {}}
    try:
        for label, tree in checkouts.items():
            _index(content, indexes[label], tree)
        for name in args.commands.split(","):
            argv = [a.format(content=content) for a in COMMANDS[name]]
            times: dict[str, list[float]] = {"baseline": [], "this": []}
            for r in range(args.runs + 1):
                for label, tree in checkouts.items():
                    where = [] if name == "check" else ["--index-dir", str(indexes[label])]
                    seconds = _run(argv + where, tree)
                    if r:  # the first round warms the disk cache
                        times[label].append(seconds)
            row = {label: statistics.median(t) for label, t in times.items()}
            row["ratio"] = row["baseline"] / row["this"]
            row["all"] = times
            result["commands"][name] = row
            print(f"{name}: done", flush=True)
    finally:
        shutil.rmtree(old, ignore_errors=True)
    print(
        f"\n| command | baseline ({args.baseline}) median s | this median s | faster by |"
        "\n|---|---|---|---|"
    )
    for name, row in result["commands"].items():
        print(f"| kb {name} | {row['baseline']:.2f} | {row['this']:.2f} | {row['ratio']:.1f}x |")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {args.json}")


def _index(content: Path, index_dir: Path, tree: Path) -> None:
    """`kb index` with the `kb` of `tree` (nothing to do when its index is up to date)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    argv = [sys.executable, "-c", RUN, "index", str(content), "--index-dir", str(index_dir)]
    subprocess.run(argv, check=True, cwd=tree, env=env, capture_output=True)


def _run(argv: list[str], tree: Path) -> float:
    """One whole process: `kb ARGV` with the `kb` of `tree`, its wall time in seconds."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", RUN, *argv], cwd=tree, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    # kb check exits 1 when it finds something; any other command must succeed (an old
    # revision that cannot read today's index fails fast, and would look fast).
    if done.returncode not in ((0, 1) if argv[0] == "check" else (0,)):
        raise SystemExit(f"kb {' '.join(argv)} failed in {tree}:\n{done.stderr[-2000:]}")
    return seconds


if __name__ == "__main__":
    main()
