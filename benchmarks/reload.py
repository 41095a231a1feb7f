"""A server's requests while it takes up a new build: this checkout against an older one.

Usage: python benchmarks/reload.py CONTENT_DIR INDEX_DIR --baseline REV
           [--rounds 2] [--encoder onnx-int8] [--json benchmarks/results/reload.json]

INDEX_DIR is an index of CONTENT_DIR (for example the 100,000 pages benchmarks/segments.py
keeps in --work). Each round, each side in turn: a fresh process of that side's kb opens
the index as `kb serve` does (`kb.serve.loaded.LoadedIndex`) and answers one search; then
this process edits one page (a paragraph appended) and runs `build_index`; then the server
process searches again and again, 0.1 s apart, until an answer comes from the new build.
Timed per side: opening the index and its first search (a server's start), the first
request after the build, the slowest request until the new build answers, and how long
after the build the new build answered; and the process's memory after the start and at
its peak. Printed as medians over the rounds, and this
checkout's as a ratio of the baseline's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from revision import export_revision  # noqa: E402

from kb import Settings, build_index, load_embedder  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ("how do I reset my password", "who approves expense claims", "vpn setup")
# The server: a side's kb, one line of JSON out when it has started, another when done.
SERVER = """
import json, os, resource, sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
import kb
assert kb.__file__.startswith(sys.argv[1]), kb.__file__
from kb.backends.location import IndexLocation
from kb.serve.loaded import LoadedIndex
queries = json.loads(sys.argv[3])
index = LoadedIndex(IndexLocation(index_dir=Path(sys.argv[2])))
t = time.perf_counter()
first = index.get()
first.search(queries[0], k=10)
start = time.perf_counter() - t
rss = int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
print(json.dumps({"start": start, "rss_mb": rss}), flush=True)
sys.stdin.readline()  # the build is done
since, waits, n = time.perf_counter(), [], 0
while True:
    t = time.perf_counter()
    kb_now = index.get()
    kb_now.search(queries[n % len(queries)], k=10)
    waits.append(time.perf_counter() - t)
    n += 1
    if kb_now is not first:
        break
    time.sleep(0.1)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"first": waits[0], "slowest": max(waits), "new": time.perf_counter() - since,
                  "requests": len(waits), "peak_mb": peak}), flush=True)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("content", type=Path)
    ap.add_argument("index_dir", type=Path)
    ap.add_argument("--baseline", required=True, help="a git revision of this repository")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--encoder", default="onnx-int8", help="the one the index was built with")
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "reload.json")
    args = ap.parse_args()
    base = export_revision(args.baseline)
    embedder = load_embedder(args.encoder)
    pages = sorted(args.content.rglob("*.md"))[:50]
    runs: dict[str, list[dict]] = {"baseline": [], "this": []}
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    try:
        for r in range(args.rounds):
            for side, checkout in (("baseline", base), ("this", ROOT)):
                server = subprocess.Popen(
                    [sys.executable, "-c", SERVER, str(checkout), str(args.index_dir)]
                    + [json.dumps(QUERIES)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                    env=env,
                )
                started = json.loads(server.stdout.readline())
                page = pages[(2 * r + (side == "this")) % len(pages)]
                page.write_text(page.read_text() + f"\n\nA line added by reload round {r}.\n")
                build_index(args.content, args.index_dir, embedder, Settings())
                server.stdin.write("go\n")
                server.stdin.flush()
                done = json.loads(server.stdout.readline())
                server.wait()
                runs[side].append({**started, **done})
                print(f"round {r} {side}: {runs[side][-1]}", flush=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    keys = ("start", "first", "slowest", "new", "rss_mb", "peak_mb")
    med = {s: {k: statistics.median(x[k] for x in runs[s]) for k in keys} for s in runs}
    print(f"\n| median of {args.rounds} rounds | baseline {args.baseline} | this | ratio |")
    print("|---|---|---|---|")
    labels = {
        "start": "open the index and answer one search",
        "first": "the first request after a build",
        "slowest": "the slowest request until the new build answers",
        "new": "from the build to the new build answering",
        "rss_mb": "memory after the start (MB resident)",
        "peak_mb": "memory at the most, by the time the new build answers (MB)",
    }
    for k in keys:
        b, t = med["baseline"][k], med["this"][k]
        print(f"| {labels[k]} | {b:.2f} | {t:.2f} | {t / b:.2f}x |")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    result = {"baseline": args.baseline, "index": str(args.index_dir), "runs": runs, "median": med}
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nJSON: {args.json}")


if __name__ == "__main__":
    main()
