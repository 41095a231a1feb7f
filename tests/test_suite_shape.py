"""The test suite's own structure: test modules share helpers through tests/helpers.py (and the
support modules beside it), never by importing one another or conftest.py."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _is_test_module(name: str) -> bool:
    """A dotted module name that ends in a test module or a conftest: `test_app`,
    `hostile.test_faults`, `tests.conftest`."""
    last = name.rpartition(".")[2]
    return last.startswith("test_") or last == "conftest"


def imported_test_modules(source: str) -> list[str]:
    """Test modules (and conftests) that `source` imports, wherever the import statement is."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if _is_test_module(a.name)]
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            if _is_test_module(module):
                found.append(module)
            else:  # `from . import test_app`, `from hostile import test_faults`
                prefix = module if module.endswith(".") else f"{module}."
                found += [prefix + a.name for a in node.names if _is_test_module(a.name)]
    return found


def test_the_check_finds_each_way_of_importing_a_test_module():
    source = (
        "import test_app\nimport tests.conftest as c\nfrom test_app import plain\n"
        "from conftest import write\nfrom . import test_faults\n"
        "def f():\n    from hostile.test_consent import KEY\n"
        "import helpers, fakes\nfrom helpers import write\nfrom kb.testing import x\n"
    )
    assert sorted(imported_test_modules(source)) == [
        ".test_faults",
        "conftest",
        "hostile.test_consent",
        "test_app",
        "test_app",
        "tests.conftest",
    ]


def test_no_test_module_imports_another_test_module_or_conftest():
    offenders = {
        path.relative_to(TESTS).as_posix(): names
        for path in sorted(TESTS.rglob("*.py"))
        if (names := imported_test_modules(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, "import shared helpers from tests/helpers.py instead"


def test_test_folders_mirror_the_package_layout():
    # tests/<package>/ holds the tests of kb/<package>/; tests/hostile/ holds the security
    # promises (docs/security.md), which cut across packages; project-wide tests sit on top.
    root = TESTS.parent / "kb"
    packages = {p.name for p in root.iterdir() if (p / "__init__.py").is_file()}
    folders = {
        p.name
        for p in TESTS.iterdir()
        if p.is_dir() and any(p.glob("test_*.py")) and p.name != "hostile"
    }
    assert folders <= packages, f"test folders without a kb package: {folders - packages}"
    assert len(folders) >= 8
