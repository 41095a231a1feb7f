"""Show that a change kept kb's answers: snapshot a checkout's CLI outputs, then compare two.

Usage:
  python benchmarks/same_outputs.py snapshot CHECKOUT OUT.json   # e.g. a worktree of the old commit
  python benchmarks/same_outputs.py compare BEFORE.json AFTER.json
  python benchmarks/same_outputs.py quality BEFORE.json AFTER.json  # two quality.py JSONs

A snapshot indexes CHECKOUT/content with that checkout's own code (run in a child process with
CHECKOUT first on sys.path), then records the stdout and exit code of every bundled question
through `kb search` (three modes, --json and text) and `kb experts` (--json and text), plus
`kb person`, `kb pairs`, `kb team`, `kb gaps` and `kb check`. `compare` prints a table of the
commands that differ and exits 1 when any does. Shape changes an issue asked for are listed in
ALLOWED with the issue that asked; nothing else may differ. `quality` compares two JSON
files of benchmarks/quality.py (e.g. `--sets bundled,beir-scifact`) number by number, latency
and the machine aside, and exits 1 on any difference.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

# (command word, JSON key) pairs whose difference a change is allowed to make, with the reason.
ALLOWED: dict[tuple[str, str], str] = {}


def _commands(root: Path) -> list[list[str]]:
    questions = json.loads((root / "tests" / "bundled_questions.json").read_text())
    runs: list[list[str]] = []
    for q in questions["searches"]:
        for mode in ("hybrid", "dense", "bm25"):
            runs.append(["search", q["query"], "--mode", mode, "--json"])
        runs.append(["search", q["query"]])
    for q in questions["experts"]:
        runs.append(["experts", q["query"], "--json"])
        runs.append(["experts", q["query"]])
        runs.append(["person", q["person"], "--json"])
        runs.append(["person", q["person"]])
    runs += [
        ["search", "vpn", "--department", "it", "--json"],
        ["search", "expenses", "--team", "finance", "--json"],
        ["experts", "expenses", "--department", "business", "--json"],
        ["pairs", "--json"],
        ["pairs", "--kind", "mentoring", "--json"],
        ["pairs"],
        ["team", "sync Spendwise claims into NetSuite, GDPR review, stock counts", "--json"],
        ["team", "sync Spendwise claims into NetSuite, GDPR review, stock counts"],
        ["gaps", "--today", "2026-06-01", "--json"],
        ["gaps", "--today", "2026-06-01"],
        ["search", ""],
        ["experts", "   "],
        ["person", "Nobody Atall"],
    ]
    return runs


def _child(checkout: Path, out: Path) -> None:
    """Runs with CHECKOUT first on sys.path, so `kb` is that checkout's code."""
    from click.testing import CliRunner

    from kb.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        env = {"KB_INDEX_DIR": str(index_dir), "KB_SEARCH_LOG": "", "NO_COLOR": "1"}
        runner = CliRunner(env=env)
        built = runner.invoke(main, ["index", str(checkout / "content")])
        assert built.exit_code == 0, built.output
        results = {}
        for args in _commands(checkout):
            res = runner.invoke(main, args)
            results[json.dumps(args)] = _result(res)
        check = runner.invoke(main, ["check", str(checkout / "content"), "--json"])
        results["check --json"] = _result(check)
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(results)} commands -> {out}")


def _result(res) -> dict:
    # Paths of the temporary index folder differ from run to run; nothing else may.
    return {"exit": res.exit_code, "stdout": res.stdout, "stderr": res.stderr}


def snapshot(checkout: Path, out: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(checkout.resolve()), "HF_HUB_OFFLINE": "1"}
    code = (
        "import sys, runpy; sys.path.insert(0, sys.argv[1]); m = runpy.run_path(sys.argv[2]); "
        "m['_child'](*map(m['Path'], sys.argv[1::2]))"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(checkout.resolve()), __file__, str(out.resolve())],
        env=env,
        cwd=checkout,
        check=True,
    )


def _json_diff(a, b, path="") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                out.append(f"{path}.{k}: only {'after' if k in b else 'before'}")
            else:
                out += _json_diff(a[k], b[k], f"{path}.{k}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        pairs = enumerate(zip(a, b, strict=True))
        return [d for i, (x, y) in pairs for d in _json_diff(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {str(a)[:60]!r} -> {str(b)[:60]!r}"]


def compare(before: Path, after: Path) -> int:
    a, b = json.loads(before.read_text()), json.loads(after.read_text())
    rows, same = [], 0
    for cmd in sorted(set(a) | set(b)):
        if cmd not in a or cmd not in b:
            rows.append((cmd, "only in " + ("after" if cmd in b else "before")))
            continue
        x, y = a[cmd], b[cmd]
        if x == y:
            same += 1
            continue
        try:
            diffs = _json_diff(json.loads(x["stdout"]), json.loads(y["stdout"]))
        except ValueError:
            diffs = [f"text output differs (exit {x['exit']} -> {y['exit']})"]
        if x["exit"] != y["exit"]:
            diffs.append(f"exit {x['exit']} -> {y['exit']}")
        word = json.loads(cmd)[0] if cmd.startswith("[") else cmd.split()[0]
        left = [d for d in diffs if (word, d.split(":")[0].split(".")[-1]) not in ALLOWED]
        rows.append((cmd, "; ".join(left[:3]) if left else "allowed: " + "; ".join(diffs[:2])))
    bad = [r for r in rows if not r[1].startswith("allowed")]
    print("| commands | identical | allowed shape changes | other differences |")
    print("|---|---|---|---|")
    print(f"| {len(set(a) | set(b))} | {same} | {len(rows) - len(bad)} | {len(bad)} |")
    for cmd, why in rows:
        print(f"- {cmd[:100]}: {why}")
    return 1 if bad else 0


_RUN_TO_RUN = ("p50_ms", "p95_ms", "machine")  # timings and the host differ between runs


def quality(before: Path, after: Path) -> int:
    a, b = json.loads(before.read_text()), json.loads(after.read_text())

    def numbers(d, path=""):
        if isinstance(d, dict):
            for k, v in d.items():
                if k not in _RUN_TO_RUN:
                    yield from numbers(v, f"{path}.{k}")
        elif isinstance(d, list):
            for i, v in enumerate(d):
                yield from numbers(v, f"{path}[{i}]")
        else:
            yield path, d

    x, y = dict(numbers(a)), dict(numbers(b))
    differ = [p for p in sorted(set(x) | set(y)) if x.get(p, "missing") != y.get(p, "missing")]
    print("| values compared | identical | different |\n|---|---|---|")
    print(f"| {len(set(x) | set(y))} | {len(set(x) | set(y)) - len(differ)} | {len(differ)} |")
    for p in differ[:20]:
        print(f"- {p}: {x.get(p, 'missing')} -> {y.get(p, 'missing')}")
    return 1 if differ else 0


if __name__ == "__main__":
    verb, first, second = sys.argv[1:4]
    if verb == "snapshot":
        snapshot(Path(first), Path(second))
    elif verb == "compare":
        sys.exit(compare(Path(first), Path(second)))
    elif verb == "quality":
        sys.exit(quality(Path(first), Path(second)))
    else:
        sys.exit(__doc__)
