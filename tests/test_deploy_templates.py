"""The deployment templates (docs/deploy.md): parsed, and their kb commands accepted by the CLI.

The containers are not started here (no Docker Hub on this machine); see docs/deploy.md.
"""

from __future__ import annotations

import re
import shlex

import click
import yaml
from helpers import ROOT

from kb.cli import cli

DEPLOY = ROOT / "templates" / "deploy"


def parses(command: str) -> click.Context:
    """The click context of a `kb ...` command line, without running it."""
    words = shlex.split(command)
    assert words[0] == "kb", command
    group = cli.make_context("kb", words[1:2], resilient_parsing=False)
    sub = cli.get_command(group, words[1])
    return sub.make_context(words[1], words[2:], parent=group)


def test_the_compose_file_runs_milvus_replicated_apis_and_the_app():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"milvus", "api", "lb", "app"} <= set(services)
    api = services["api"]
    assert api["deploy"]["replicas"] >= 2
    assert api["environment"]["KB_MILVUS_URI"] == "http://milvus:19530"
    assert "KB_API_TOKEN" in api["environment"]
    context = parses(api["command"])
    assert context.params["backend"] == "milvus" and context.params["host"] == "0.0.0.0"
    assert services["app"]["environment"]["KB_BACKEND"] == "milvus"
    assert "app.py" in services["app"]["command"]
    assert "proxy_pass http://kb_api" in (DEPLOY / "nginx.conf").read_text()
    assert "torch==2.13.0" in (DEPLOY / "Dockerfile").read_text()


def test_the_commands_in_the_deployment_guide_parse():
    guide = (ROOT / "docs" / "deploy.md").read_text()
    blocks = "\n".join(re.findall(r"```(?:bash|yaml)\n(.*?)```", guide, re.S))
    commands = re.findall(r"^\s*(?:- run: )?(kb [^\n]+)$", blocks, re.M)
    commands += re.findall(r"`(kb index content/ [^`]+--milvus-uri [^`]+)`", guide)
    assert len(commands) >= 4
    for command in commands:
        command = command.replace("${{ matrix.shard }}", "1").replace('"$RUNNER_INDEX', '"1')
        command = command.replace('$RUNNER_COUNT"', '2"')
        parses(command)


def test_the_app_keeps_to_this_machine_unless_a_deployment_says_otherwise():
    # README's first command served the app, which has no login and shows the people
    # directory, on every network interface (an admin trial). Streamlit reads the project's
    # config from the folder it is started in; the compose file opens it on purpose.
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
    app = yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]["app"]["command"]
    assert "--server.address 0.0.0.0" in app
