"""One-page edits at 10,000 pages, this checkout against an older one in the same run.

Usage: python benchmarks/edit_pair.py BASELINE_CHECKOUT [--pages 10000] [--edits 40]
                                      [--work DIR] [--json benchmarks/results/edit_pair.json]
                                      [--command] [--encoder onnx|torch|onnx-int8] [--told]

The corpus and its index are benchmarks/segments.py's (made there if missing, in --work).
Each side edits and indexes its own copy of them; the baseline runs in a worker process that
imports `kb` from BASELINE_CHECKOUT (same venv), this checkout in this process, both with the
packaged model loaded once (`--encoder`: the one segments.py made the index with; the
default is torch for the baseline and its ONNX twin here, which make the same index). The two
alternate edit by edit (load on a shared machine drifts),
then each runs "nothing changed" as often. Printed: per side the median, p95 and max seconds
of `build_index`, and this checkout's median and max as a ratio of the baseline's.

--told: this checkout's builds are told the edited page's path (`build_index(changed=...)`,
as `kb watch` runs them) instead of walking the folder, after `kb.build.warm` as `kb watch`
starts; the baseline walks as it always did.

--command times the whole `kb index` command instead: each run a fresh process of that side's
`kb` (start-up, imports and loading the model included), with `--encoder` if given, else
each side's default encoder.
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
from indexing import edit, edited  # noqa: E402
from segments import _pct, corpus  # noqa: E402

from kb import Settings, build_index, load_embedder  # noqa: E402
from kb.build import warm  # noqa: E402
from kb.config import ENCODERS  # noqa: E402
from kb.index.folder import MANIFEST, atomic_write  # noqa: E402
from kb.index.manifest import dumps, read_manifest  # noqa: E402
from kb.models import Manifest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# Each side's processes as on a user's machine: Python caches compiled modules. Where the
# environment says not to (this sandbox sets PYTHONDONTWRITEBYTECODE), every `kb index` process
# would compile kb's modules from source again, 0.2-0.3 s a run that no installed kb pays.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONPATH": ""}
# The worker: the baseline's kb, the same edit as this side, one line in, seconds out.
WORKER = """
import sys, time
sys.path.insert(0, sys.argv[1])
sys.path.insert(1, sys.argv[2])
from pathlib import Path
from indexing import edit
import kb
from kb import SentenceTransformerEmbedder, Settings, build_index, load_embedder
assert kb.__file__.startswith(sys.argv[1]), kb.__file__  # the baseline's, not this one's
repo, index_dir, encoder = Path(sys.argv[3]), Path(sys.argv[4]), sys.argv[5]
embedder = SentenceTransformerEmbedder() if encoder == "default" else load_embedder(encoder)
settings = Settings()
embedder.encode(["warm up the model"])
print("ready", flush=True)
for line in sys.stdin:
    what, _, n = line.strip().partition(" ")
    if what == "edit":
        edit(repo, int(n))
    start = time.perf_counter()
    report = build_index(repo, index_dir, embedder, settings)
    print(f"{time.perf_counter() - start:.4f} {int(report.changed)}", flush=True)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("baseline", type=Path, help="a checkout of the older kb")
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--edits", type=int, default=40)
    ap.add_argument("--nothing", type=int, default=7)
    ap.add_argument("--work", type=Path, default=ROOT / ".kb-cache" / "segments")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--command", action="store_true", help="time whole `kb index` processes")
    ap.add_argument("--encoder", choices=ENCODERS, help="the encoder of segments.py's index")
    ap.add_argument("--told", action="store_true", help="this side is told the edited path")
    args = ap.parse_args()
    if args.told and args.command:
        ap.error("--told times build_index, not the command")
    name = "edit_command.json" if args.command else "edit_pair.json"
    args.json = args.json or ROOT / "benchmarks" / "results" / name
    embedder, settings = load_embedder(args.encoder or "onnx"), Settings()
    repo, index_dir = corpus(args.work, args.pages, embedder, settings)
    sides = {}
    for side in ("this", "baseline"):
        r, i = args.work / f"pair-{side}-docs", args.work / f"pair-{side}-index"
        for src, dst in ((repo, r), (index_dir, i)):
            shutil.rmtree(dst, ignore_errors=True)
            shutil.copytree(src, dst, symlinks=True)
        if side == "baseline":
            _table_in_manifest(i)
        _as_written_here(i)
        sides[side] = (r, i)
    if args.command:
        worker = _Commands(args.baseline.resolve(), sides, args.encoder)
        run = worker.run
    else:
        worker = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(args.baseline.resolve()), str(ROOT / "benchmarks")]
            + [str(p) for p in sides["baseline"]]
            + [args.encoder or "default"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        assert worker.stdout.readline().strip() == "ready"
        embedder.encode(["warm up the model"])

        def run(command: str):
            return _run(worker, sides, command, embedder, settings, args.told)

    # One run each first: both record what their code records (this side its stamps).
    run("")
    if args.told:  # as kb watch starts
        warm(*sides["this"], embedder, settings)
    times: dict[str, dict[str, list[float]]] = {"edit": {}, "nothing": {}}
    for i in range(args.edits + args.nothing):
        kind = "edit" if i < args.edits else "nothing"
        got = run(f"edit {i % 50}" if kind == "edit" else "")
        for side, (seconds, changed) in got.items():
            assert changed == (kind == "edit"), (side, kind)
            times[kind].setdefault(side, []).append(seconds)
        if i < 3 or (i + 1) % 10 == 0:
            print(f"{kind} {i + 1}: " + ", ".join(f"{s} {t[0]:.2f} s" for s, t in got.items()))
    if not args.command:
        worker.stdin.close()
        worker.wait()
    what = "kb index command" if args.command else "build_index"
    what += " (this side told the edited path)" if args.told else ""
    result = {"pages": args.pages, "baseline": str(args.baseline), "timed": what}
    for kind, by_side in times.items():
        for side, ts in by_side.items():
            result[f"{kind}_{side}"] = {
                "median": round(statistics.median(ts), 3),
                "p95": round(_pct(ts, 95), 3),
                "max": round(max(ts), 3),
            }
        this, base = result[f"{kind}_this"], result[f"{kind}_baseline"]
        result[f"{kind}_ratio_median"] = round(this["median"] / base["median"], 3)
        result[f"{kind}_ratio_max"] = round(this["max"] / base["max"], 3)
    result["times"] = times
    print(
        f"\n{args.pages:,} pages, {args.edits} one-page edits and {args.nothing} nothing-changed,"
        f" seconds of the whole {what}"
    )
    print(f"{'':<9} {'side':<9} {'median':>7} {'p95':>7} {'max':>7}")
    for kind in ("edit", "nothing"):
        for side in ("this", "baseline"):
            r = result[f"{kind}_{side}"]
            print(f"{kind:<9} {side:<9} {r['median']:>7.3f} {r['p95']:>7.3f} {r['max']:>7.3f}")
        print(
            f"{kind:<9} {'ratio':<9} {result[f'{kind}_ratio_median']:>7.3f} {'':>7} "
            f"{result[f'{kind}_ratio_max']:>7.3f}"
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nJSON: {args.json}")


def _table_in_manifest(index_dir: Path) -> None:
    """The baseline's copy with its file table in the manifest, as kb wrote it before
    kb.index.filetable (an older kb reads the table there; a base file it would ignore)."""
    manifest = read_manifest(index_dir)
    if manifest.files_base:
        d = manifest.as_dict()
        base = d.pop("files_base")
        d["checksums"] = {k: v for k, v in d["checksums"].items() if k != base}
        atomic_write(index_dir / MANIFEST, dumps(Manifest.from_dict(d)))
        (index_dir / base).unlink()


def _as_written_here(index_dir: Path) -> None:
    """Record the copied files' own stamps in the copy's manifest, as if each side had written
    its index: otherwise the baseline, which never refreshes stamps, hashes the whole copy on
    every run, which no real index of its own costs it."""
    manifest = json.loads((index_dir / "manifest.json").read_text())
    for name, entry in manifest.get("checksums", {}).items():
        st = os.stat(index_dir / name)
        entry.update(mtime_ns=st.st_mtime_ns, ctime_ns=st.st_ctime_ns, ino=st.st_ino)
    (index_dir / "manifest.json").write_text(json.dumps(manifest))


class _Commands:
    """Each run a fresh `kb index` process of each side, the baseline's first."""

    def __init__(self, baseline: Path, sides: dict, encoder: str | None) -> None:
        self._checkouts = {"baseline": baseline, "this": ROOT}
        self._sides = sides
        # The index's encoder when it is not kb's default (another would rebuild it all).
        self._encoder = ["--encoder", encoder] if encoder else []

    def run(self, command: str) -> dict[str, tuple[float, bool]]:
        out = {}
        for side in ("baseline", "this"):
            repo, index_dir = self._sides[side]
            if command:
                edit(repo, int(command.split()[1]))
            out[side] = self._kb_index(self._checkouts[side], repo, index_dir, self._encoder)
        return out

    @staticmethod
    def _kb_index(
        checkout: Path, repo: Path, index_dir: Path, encoder: list[str]
    ) -> tuple[float, bool]:
        code = (
            "import sys; sys.path.insert(0, sys.argv.pop(1)); from kb.cli import main;"
            " sys.argv[0] = 'kb'; main()"
        )
        argv = [sys.executable, "-c", code, str(checkout), "index", str(repo)]
        start = time.perf_counter()
        done = subprocess.run(
            [*argv, "--index-dir", str(index_dir), "--json", *encoder],
            capture_output=True,
            text=True,
            env=ENV,
        )
        seconds = time.perf_counter() - start
        assert done.returncode == 0, done.stderr[-2000:]
        return seconds, bool(json.loads(done.stdout)["changed"])


def _run(
    worker, sides, command: str, embedder, settings, told: bool = False
) -> dict[str, tuple[float, bool]]:
    """One run on each side, the same change: the baseline's in its worker, then this one
    (`told`: told the edited page's path)."""
    worker.stdin.write((command or "run") + "\n")
    worker.stdin.flush()
    seconds, changed = worker.stdout.readline().split()
    out = {"baseline": (float(seconds), changed == "1")}
    repo, index_dir = sides["this"]
    changed = None
    if command:
        edit(repo, int(command.split()[1]))
        changed = [edited(repo, int(command.split()[1]))]
    changed = (changed or []) if told else None
    start = time.perf_counter()
    report = build_index(repo, index_dir, embedder, settings, changed=changed)
    out["this"] = (time.perf_counter() - start, report.changed)
    return out


if __name__ == "__main__":
    main()
