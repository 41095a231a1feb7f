"""The CI templates for docs repositories: parsed, and their kb commands run here as written."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import CONTENT, ROOT, write

TEMPLATES = ROOT / "templates" / "ci"
# Pages that link to no other page, so the three of them make a clean docs repository.
PAGES = (
    "cloud-platform/backup-and-disaster-recovery.md",
    "hr/parental-leave.md",
    "sales/discount-approval.md",
)


@pytest.fixture(scope="module")
def docs_repo(tmp_path_factory) -> Path:
    """A small docs repository: three bundled pages under content/, committed."""
    repo = tmp_path_factory.mktemp("docs-repo")
    for page in PAGES:
        write(repo / "content" / page, (CONTENT / page).read_text())
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "docs"]):
        subprocess.run(
            ["git", "-c", "user.name=Docs Bot", "-c", "user.email=bot@x.org", *args],
            cwd=repo,
            check=True,
        )
    return repo


def sh(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run one CI step as the runner would: bash, fail on the first error, kb on PATH."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(
        ["bash", "-e", "-c", command],
        cwd=cwd,
        env={**os.environ, **env, "PATH": path},
        capture_output=True,
        text=True,
        timeout=600,
    )


def github_workflow() -> tuple[dict, dict[str, str], dict[str, dict[str, dict]]]:
    """The workflow, its environment, and each job's steps by name."""
    flow = yaml.safe_load((TEMPLATES / "github-kb.yml").read_text())
    env = {k: str(v) for k, v in flow["env"].items()}
    steps = {job: {s.get("name"): s for s in flow["jobs"][job]["steps"]} for job in flow["jobs"]}
    return flow, env, steps


def gitlab_jobs() -> tuple[dict, dict[str, str]]:
    jobs = yaml.safe_load((TEMPLATES / "gitlab-kb.yml").read_text())
    return jobs, {k: str(v) for k, v in jobs["variables"].items()}


# The check steps run `kb check` (no model): fast tier. The index steps run `kb index`, which
# loads the model in a subprocess (out of reach of conftest's in-process guard): model tier.


def test_github_workflow_checks_pull_requests(docs_repo, tmp_path):
    flow, env, steps = github_workflow()
    triggers = flow[True] if True in flow else flow["on"]  # YAML 1.1 reads `on` as true
    assert {"pull_request", "push"} <= set(triggers)
    assert "pull_request" in flow["jobs"]["check"]["if"]
    for job in ("check", "index"):
        install = steps[job]["Install kb"]["run"]
        assert "download.pytorch.org/whl/cpu" in install and "$KB_INSTALL" in install
    uses = [s.get("uses", "") for s in flow["jobs"]["index"]["steps"]]
    assert any(u.startswith("actions/cache/restore") for u in uses)
    assert any(u.startswith("actions/upload-artifact") for u in uses)

    repo = tmp_path / "repo"
    shutil.copytree(docs_repo, repo)
    check = steps["check"]["Check pages"]["run"]
    ok = sh(check, repo, env)
    assert ok.returncode == 0, ok.stderr
    leaked = repo / "content" / "hr" / "parental-leave.md"
    leaked.write_text(leaked.read_text() + "\nToken: ghp_R4nd0mT0k3nV4lu3F0rT3st1ngXyZ9876543\n")
    bad = sh(check, repo, env)
    assert bad.returncode == 1
    assert "::error file=content/hr/parental-leave.md,line=" in bad.stdout


def restore_model_cache(repo: Path, env: dict[str, str], real_embedder, home: Path) -> set[str]:
    """What a cache restore does on a new runner: the model file made on an earlier run is in
    KB_CACHE_DIR, and the user's cache (`home`, made XDG_CACHE_HOME in `env`) is empty."""
    cache = repo / env["KB_CACHE_DIR"]
    cache.mkdir(exist_ok=True)
    made = real_embedder.model_file()
    shutil.copy(made, cache / made.name)
    env["XDG_CACHE_HOME"] = str(home)
    return {p.name for p in cache.iterdir()}


def used_restored_model(repo: Path, env: dict[str, str], restored: set[str]) -> bool:
    """No model file was made anew, neither beside the restored one nor in the user's cache."""
    made = {p.name for p in (repo / env["KB_CACHE_DIR"]).iterdir()}
    return made == restored and not (Path(env["XDG_CACHE_HOME"]) / "kb").exists()


@pytest.mark.model
def test_github_workflow_indexes_main(docs_repo, real_embedder, tmp_path):
    _, env, steps = github_workflow()
    # The model file kb makes on its first run is cached where kb looks for it, outside the
    # pages, so a later run neither makes it again (loading torch) nor indexes it.
    model_cache = steps["index"]["Cache the model file"]
    assert model_cache["uses"].startswith("actions/cache@")
    assert model_cache["with"]["path"] == env["KB_CACHE_DIR"]
    assert not (docs_repo / env["KB_CONTENT"] / env["KB_CACHE_DIR"]).exists()
    restored = restore_model_cache(docs_repo, env, real_embedder, tmp_path)
    index = steps["index"]["Index pages"]["run"]
    first = sh(index, docs_repo, env)
    assert first.returncode == 0 and "Indexed 3 of 3 pages" in first.stdout, first.stderr
    second = sh(index, docs_repo, env)  # what a run after a cache restore does
    assert second.returncode == 0 and second.stdout.startswith("Up to date: 3 pages")
    assert (docs_repo / "index" / "manifest.json").is_file()
    assert used_restored_model(docs_repo, env, restored)
    # The artifact is the folder: a page deleted in this push must not be in any of its
    # files (each run keeps the last build's files one more build; an admin trial found a
    # deleted page's text in the published folder).
    extra = docs_repo / env["KB_CONTENT"] / "hr" / "reorg.md"
    write(extra, "---\ntitle: Reorg\nauthors: [Ana Ruiz]\n---\n# Plan\n\nNightingale.\n")
    assert sh(index, docs_repo, env).returncode == 0
    extra.unlink()
    assert sh(index, docs_repo, env).returncode == 0
    files = [f for f in (docs_repo / "index").rglob("*") if f.is_file()]
    assert not [f.name for f in files if b"Nightingale" in f.read_bytes()]


def test_gitlab_check_job(docs_repo):
    jobs, env = gitlab_jobs()
    assert jobs["kb-check"]["extends"] == ".kb" and jobs["kb-index"]["extends"] == ".kb"
    assert "merge_request_event" in jobs["kb-check"]["rules"][0]["if"]
    assert jobs["kb-index"]["cache"]["paths"] == ["index/", env["KB_CACHE_DIR"] + "/"]
    assert jobs["kb-index"]["artifacts"]["paths"] == ["index/"]
    result = sh("\n".join(jobs["kb-check"]["script"]), docs_repo, env)
    assert result.returncode == 0, result.stderr
    report = json.loads((docs_repo / "gl-code-quality-report.json").read_text())
    assert report == []  # clean pages: an empty Code Quality report


@pytest.mark.model
def test_gitlab_index_job(docs_repo, real_embedder, tmp_path):
    jobs, env = gitlab_jobs()
    restored = restore_model_cache(docs_repo, env, real_embedder, tmp_path)
    result = sh("\n".join(jobs["kb-index"]["script"]), docs_repo, env)
    assert result.returncode == 0, result.stderr
    # "Indexed 3 of 3 pages", or "Up to date: 3 pages" after the GitHub test indexed the repo.
    assert "3 pages" in result.stdout
    assert (docs_repo / "index" / "manifest.json").is_file()
    assert used_restored_model(docs_repo, env, restored)


def test_pre_commit_hook(docs_repo):
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "kb-check" and hook["pass_filenames"] is False
    result = sh(" ".join([hook["entry"], *hook["args"]]), docs_repo, {})
    assert result.returncode == 0, result.stderr
