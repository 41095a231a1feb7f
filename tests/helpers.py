"""Helpers shared by the tests: paths, small pages, the bundled questions and the app drivers.

Test modules import from here (and from fakes.py, e2e.py), never from one another or from
conftest.py, which holds only fixtures; tests/test_suite_shape.py enforces it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
APP = str(ROOT / "app.py")


def page(title: str, author: str, *sections: str, team: str = "it") -> str:
    """A small page: front matter and one short section per name."""
    body = "\n".join(f"## {s}\n{s} explained in a few plain words.\n" for s in sections)
    return f"---\ntitle: {title}\nauthors: [{author}]\nteam: {team}\n---\n{body}"


def chunks_naming(index_dir: Path, name: str) -> int:
    """How many chunks of an index hold `name` in their text: those a build hiding that
    person embeds again, as "[hidden person]" (kb.content.hiding)."""
    import json

    build = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))["build_id"]
    found = index_dir / f"chunks-{build}.jsonl"  # the build the manifest names
    lines = found.read_text(encoding="utf-8").splitlines()
    return sum(name in json.loads(line).get("text", "") for line in lines if line.strip())


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# The bundled questions (tests/bundled_questions.json): paraphrases written by the content
# authors, each with the page (or person) a user would expect first.
QUESTIONS = json.loads((Path(__file__).parent / "bundled_questions.json").read_text())
SEARCHES = [(q["query"], q["page"]) for q in QUESTIONS["searches"]]
EXPERTS = [(q["query"], q["person"]) for q in QUESTIONS["experts"]]


def top_pages(kb, query: str, n: int = 3) -> list[str]:
    """The first `n` distinct pages of a search, in rank order."""
    pages: list[str] = []
    for hit in kb.search(query, k=20):
        if hit.chunk.path not in pages:
            pages.append(hit.chunk.path)
    return pages[:n]


# The Streamlit app, driven by streamlit.testing (no browser).


def plain(text: str) -> str:
    """App text as shown: without the backslash escapes that keep doc text from being
    Markdown, and code spans (addresses) without their backticks."""
    out, pos = [], 0
    text = str(text)
    for m in re.finditer(r"(?<!\\)(`+)(.+?)(?<!`)\1(?!`)", text):
        out.append(re.sub(r"\\(.)", r"\1", text[pos : m.start()]))
        inner = m.group(2)
        out.append(inner[1:-1] if inner.startswith(" ") and inner.endswith(" ") else inner)
        pos = m.end()
    out.append(re.sub(r"\\(.)", r"\1", text[pos:]))
    return "".join(out)


def new_app(monkeypatch, index_dir, **params) -> AppTest:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("KB_INDEX_DIR", str(index_dir))
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def search(at: AppTest, query: str) -> AppTest:
    at.text_input(key="q").input(query).run()
    assert not at.exception
    return at


def settle(at: AppTest) -> AppTest:
    """Settle on the search in the box, as keys.js says someone did (Enter, or a pause with
    its results on screen): AppTest runs no JavaScript, so set what its callback sets."""
    from kb.app.query import SETTLED

    at.session_state[SETTLED] = at.text_input(key="q").value
    return at.run()


def result_paths(at: AppTest) -> list[str]:
    """`path` of every result card, in order (from the link on each card's title, a heading)."""
    from urllib.parse import unquote

    out = []
    for m in at.main.markdown:
        found = re.match(r"## \*\*\[.*?\]\(\?page=([^)&]+)[^)]*\)\*\*", str(m.value))
        if found:
            out.append(unquote(found.group(1)))
    return out


def expert_names(at: AppTest) -> list[str]:
    return [plain(b.label) for b in at.button if b.key and b.key.startswith("person-")]


def all_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += (
        [e.value for e in at.error] + [i.value for i in at.info] + [w.value for w in at.warning]
    )
    return plain("\n".join(str(p) for p in parts))


def html_tables(at: AppTest) -> list[list[dict]]:
    """Every table the app drew with st.html (kb.app.tables), in order: its rows as
    {column header: cell text}, the row's link targets in order under "links"."""
    from html.parser import HTMLParser

    class Tables(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tables: list[list[dict]] = []
            self.header: list[str] = []
            self.row: list[str] | None = None
            self.links: list[str] = []
            self.cell: list[str] | None = None

        def handle_starttag(self, tag, attrs):
            if tag == "table":
                self.tables.append([])
                self.header = []
            elif tag == "tr":
                self.row, self.links = [], []
            elif tag in ("th", "td"):
                self.cell = []
            elif tag == "a":
                self.links.append(dict(attrs)["href"])

        def handle_data(self, data):
            if self.cell is not None:
                self.cell.append(data)

        def handle_endtag(self, tag):
            if tag in ("th", "td") and self.cell is not None and self.row is not None:
                self.row.append("".join(self.cell))
                self.cell = None
            elif tag == "tr" and self.row is not None:
                if not self.header:
                    self.header = self.row
                else:
                    row = dict(zip(self.header, self.row, strict=False))
                    self.tables[-1].append({**row, "links": self.links})
                self.row = None

    parser = Tables()
    for element in at.html:
        parser.feed(element.value)
    return parser.tables


def assert_same_index(a, b, *, atol: float = 0.0, rtol: float = 0.0) -> None:
    """Two index folders hold the same chunks, pages, sources, counts and vectors."""
    import numpy as np

    from kb.index.manifest import read_manifest
    from kb.index.store import load_index

    sa, sb = (load_index(d, model_name=m, dim=dim) for d, m, dim in (a, b))
    assert sa.chunks == sb.chunks
    assert sa.pages == sb.pages
    for key in ("counts", "chunking", "model"):
        assert getattr(sa.manifest, key) == getattr(sb.manifest, key), key
    assert read_manifest(a[0]).inputs == read_manifest(b[0]).inputs  # searches never load it
    np.testing.assert_allclose(sa.vectors.vectors(), sb.vectors.vectors(), atol=atol, rtol=rtol)
    # The sentences' vectors stored with each chunk (8 bits a number: a last bit may differ
    # where the vectors may).
    from kb.index.codec import unpack_vectors

    for row in range(len(sa.chunks)):
        one, other = sa.chunks.sentences(row), sb.chunks.sentences(row)
        if not (atol or rtol) or not (one and other):
            assert one == other, row
        else:
            dim = a[2]
            np.testing.assert_allclose(
                unpack_vectors(one, dim), unpack_vectors(other, dim), atol=0.02
            )
    # Keyword scores too: document frequencies and lengths over live rows only.
    for chunk in list(sa.chunks)[:: max(1, len(sa.chunks) // 7)]:
        query = f"{chunk.title} {chunk.text[:80]}"
        np.testing.assert_allclose(sa.keywords.scores(query), sb.keywords.scores(query), rtol=1e-6)


def run_kb_fresh(argv: list[str], heavy: tuple[str, ...], cwd: Path | None = None):
    """Run `kb ARGV` in a fresh Python process: its exit code, which of the `heavy` modules it
    imported, and what it printed before that list (its stdout)."""
    import subprocess
    import sys

    code = (
        "import json, sys; from kb.cli import main; sys.argv = ['kb', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit as done:\n    code = done.code\n"
        f"print(json.dumps([code, [m for m in {tuple(heavy)!r} if m in sys.modules]]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *argv],
        capture_output=True,
        text=True,
        cwd=cwd or CONTENT.parent,
        timeout=300,
    )
    *printed, last = done.stdout.strip().splitlines() or [""]
    assert last.startswith("["), done.stderr[-2000:]
    code, imported = json.loads(last)
    assert code in (0, None), done.stderr[-2000:]
    return code, imported, "\n".join(printed)


def best_seconds(fn, reps: int = 1) -> float:
    """The fastest of three timings of `fn` called `reps` times (for linear-time checks), in
    CPU seconds of this thread: what a linear cost is about, and what the other processes of
    a shared machine do not stretch (at a load of 20 on 2 cores wall time ran 7x the CPU)."""
    import time

    best = float("inf")
    for _ in range(3):
        start = time.thread_time()
        for _ in range(reps):
            fn()
        best = min(best, time.thread_time() - start)
    return best
