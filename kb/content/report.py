"""`kb check`'s findings in the forms a review reads: text lines, GitHub workflow annotations,
a GitLab Code Quality report."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from kb.models import Finding, Problem
from kb.models.names import printable, printable_name


def text_lines(content_dir: Path, findings: Iterable[Finding]) -> list[str]:
    """One line per finding (a line break, escape code or zero-width character in a name is
    written escaped)."""
    return [
        printable(f"{_named(content_dir, f.path)}:{f.line}: {f.severity}: {f.message} [{f.rule}]")
        for f in findings
    ]


def warning_lines(content_dir: Path, problems: Iterable[Problem]) -> list[str]:
    """`kb index`'s warnings in `kb check`'s form, `path:line: warning: message`: the file as
    the repository sees it and a line always (1 for a whole file), so that a CI log's links
    and an editor's "go to" read both commands alike (an admin trial found two forms)."""
    return [
        printable(f"{_named(content_dir, p.path)}:{p.line or 1}: warning: {p.message}")
        for p in problems
    ]


def github_annotations(content_dir: Path, findings: Iterable[Finding]) -> list[str]:
    """One GitHub Actions workflow command per finding: shown on the pull request's diff."""
    out = []
    for f in findings:
        where = shown(content_dir, f.path)
        level = "error" if f.severity == "error" else "warning"
        title = _github_escape(f"kb check: {f.rule}", prop=True)
        out.append(
            f"::{level} file={_github_escape(where, prop=True)},line={f.line},title={title}::"
            + _github_escape(f.message)
        )
    return out


def code_quality(content_dir: Path, findings: Iterable[Finding]) -> list[dict]:
    """The findings as GitLab Code Quality issues (shown on a merge request)."""
    return [_code_quality(content_dir, f) for f in findings]


def _code_quality(content_dir: Path, f: Finding) -> dict:
    path = shown(content_dir, f.path)
    severity = "critical" if f.rule == "secret" else "major" if f.severity == "error" else "minor"
    key = f"{path}\x00{f.rule}\x00{f.message}".encode()
    return {
        "description": f.message,
        "check_name": f"kb-{f.rule}",
        "fingerprint": hashlib.sha1(key).hexdigest(),
        "severity": severity,
        "location": {"path": path, "lines": {"begin": f.line}},
    }


def shown(content_dir: Path, rel: str) -> str:
    """A finding's file as the repository sees it: relative to where kb runs, if inside."""
    # The folder resolved, not the file: a linked file is named as itself, not as what it
    # points to (`outside.md:1` for content/hostile/outside.md; a hostile trial). kb follows
    # no linked folder, so `rel` has none to resolve.
    path = content_dir.resolve() / rel
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return (content_dir / rel).as_posix()


def _named(content_dir: Path, rel: str) -> str:
    """A finding's file as a line of text names it (`shown`, its invisible characters
    escaped: `printable_name`); a workflow command and a report name it as it is."""
    return printable_name(shown(content_dir, rel))


def _github_escape(text: str, *, prop: bool = False) -> str:
    """Escape for a GitHub workflow command (properties also escape ':' and ',')."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text
