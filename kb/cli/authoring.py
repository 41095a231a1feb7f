"""`kb import` and `kb new`: pages into the content folder, from documents or as a stub."""

from __future__ import annotations

from pathlib import Path

import click

from kb.cli.options import say
from kb.errors import folder_text
from kb.models.names import counted

into_option = click.option(
    "--into",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("content"),
    show_default=True,
    help="The content folder the pages go into.",
)


@click.command("import")
@click.argument("source", type=click.Path(path_type=Path, exists=True))
@into_option
@click.option(
    "--team",
    default="",
    help="The pages' team and folder (default: the Confluence space, or the subfolder of a "
    "folder imported; else imported/).",
)
@click.option("--department", default="", help="The pages' department: IT or Business.")
def import_cmd(source: Path, into: Path, team: str, department: str) -> None:
    """Import documents as kb pages: .docx (Word, Google Docs), .html pages, a Confluence
    space's HTML export zip, a Notion export zip, .pdf with text, or a folder of these.

    Pages go to INTO/<team>/<title>.md with front matter from what the source knows (title,
    authors, updated, team, source:). Importing again rewrites only the pages whose text
    changed; a page kb did not import is never overwritten. Then: kb check INTO, kb index INTO.

    \b
    Example:
      kb import ~/Downloads/Finance-space.zip --into content/ --department Business
    """
    from kb.importing import import_source

    report = import_source(source, into, team=team, department=_side(department))
    for problem in report.problems:
        say(f"error: {problem}", err=True)
    for note in report.left_out:
        say(f"warning: {note}", err=True)
    for secret in report.secrets:
        say(f"warning: {secret}", err=True)
    done = len(report.written) + len(report.unchanged) + len(report.kept)
    kept = f", {len(report.kept)} kept (edited since)" if report.kept else ""
    say(
        f"Imported {counted(done, 'page')} into {folder_text(into)}: {len(report.written)} new "
        f"or changed, {len(report.unchanged)} unchanged{kept}, "
        f"{counted(len(report.problems), 'file')} not "
        "imported."
    )
    for rel in report.written:
        say(f"  {into / rel}")
    if report.problems and not done:
        raise SystemExit(1)


@click.command("new")
@click.argument("title")
@click.option(
    "--team",
    prompt="Team (the page's folder)",
    help="The team the page belongs to (its folder; asked for if not given).",
)
@click.option(
    "--author",
    "authors",
    multiple=True,
    help="Who writes it (repeatable; default: git config user.name).",
)
@click.option("--department", default="", help="IT or Business (default: from the team).")
@click.option("--question", default="", help="The search that found no page (from kb gaps).")
@into_option
def new_cmd(
    title: str, team: str, authors: tuple[str, ...], department: str, question: str, into: Path
) -> None:
    """Write a page stub for TITLE: front matter (authors, team, review_by in 90 days) and
    the headings an answer page has, at content/<team>/<title>.md. Never overwrites.

    \b
    Example (a gap from kb gaps):
      kb new "Company car leasing" --team people --author "Chloe Martin" \\
        --question "company car leasing policy"
    """
    from datetime import date

    from kb.importing.stub import new_page, stub_text

    if not title.strip():
        raise click.BadParameter("say what the page is about", param_hint="TITLE")
    department = _side(department)
    authors = tuple(a.strip() for a in authors if a.strip()) or _git_user(into)
    if not authors:
        raise click.UsageError("say who writes the page with --author (no git user.name set)")
    text = stub_text(
        title, team=team, authors=authors, today=date.today(), department=department,
        question=question,
    )  # fmt: skip
    rel = new_page(into, text, title=title, team=team)
    say(f"Wrote {into / rel}: fill it in, then commit it (kb check {folder_text(into)} first).")


def _git_user(folder: Path) -> tuple[str, ...]:
    import subprocess

    try:
        out = subprocess.run(
            ["git", "config", "user.name"],
            cwd=folder if folder.is_dir() else None,
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return ()
    return (out.stdout.strip(),) if out.returncode == 0 and out.stdout.strip() else ()


def _side(department: str) -> str:
    """IT or Business as kb's pages spell it; anything else is a usage error (kb check
    would refuse the page)."""
    from kb.content.departments import WORDS_HINT, side_named

    if not department.strip():
        return ""
    side = side_named(department)
    if not side:
        raise click.BadParameter(f"{department!r}: say {WORDS_HINT}", param_hint="--department")
    return side
