"""Time from `streamlit run app.py` to the app's first rendered page, in headless Chromium,
this checkout against another revision, as a ratio.

Usage: python benchmarks/app_start.py [--baseline REV] [--runs 5]

Each run starts a fresh `streamlit run app.py` of one checkout (its `kb` on PYTHONPATH) over
the same index of the bundled content/ (built once with this checkout in
.kb-cache/app-start), the two checkouts alternating so that the shared machine's drift falls
on both. The clock starts when the process is spawned; the browser (already open) loads the
page as soon as the server answers its health check. Two marks: the search box drawn, and the
first script run finished (the start page whole: its lists, the sidebar's filters). The
model's ONNX file is cached beforehand, as after `kb index`. Prints medians and the ratio;
writes benchmarks/results/app_start.json.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(ROOT / "tests"))
from e2e import browser_page, free_port, stop, streamlit_command, wait_healthy  # noqa: E402
from revision import export_revision  # noqa: E402

BASELINE = "6dedd21"
GOAL_S = 4.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", default=BASELINE, help="git revision to compare against")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks/results/app_start.json")
    args = ap.parse_args()
    index_dir = ROOT / ".kb-cache" / "app-start" / "index"
    if not (index_dir / "manifest.json").exists():
        subprocess.run(
            [
                sys.executable,
                "-m",
                "kb.cli",
                "index",
                str(ROOT / "content"),
                "--index-dir",
                str(index_dir),
            ],
            check=True,
            env={**os.environ, "HF_HUB_OFFLINE": "1"},
        )
    old = export_revision(args.baseline)
    checkouts = {"baseline": old, "this": ROOT}
    marks: dict[str, dict[str, list[float]]] = {
        label: {"box": [], "page": []} for label in checkouts
    }
    try:
        with browser_page() as page:
            for r in range(args.runs + 1):
                for label, tree in checkouts.items():
                    box, whole = _start(page, tree, index_dir)
                    if r:  # the first round warms the disk cache
                        marks[label]["box"].append(box)
                        marks[label]["page"].append(whole)
                print(f"round {r}: done", flush=True)
    finally:
        shutil.rmtree(old, ignore_errors=True)
    result: dict = {"baseline": args.baseline, "runs": args.runs, "goal_s": GOAL_S}
    for label, times in marks.items():
        result[label] = {k: round(statistics.median(v), 2) for k, v in times.items()}
        result[label]["all"] = times
    ratio = result["baseline"]["page"] / result["this"]["page"]
    result["faster_by"] = round(ratio, 2)
    print(
        f"\n| checkout | search box drawn, median s | first page whole, median s |\n|---|---|---|\n"
        f"| baseline ({args.baseline}) | {result['baseline']['box']:.2f} "
        f"| {result['baseline']['page']:.2f} |\n"
        f"| this | {result['this']['box']:.2f} | {result['this']['page']:.2f} |\n"
        f"\nfirst page whole: {ratio:.2f}x (goal: under {GOAL_S:.0f} s)"
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.json}")


def _start(page, tree: Path, index_dir: Path) -> tuple[float, float]:
    """Seconds from spawning `streamlit run` (of `tree`) to the box, and to the first run's end."""
    port = free_port()
    env = {
        **os.environ,
        "KB_INDEX_DIR": str(index_dir),
        "PYTHONPATH": str(tree),
        "HF_HUB_OFFLINE": "1",
    }
    cmd = streamlit_command(tree / "app.py", port)
    url = f"http://127.0.0.1:{port}"
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        if not wait_healthy(url, proc, timeout=120, poll=0.05):
            raise SystemExit(f"streamlit of {tree} did not start")
        page.goto(url)
        page.wait_for_selector("input[aria-label=Search]", timeout=120_000)
        box = time.perf_counter() - start
        page.wait_for_function("() => (window.__kbKeys?.run ?? 0) >= 1", timeout=120_000)
        whole = time.perf_counter() - start
        page.goto("about:blank")
        return box, whole
    finally:
        stop(proc)


if __name__ == "__main__":
    main()
