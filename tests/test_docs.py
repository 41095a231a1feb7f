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


def _section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 1)
    return README[start : end if end > 0 else None]


def test_the_readme_mcp_client_configs_start_a_real_kb_mcp():
    """Each JSON config in the MCP section parses, and its command line is one `kb mcp`
    accepts (stdio) or names the HTTP endpoint `kb mcp --transport http` serves."""
    import json

    section = _section("AI assistants: `kb mcp`")
    configs = [json.loads(block) for block in re.findall(r"```json\n(.*?)```", section, re.S)]
    assert len(configs) == 3
    mcp = cli.commands["mcp"]
    for config in configs:
        (server,) = (config.get("mcpServers") or config["servers"]).values()
        if "url" in server:
            assert server["url"].endswith(":8765/mcp") and "Bearer" in str(server["headers"])
            continue
        assert server["command"].endswith("/kb") and server["args"][0] == "mcp"
        context = mcp.make_context("mcp", list(server["args"][1:]))  # the options parse
        assert context.params["transport"] == "stdio"
    adds = re.findall(r"`(claude mcp add [^`]+)`", section.replace("\n", " "))
    assert len(adds) == 2
    assert adds[0].endswith("/kb mcp --index-dir /srv/docs/index")  # stdio: starts kb mcp
    assert "--transport http kb http://127.0.0.1:8765/mcp --header" in adds[1]


def test_the_readme_import_examples_run(tmp_path):
    """The import section's commands, on a Word file made here: the options exist and a
    page with its front matter is written where the section says."""
    import docx
    from click.testing import CliRunner

    section = _section("Importing Word")
    commands = re.findall(r"^kb import (\S+) (.+)$", section, re.M)
    assert len(commands) == 3
    document = docx.Document()
    document.add_paragraph("Trains for trips under four hours.")
    document.core_properties.title = "Travel policy"
    document.core_properties.author = "Nina Hartmann"
    source = tmp_path / "travel-policy.docx"
    document.save(source)
    _, options = commands[0]
    args = options.replace("content/", str(tmp_path / "content") + "/").split()
    result = CliRunner().invoke(cli, ["import", str(source), *args])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "content" / "finance" / "travel-policy.md").read_text(encoding="utf-8")
    assert 'title: "Travel policy"' in page and 'authors: ["Nina Hartmann"]' in page
    assert (
        'team: "finance"' in page and f'source: "file:{tmp_path.name}/travel-policy.docx"' in page
    )
    for _, options in commands[1:]:  # the other examples' options parse
        cli.commands["import"].make_context("import", [str(source), *options.split()])


def test_the_architecture_map_names_every_module():
    # The map is where a newcomer looks for a module: 21 had been added without a place on it.
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "kb").rglob("*.py"))
        if path.name != "__init__.py" and not re.search(rf"\b{path.stem}\b", text)
    ]
    assert not missing, f"not on docs/architecture.md's map: {missing}"
