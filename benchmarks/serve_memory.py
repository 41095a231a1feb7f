"""Resident memory of a `kb serve` replica after 100 searches, this checkout against another.

Usage: python benchmarks/serve_memory.py [--baseline REV] [--pages 10000] [--work DIR]

Each replica is a fresh `kb serve` (one worker) started with that checkout's `kb`
(PYTHONPATH), over the same index: the bundled content/ and a `--pages` docs repository made
by benchmarks/indexing.py's generator (0 leaves it out). After /health answers, it gets 100
requests: the bundled questions (answerable, then unanswerable) alternating between /search
and /experts. Its VmRSS (and VmHWM, the peak) are read from /proc then. Memory is a count, not
a time, so one run per checkout suffices; the two run one after the other on the same index.
Indexes are built once with this checkout into `--work` (default .kb-cache/serve-memory) and
reused. Prints a table and writes benchmarks/results/serve_memory.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from indexing import generate, git  # noqa: E402
from revision import export_revision  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "6dedd21"
REQUESTS = 100
RUN = "import sys; from kb.cli import main; sys.argv = ['kb', *sys.argv[1:]]; main()"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default=BASELINE, help="git revision to compare against")
    ap.add_argument("--pages", type=int, default=10_000, help="generated corpus (0: none)")
    ap.add_argument("--work", type=Path, default=ROOT / ".kb-cache" / "serve-memory")
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks/results/serve_memory.json")
    args = ap.parse_args()
    corpora = {"bundled": _index(args.work / "bundled", ROOT / "content")}
    if args.pages:
        repo = args.work / f"repo-{args.pages}"
        if not repo.exists():
            repo.mkdir(parents=True)
            generate(repo, args.pages)
            git(repo, "init", "-q")
            git(repo, "add", ".")
            git(repo, "commit", "-qm", "generated")
        corpora[f"{args.pages} pages"] = _index(args.work / f"index-{args.pages}", repo)
    old = export_revision(args.baseline)
    result: dict = {"baseline": args.baseline, "requests": REQUESTS, "corpora": {}}
    try:
        for name, index_dir in corpora.items():
            row = {
                label: _replica(tree, index_dir)
                for label, tree in (("baseline", old), ("this", ROOT))
            }
            row["ratio"] = row["this"]["rss_mb"] / row["baseline"]["rss_mb"]
            result["corpora"][name] = row
            print(f"{name}: done", flush=True)
    finally:
        shutil.rmtree(old, ignore_errors=True)
    print(
        f"\n| index | baseline ({args.baseline}) RSS MB | this RSS MB | this / baseline "
        "| peak MB baseline / this |\n|---|---|---|---|---|"
    )
    for name, row in result["corpora"].items():
        b, t = row["baseline"], row["this"]
        print(
            f"| {name} | {b['rss_mb']:.0f} | {t['rss_mb']:.0f} | {row['ratio']:.2f} "
            f"| {b['peak_mb']:.0f} / {t['peak_mb']:.0f} |"
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {args.json}")


def _index(index_dir: Path, content: Path) -> Path:
    """An index of `content` built by this checkout, reused when it exists."""
    if not (index_dir / "manifest.json").exists():
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", RUN, "index", str(content), "--index-dir", str(index_dir)],
            check=True,
            env={**os.environ, "HF_HUB_OFFLINE": "1"},
        )
        print(f"indexed {content} in {time.perf_counter() - started:.0f} s", flush=True)
    return index_dir


def _questions() -> list[str]:
    asked = json.loads((ROOT / "tests/bundled_questions.json").read_text())
    unanswerable = json.loads((ROOT / "tests/bundled_unanswerable.json").read_text())
    found = [q["query"] for q in asked["searches"]] + [q["query"] for q in asked["experts"]]
    found += [q["query"] if isinstance(q, dict) else q for q in unanswerable["questions"]]
    return found


def _replica(tree: Path, index_dir: Path) -> dict:
    """Start `kb serve` from `tree`, send REQUESTS searches, read its memory, stop it."""
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(tree), "HF_HUB_OFFLINE": "1"}
    env.pop("KB_API_TOKEN", None)
    argv = ["serve", "--port", str(port), "--index-dir", str(index_dir)]
    server = subprocess.Popen(
        [sys.executable, "-c", RUN, *argv],
        cwd=tree,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(base, server)
        questions = _questions()
        for i in range(REQUESTS):
            route = "search" if i % 2 == 0 else "experts"
            query = urllib.parse.urlencode({"q": questions[i % len(questions)]})
            with urllib.request.urlopen(f"{base}/{route}?{query}", timeout=120) as reply:
                reply.read()
        status = Path(f"/proc/{server.pid}/status").read_text()
        return {"rss_mb": _field(status, "VmRSS"), "peak_mb": _field(status, "VmHWM")}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _wait(base: str, server: subprocess.Popen) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise SystemExit(f"kb serve exited: {server.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("kb serve did not answer /health in 300 s")


def _field(status: str, name: str) -> float:
    line = next(x for x in status.splitlines() if x.startswith(name + ":"))
    return int(line.split()[1]) / 1024


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    main()
