"""A bounded load test of `kb serve` on loopback with wrk: requests/s and latency of /search.

Usage: python benchmarks/api_load.py INDEX_DIR [--workers 1 2] [--seconds 30]
       [--connections 4] [--json OUT.json]

Needs `wrk` (Debian: apt-get install wrk). For each worker count it starts `kb serve`, warms
every worker up, then runs wrk for a fixed time with a fixed number of connections, cycling
through 5,000 distinct queries made from the bundled questions (so every request embeds its
query) and prints
requests/s with p50/p95/p99 latency. wrk and the server share the machine's cores.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LUA = """
local paths = {}
local i = 0
for line in io.lines("%(queries)s") do paths[#paths + 1] = line end
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  io.write(string.format("KB %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.status, summary.errors.timeout))
end
"""


def queries(n: int = 5000) -> list[str]:
    """`n` distinct searches: the bundled questions, each with a different trailing number,
    so that every request embeds its query (no cache answers it)."""
    data = json.loads((ROOT / "tests" / "bundled_questions.json").read_text())
    texts = [q["query"] for q in data["searches"]] + [q["query"] for q in data["experts"]]
    return [
        f"/search?{urllib.parse.urlencode({'q': f'{texts[i % len(texts)]} {i}', 'k': 10})}"
        for i in range(n)
    ]


def serve(index_dir: Path, port: int, workers: int) -> subprocess.Popen:
    kb = str(Path(sys.executable).parent / "kb")
    cmd = [kb, "serve", "--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(
        [*cmd, "--index-dir", str(index_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "KB_API_TOKEN": ""},
    )


def wait_ready(url: str, paths: list[str], workers: int) -> None:
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/health", timeout=5)
            break
        except OSError:
            time.sleep(1)
    # Each worker loads the model and index on its first request: reach them all first.
    for path in paths[: 8 * workers]:
        urllib.request.urlopen(url + path, timeout=120).read()


def run(index_dir: Path, workers: int, seconds: int, connections: int, port: int) -> dict:
    paths = queries()
    work = Path(tempfile.mkdtemp(prefix="kb-load-"))
    (work / "paths.txt").write_text("\n".join(paths) + "\n")
    (work / "load.lua").write_text(LUA % {"queries": work / "paths.txt"})
    server = serve(index_dir, port, workers)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, paths, workers)
        out = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
            + ["-s", str(work / "load.lua"), url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)
    found = re.search(r"^KB (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", out, re.M)
    requests, micros, p50, p95, p99, bad_status, timeouts = map(int, found.groups())
    return {
        "workers": workers,
        "connections": connections,
        "seconds": seconds,
        "requests": requests,
        "requests_per_s": round(requests / (micros / 1e6), 1),
        "p50_ms": round(p50 / 1000, 1),
        "p95_ms": round(p95 / 1000, 1),
        "p99_ms": round(p99 / 1000, 1),
        "non_2xx": bad_status,
        "timeouts": timeouts,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("index_dir", type=Path)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--port", type=int, default=8790)
    ap.add_argument("--json", type=Path, default=Path("benchmarks/results/api_load.json"))
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    rows = [
        run(args.index_dir, w, args.seconds, args.connections, args.port + i)
        for i, w in enumerate(args.workers)
    ]
    print(
        f"\n{'workers':>7} {'conns':>5} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'non-2xx':>7}"
    )
    for r in rows:
        print(
            f"{r['workers']:>7} {r['connections']:>5} {r['requests_per_s']:>7} {r['p50_ms']:>7} "
            f"{r['p95_ms']:>7} {r['p99_ms']:>7} {r['non_2xx']:>7}"
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
