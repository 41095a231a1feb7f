"""Time from pressing Enter to rendered results, in a real headless Chromium.

Usage: python benchmarks/app_latency.py [--content content/] [--json OUT.json]

Indexes the content, starts `streamlit run app.py` on a free localhost port, warms up with
three queries, then times 20 different queries: from the Enter key to the moment the
results caption for that query is in the page (results and experts are computed in the
same script run, so the experts panel follows within the same render pass).
Needs Debian's chromium and the playwright package (see .ci/run).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from e2e import browser_page, run_query, streamlit_server, wait_ready  # noqa: E402
from helpers import SEARCHES  # noqa: E402

from kb import SentenceTransformerEmbedder, Settings, build_index  # noqa: E402

WARM_UP = ["vpn", "expenses", "who knows about contracts"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--content", type=Path, default=ROOT / "content")
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks/results/app_latency.json")
    args = ap.parse_args()

    index_dir = Path(tempfile.mkdtemp(prefix="kb-latency-")) / "index"
    build_index(args.content, index_dir, SentenceTransformerEmbedder(), Settings())
    queries = [q for q, _ in SEARCHES][:20]
    times: list[float] = []
    with streamlit_server(index_dir) as url, browser_page() as page:
        page.goto(url)
        wait_ready(page)
        for q in WARM_UP:
            run_query(page, q)
        for q in queries:
            times.append(run_query(page, q) * 1000)

    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    result = {
        "queries": len(times),
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(p95, 1),
        "min_ms": round(ordered[0], 1),
        "max_ms": round(ordered[-1], 1),
        "goal_median_ms": 300,
        "per_query_ms": {q: round(t, 1) for q, t in zip(queries, times, strict=True)},
    }
    print(f"{'metric':<10} {'ms':>8}")
    for key in ("median_ms", "p95_ms", "min_ms", "max_ms"):
        print(f"{key[:-3]:<10} {result[key]:>8.1f}")
    print(f"({len(times)} queries after {len(WARM_UP)} warm-up; goal: median < 300 ms)")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"JSON: {args.json}")


if __name__ == "__main__":
    main()
