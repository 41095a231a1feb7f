"""The package's structure, enforced: no import cycles, no import pointing up a layer, heavy
dependencies kept in one module, light entry points that load nothing heavy, and one place
that tells the backends apart (docs/architecture.md draws the same layers)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections import defaultdict

from helpers import ROOT

KB = ROOT / "kb"
HEAVY = (
    "torch", "transformers", "sentence_transformers", "onnxruntime", "onnx", "faiss", "bm25s",
    "scipy", "sklearn", "pandas", "pymilvus", "fastapi", "uvicorn", "streamlit", "yaml",
    "markdown_it", "detect_secrets", "confusable_homoglyphs", "click", "rapidfuzz", "symspellpy",
    "mcp", "mammoth", "markdownify", "docx", "pypdf", "bs4", "watchdog", "regex", "mnemonic",
    "Stemmer", "breame",
)  # fmt: skip
# The shells' toolkits live in one package each (one module per command group or view): any
# module there may import it, no module elsewhere.
SHELL_HOMES = {"click": "kb.cli", "streamlit": "kb.app"}
# The layers, bottom first. A module imports from its own package and from lower layers only;
# two packages on one layer do not import each other.
LAYERS = (
    ("kb.errors", "kb.config", "kb.models"),
    ("kb.facade",),
    ("kb.inputs", "kb.links"),
    ("kb.content", "kb.embed"),
    ("kb.index", "kb.importing"),
    ("kb.backends",),
    ("kb.search",),
    ("kb.people",),
    ("kb.build", "kb.service"),
    ("kb.eval", "kb.serve", "kb.indexing", "kb.watching"),
    ("kb.app", "kb.cli"),  # the shells; the app may run on the HTTP client
    ("kb.__main__",),  # `python -m kb`: the CLI
)


def _imports() -> dict[str, set[str]]:
    """Module -> every module name it imports anywhere (top level, functions, TYPE_CHECKING)."""
    out: dict[str, set[str]] = {}
    for path in sorted(KB.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
        out[name] = found
    return out


def test_no_import_cycles_between_kb_modules():
    imports = _imports()
    modules = set(imports) - {"kb"}  # kb/__init__ re-exports lazily, from above everything
    graph = {m: {i for i in imports[m] if i in modules and i != m and not m.startswith(i + ".")}
             for m in modules}  # fmt: skip
    cycles = []
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for nxt in sorted(graph[module]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*path[path.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_each_heavy_dependency_lives_in_one_module():
    homes: dict[str, set[str]] = defaultdict(set)
    for module, names in _imports().items():
        for dep in HEAVY:
            if any(n == dep or n.startswith(dep + ".") for n in names):
                shell = SHELL_HOMES.get(dep, "")
                homes[dep].add(shell if module.startswith(shell + ".") else module)
    shared = {dep: mods for dep, mods in homes.items() if len(mods) > 1}
    assert shared == {}


def test_the_http_client_imports_nothing_heavy():
    # `import kb.serve.client` (standard library only, for the app on the API) used to load faiss,
    # bm25s, yaml, markdown-it and scipy through kb/__init__.
    code = (
        "import sys, kb.serve.client\n"
        f"print(sorted(m for m in {HEAVY + ('numpy',)!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


def test_the_cli_help_loads_no_index_code_model_or_torch():
    # `kb --help` (and a mistyped command) used to load faiss, bm25s, scipy, yaml and
    # markdown-it before printing a line: the commands import the library when they run.
    code = (
        "import sys\nfrom kb.cli import main\n"
        "try:\n    main(['--help'], prog_name='kb')\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules and m != 'click'), file=sys.stderr)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert "Usage: kb" in out.stdout
    assert out.stderr.strip() == "[]"


def _package(module: str) -> str:
    """The layer entry a module belongs to: its subpackage, or itself at the top."""
    for layer in LAYERS:
        for pkg in layer:
            if module == pkg or module.startswith(pkg + "."):
                return pkg
    raise AssertionError(f"{module} is on no layer: add it to LAYERS and docs/architecture.md")


def test_imports_point_down_the_layers():
    level = {pkg: n for n, layer in enumerate(LAYERS) for pkg in layer}
    imports = _imports()
    upward = []
    for module, names in imports.items():
        if module == "kb":
            continue  # the lazy re-exports, from above everything
        home = _package(module)
        for name in names:
            if name not in imports or name == "kb":
                continue
            there = _package(name)
            if there != home and level[there] >= level[home]:
                upward.append(f"{module} -> {name}")
    assert sorted(set(upward)) == []


def test_only_the_backend_factory_tells_backends_apart():
    # One backend interface: elsewhere code asks the location (`shared`, `lite`, `publish`),
    # never which backend it is.
    factory = KB / "backends" / "location.py"
    switch = re.compile(r"""backend\s*[!=]=\s*["']""")
    found = [
        str(path.relative_to(ROOT))
        for path in [*KB.rglob("*.py"), ROOT / "app.py"]
        if path != factory and switch.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
