"""torch, onnx (full precision) and onnx-int8: encoding speed on the same texts, and quality.

Usage: python benchmarks/encoders.py ../shared/data [--reps 3] [--speed-only]

Speed: the bundled content's chunk texts encoded by each encoder, interleaved (the CPU's
speed drifts), after a warm-up; and the cosine of each one's vectors to torch's. Quality:
nDCG@10 (dense and hybrid) on SciFact and on the Cardano answers, indexed by torch and by
onnx-int8 through kb's pipeline (cached in --cache-dir). onnx makes torch's vectors and an
index of the same name: its quality is checked by `benchmarks/quality.py --encoder onnx`
with an empty cache, every number against torch's.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from kb import Settings, build_index, load_embedder
from kb.eval.datasets import load_answer_retrieval_set, load_retrieval_set
from kb.eval.runs import eval_index, evaluate_retrieval
from kb.index.store import load_index

ROOT = Path(__file__).resolve().parent.parent
ENCODERS = ("torch", "onnx", "onnx-int8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--cache-dir", type=Path, default=ROOT / ".kb-cache" / "eval")
    ap.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "encoders.json")
    ap.add_argument("--speed-only", action="store_true")
    args = ap.parse_args()
    embedders = {name: load_embedder(name) for name in ENCODERS}
    result = {"speed": speed(embedders, args.cache_dir, args.reps), "quality": {}}
    sets = (
        {}
        if args.speed_only
        else {
            "beir-scifact": load_retrieval_set(args.data_dir / "beir-scifact"),
            "cardano-answers": load_answer_retrieval_set(args.data_dir / "expert-cardano-se"),
        }
    )
    for set_name, data in sets.items():
        for name, embedder in embedders.items():
            if name == "onnx":
                continue  # the same index name as torch's: see the docstring
            kb = eval_index(data, args.cache_dir, embedder, Settings())
            scores = evaluate_retrieval(data, kb, modes=("dense", "hybrid"))
            result["quality"][f"{set_name} {name}"] = {
                s.mode: {"ndcg_at_10": round(s.ndcg_at_10, 4), "p50_ms": round(s.p50_ms, 1)}
                for s in scores
            }
            print(set_name, name, result["quality"][f"{set_name} {name}"], flush=True)
    print("\nencoder | chunks/s (median) | cosine to torch mean / min")
    for name, row in result["speed"].items():
        print(f"{name} | {row['chunks_per_s']} | {row['cosine_mean']} / {row['cosine_min']}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nJSON: {args.json}")


def speed(embedders: dict, cache: Path, reps: int) -> dict:
    index_dir = cache / "bundled-encoders"
    build_index(ROOT / "content", index_dir, embedders["torch"], Settings())
    stored = load_index(index_dir, model_name=embedders["torch"].name, dim=384)
    texts = [c.embed_text for c in stored.chunks]
    times: dict[str, list[float]] = {name: [] for name in embedders}
    vectors = {}
    for e in embedders.values():
        e.encode(["warm up"])
    for _ in range(reps):
        for name, e in embedders.items():
            start = time.perf_counter()
            vectors[name] = e.encode(texts, batch_size=Settings().batch_size)
            times[name].append(time.perf_counter() - start)
    out = {}
    for name in embedders:
        cos = (vectors[name] * vectors["torch"]).sum(axis=1)
        out[name] = {
            "chunks": len(texts),
            "seconds": [round(t, 2) for t in times[name]],
            "chunks_per_s": round(len(texts) / float(np.median(times[name])), 1),
            "cosine_mean": round(float(cos.mean()), 7),
            "cosine_min": round(float(cos.min()), 7),
        }
        print(name, out[name], flush=True)
    return out


if __name__ == "__main__":
    main()
