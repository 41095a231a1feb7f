"""HNSW or IVF? The measurement behind kb's approximate index, on real chunk embeddings.

Usage: python benchmarks/ann_choice.py ../shared/data [--sizes 100000,1000000]

The same real chunks, noisy copies and real queries as `indexing.py --parts c`. For each
candidate FAISS index (1 thread per query, as kb searches): build time, and recall@10 and
recall@100 against exact search with p50/p95 latency at several search widths. kb uses what
this picked (IVF; docs/performance.md), and tunes its width at build time.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np
from indexing import ROOT, noisy_copies, real_chunks

from kb import SentenceTransformerEmbedder


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--cache-dir", type=Path, default=ROOT / ".kb-cache" / "eval")
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "ann.json")
    args = ap.parse_args()
    embedder = SentenceTransformerEmbedder()
    work = Path(tempfile.mkdtemp(prefix="kb-ann-"))
    _, vectors, queries = real_chunks(embedder, args.data_dir, args.cache_dir, work)
    q = embedder.encode(queries).astype(np.float32)
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        _, x = noisy_copies(vectors, n)
        faiss.omp_set_num_threads(2)
        _, truth = faiss.knn(q, x, 100, metric=faiss.METRIC_INNER_PRODUCT)
        nlist = 1 << round(np.log2(4 * np.sqrt(n)))
        for name, make, knob, widths in candidates(x.shape[1], nlist):
            faiss.omp_set_num_threads(2)
            start = time.perf_counter()
            index = make()
            if not index.is_trained:
                sample = np.random.default_rng(0).choice(n, min(n, 64 * nlist), replace=False)
                index.train(x[np.sort(sample)])
            index.add(x)
            build = time.perf_counter() - start
            faiss.omp_set_num_threads(1)
            for width in widths:
                knob(index, width)
                row = measure(index, q, truth)
                rows.append(
                    {"chunks": n, "index": name, "width": width, "build_s": round(build, 1), **row}
                )
                print(json.dumps(rows[-1]), flush=True)
            del index
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(rows, indent=2) + "\n")
    print(f"\nJSON: {args.json}")


def candidates(dim: int, nlist: int):
    ip = faiss.METRIC_INNER_PRODUCT
    fp16 = faiss.ScalarQuantizer.QT_fp16

    def set_nprobe(index, v):
        index.nprobe = v

    def set_ef(index, v):
        index.hnsw.efSearch = v

    return [
        (
            f"IVF{nlist},fp16",
            lambda: faiss.IndexIVFScalarQuantizer(
                faiss.IndexFlatIP(dim), dim, nlist, fp16, ip, False
            ),
            set_nprobe,
            [16, 32, 64, 128],
        ),
        ("HNSW32,flat", lambda: faiss.IndexHNSWFlat(dim, 32, ip), set_ef, [64, 128, 256]),
    ]


def measure(index, q: np.ndarray, truth: np.ndarray) -> dict:
    times, found = [], []
    for row in q:
        start = time.perf_counter()
        _, ids = index.search(row.reshape(1, -1), 100)
        times.append((time.perf_counter() - start) * 1000)
        found.append(ids[0])

    def recall(k: int) -> float:
        return round(
            float(
                np.mean(
                    [len(set(f[:k]) & set(t[:k])) / k for f, t in zip(found, truth, strict=True)]
                )
            ),
            4,
        )

    return {
        "recall_at_10": recall(10),
        "recall_at_100": recall(100),
        "p50_ms": round(float(np.percentile(times, 50)), 2),
        "p95_ms": round(float(np.percentile(times, 95)), 2),
    }


if __name__ == "__main__":
    main()
