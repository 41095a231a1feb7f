"""Keep the README honest: its commands exist, CI runs its test command, lint is clean."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from helpers import ROOT

from kb.cli import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")


def first_commands() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)\n```", README, re.S)
    return [b.strip() for b in blocks[:2]]


def test_readme_starts_with_run_and_test_commands():
    run, test = first_commands()
    assert README.index(run) < 300
    assert "kb index content/" in run and "streamlit run app.py" in run
    assert test.endswith("pytest")


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert first_commands()[1] in ci.splitlines()


def test_every_cli_command_in_the_readme_exists():
    mentioned = set(re.findall(r"^\s*kb ([a-z]+)", README, re.M))
    assert {"index", "search", "experts"} <= mentioned
    assert mentioned <= set(cli.commands)


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]])
def test_ruff_is_clean(args):
    res = subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True
    )
    assert res.returncode == 0, res.stdout


def test_the_declared_python_floor_is_the_one_tested():
    # pyproject said >=3.10 while kb.searchlog used datetime.UTC (3.11+): `import kb` failed on
    # the floor. CI (CI set) runs the suite on the declared floor itself.
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    floor = tuple(int(n) for n in re.search(r'requires-python = ">=(\d+)\.(\d+)"', text).groups())
    assert sys.version_info[:2] >= floor
    target = re.search(r'target-version = "py(\d)(\d+)"', text).groups()
    assert tuple(int(n) for n in target) == floor  # ruff checks the syntax of the floor
    if os.environ.get("CI"):
        assert sys.version_info[:2] == floor, f"CI must test the floor {floor}"
