"""Fuzz kb's content pipeline with generated hostile pages; print the findings.

Usage: python benchmarks/fuzz.py [--pages 100000] [--seed 13] [--workers 2] [--json OUT.json]

Every page goes through what `kb index` and `kb check` do to a file: `parse_markdown`, secret
redaction, `chunk_document`, and (in batches written to a temporary content folder)
`check_content`, plus `people.yaml` reading for generated directories. A finding is an
exception, a problem without a path, or a page slower than the linear bound
(`BOUND_FIXED` + `BOUND_PER_BYTE` x its size). Pages are generated from a seeded grammar of
the attacks in issue 13 (template tags, comments, fences, headings, YAML aliases and nesting,
surrogates, invisible characters, NUL bytes, byte flips) so a run is reproducible.
A second table times each construct at 8x the size: linear code stays near 8x.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path

from kb.config import Settings
from kb.content.check import check_content
from kb.content.chunk import chunk_document
from kb.content.parse import parse_markdown
from kb.content.secrets import redact_page

BOUND_FIXED = 1.0  # seconds any page may take: a GC pause, a busy machine, and PyYAML's scanner,
# which looks up to 1,024 characters ahead per line for a key (about 0.2 s on `[[[[...`)
BOUND_PER_BYTE = 20e-6  # 20 s per MB: typical pages take 1-3 us per byte
CHECK_BATCH = 1000  # pages per `kb check` run


def _count(texts):
    return [len(t.split()) + 2 for t in texts]


_WORDS = (
    "vpn expense policy password leave onboarding invoice okta laptop printer incident "
    "budget supplier contract release deploy token review audit"
).split()
_ODD = [
    "\u200b", "\u200c", "\u2060", "\u00ad", "\u202e", "\ufeff", "\u0406", "\u0430", "é",
    "\U0001f600", "\u0301", "\t", "\r", "\r\n", "\x0b", "\x85", "\u2028", "\\", "\x00",
]  # fmt: skip


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n))


def _front_matter(rng: random.Random) -> str:
    kind = rng.randrange(10)
    if kind == 0:
        return ""
    if kind == 1:  # an alias bomb
        depth = rng.randint(2, 9)
        lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
        for i in range(1, depth):
            refs = ", ".join(f"*a{i - 1}" for _ in range(9))
            lines.append(f"a{i}: &a{i} [{refs}]")
        lines.append(f"title: *a{depth - 1}")
        return "---\n" + "\n".join(lines) + "\n---\n"
    if kind == 2:  # deep nesting
        depth = rng.choice((10, 100, 1000, 3000))
        return "---\ntitle: " + "[" * depth + "x" + "]" * depth + "\n---\n"
    if kind == 3:  # escapes YAML turns into odd strings: lone surrogates, NUL, bidi
        esc = rng.choice(['"\\ud800"', '"\\udfff x"', '"\\x00"', '"\\u202e evil"', '"\\U0001F600"'])
        key = rng.choice(("title", "team", "authors", "tags", "owner", "updated", "department"))
        return f"---\n{key}: {esc}\ntitle: T\n---\n"
    if kind == 4:  # never closed
        return "---\ntitle: open\nauthors: [A B]\n"
    if kind == 5:  # wrong types
        value = rng.choice(("[1, 2]", "{a: b}", "12", "null", "2024-02-30", "true", "- x\n- y"))
        key = rng.choice(("title", "team", "authors", "tags", "updated", "review_by", "owner"))
        return f"---\n{key}: {value}\n---\n"
    if kind == 6:  # broken YAML
        return (
            "---\n"
            + rng.choice(("title: [unclosed", "a: b: c", "\t- tab", "? ? ?", "&x *x"))
            + "\n---\n"
        )
    if kind == 7:  # a large value
        return "---\ntitle: " + "x" * rng.choice((100, 70_000, 300_000)) + "\n---\n"
    authors = ", ".join(
        rng.choice(("Ana Ruiz", "Bo Chen", "Ines\u200bPark", "Іnes Park", "x <a@b.c>"))
        for _ in "ab"
    )
    return f"---\ntitle: {_words(rng, 3)}\nauthors: [{authors}]\nteam: it\n---\n"


def _body_piece(rng: random.Random) -> str:
    kind = rng.randrange(14)
    n = rng.choice((1, 3, 50, 400))
    return [
        lambda: "#" * rng.randint(1, 7) + " " + _words(rng, rng.randint(0, 4)) + "\n",
        lambda: _words(rng, rng.randint(5, 60)) + "\n\n",
        lambda: "{{" * n,
        lambda: "{%" * n,
        lambda: "<!--" * n,
        lambda: "```\n" * rng.choice((1, 3)) + _words(rng, 10),
        lambda: "`" * n,
        lambda: "[" * n + "](" * n,
        lambda: "![a](" * n,
        lambda: "| a | b |\n|---|---|\n" + "| x | y |\n" * rng.randint(1, 50),
        lambda: "#\n" * n,
        lambda: "".join(rng.choice(_ODD) for _ in range(rng.randint(1, 50))),
        lambda: "AKIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16)),
        lambda: "password=" + rng.choice(("hunter2!", "<your-password>", "$ecret", "x" * n)),
    ][kind]()


def generate(rng: random.Random) -> bytes:
    """One hostile page: a front matter variant, a body of mixed pieces, maybe byte damage."""
    text = _front_matter(rng) + "".join(_body_piece(rng) for _ in range(rng.randint(0, 12)))
    raw = text.encode("utf-8", "surrogatepass")
    damage = rng.randrange(8)
    if damage == 0 and raw:  # flip bytes
        data = bytearray(raw)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        raw = bytes(data)
    elif damage == 1:  # truncate
        raw = raw[: rng.randint(0, len(raw))]
    elif damage == 2:
        raw = rng.randbytes(rng.randint(0, 4096))
    return raw


def run_page(raw: bytes, settings: Settings) -> None:
    doc, problems = parse_markdown(redact_page(raw, "fuzz/page.md")[0], "fuzz/page.md")
    _check_problems(problems)
    if doc is not None:
        chunks, problems = chunk_document(doc, _count, settings)
        _check_problems(problems)


def _check_problems(problems) -> None:
    for p in problems:
        if not p.path or not isinstance(p.message, str):
            raise AssertionError(f"problem without a path or message: {p!r}")


def scaling(settings: Settings) -> list[dict]:
    """Each hostile construct at 16 KB and 128 KB: the time ratio (linear is about 8)."""
    rows = []
    constructs = {
        "{{": "{{", "{%": "{%", "<!--": "<!--", "fence": "```\nx\n", "backticks": "`",
        "brackets": "[", "links": "[a](", "images": "![a](", "empty headings": "#\n",
        "words": "word ", "table rows": "| a | b |\n",
    }  # fmt: skip
    for name, unit in constructs.items():
        times = []
        for size in (16_000, 128_000):
            raw = ("# T\n\n" + unit * (size // len(unit))).encode()
            t0 = time.perf_counter()
            run_page(raw, settings)
            times.append(time.perf_counter() - t0)
        rows.append(
            {"construct": name, "t16k": times[0], "t128k": times[1], "ratio": times[1] / times[0]}
        )
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--json", type=Path, default=Path("benchmarks/results/fuzz.json"))
    args = ap.parse_args()
    start = time.perf_counter()
    batches = [(args.seed, first, min(CHECK_BATCH, args.pages - first))
               for first in range(0, args.pages, CHECK_BATCH)]  # fmt: skip
    crashes: list[dict] = []
    slow: list[dict] = []
    worst = 0.0
    total_bytes = done = 0
    with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
        for out in pool.imap_unordered(run_batch, batches):
            crashes += out["crashes"]
            slow += out["slow"]
            for finding in out["crashes"] + out["slow"]:
                print("  finding:", finding, file=sys.stderr)
            worst = max(worst, out["worst"])
            total_bytes += out["bytes"]
            done += out["pages"]
            if done % 10_000 < CHECK_BATCH:
                rate = done / (time.perf_counter() - start)
                print(f"  {done:,} pages, {len(crashes)} crashes, {len(slow)} slow, "
                      f"{rate:,.0f} pages/s", file=sys.stderr)  # fmt: skip
    seconds = time.perf_counter() - start
    scale = scaling(Settings())
    result = {
        "pages": done,
        "seed": args.seed,
        "checked_by_kb_check": done,
        "bytes": total_bytes,
        "seconds": round(seconds, 1),
        "workers": args.workers,
        "crashes": len(crashes),
        "slow_pages": len(slow),
        "worst_us_per_byte": round(worst * 1e6, 2),
        "bound": f"{BOUND_FIXED} s + {BOUND_PER_BYTE * 1e6:g} us/byte",
        "findings": crashes[:50] + slow[:50],
        "scaling": scale,
    }
    print("| what | value |\n|---|---|")
    for key in ("pages", "checked_by_kb_check", "bytes", "crashes", "slow_pages"):
        print(f"| {key} | {result[key]:,} |")
    print(f"| seconds ({args.workers} workers) | {seconds:.1f} |")
    print(f"| worst page, us per byte | {result['worst_us_per_byte']} |")
    print(f"| linear bound | {result['bound']} |")
    print("\n| construct | 16 KB s | 128 KB s | ratio (linear ~8) |\n|---|---|---|---|")
    for row in scale:
        print(
            f"| {row['construct']} | {row['t16k']:.4f} | {row['t128k']:.4f} | {row['ratio']:.1f} |"
        )
    for f in result["findings"][:20]:
        print("finding:", f)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 1 if crashes or slow else 0


def page_bytes(seed: int, n: int) -> bytes:
    """Page `n` of the run with `seed`: each page has its own generator, so one can be
    regenerated alone to reproduce a finding."""
    return generate(random.Random(f"{seed}-{n}"))


def run_batch(job: tuple[int, int, int]) -> dict:
    """Pages `first` .. `first + count - 1`: each through the pipeline, then `kb check`."""
    seed, first, count = job
    settings = Settings()
    crashes: list[dict] = []
    slow: list[dict] = []
    worst = 0.0
    size = 0
    batch = []
    for n in range(first, first + count):
        raw = page_bytes(seed, n)
        size += len(raw)
        t0 = time.perf_counter()
        try:
            run_page(raw, settings)
        except Exception as err:  # a finding, not a stop: the run counts them all
            crashes.append({"page": n, "error": repr(err)[:300], "where": _where(err)})
        took = time.perf_counter() - t0
        worst = max(worst, took / max(len(raw), 1))
        if took > BOUND_FIXED + BOUND_PER_BYTE * len(raw):
            slow.append({"page": n, "bytes": len(raw), "seconds": round(took, 3)})
        batch.append(raw)
    crashes += _check_batch(batch, first)
    return {"crashes": crashes, "slow": slow, "worst": worst, "bytes": size, "pages": count}


def _check_batch(batch: list[bytes], first: int) -> list[dict]:
    """`kb check` over a folder of the batch's pages (and a generated people.yaml)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "content"
        root.mkdir()
        for i, raw in enumerate(batch):
            (root / f"p{i}.md").write_bytes(raw)
        # The people directory gets the front matter of one page as its YAML: the same attacks.
        (root / "people.yaml").write_bytes(batch[0].split(b"---")[1] if b"---" in batch[0] else b"")
        try:
            findings = check_content(root)
            for f in findings:
                if not f.path or not f.line:
                    raise AssertionError(f"finding without a path and line: {f!r}")
        except Exception as err:
            return [{"batch_from": first, "error": repr(err)[:300], "where": _where(err)}]
    return []


def _where(err: BaseException) -> str:
    frames = traceback.extract_tb(err.__traceback__)
    return " <- ".join(f"{Path(f.filename).name}:{f.lineno}" for f in frames[-3:][::-1])


if __name__ == "__main__":
    sys.exit(main())
