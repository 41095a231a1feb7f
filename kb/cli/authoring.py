"""`kb import` and `kb new`: pages into the content folder, from documents or as a stub."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("import")
@click.argument("source", type=click.Path(path_type=Path, exists=True))
@click.option(
    "--into",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("content"),
    show_default=True,
    help="The content folder the pages go into.",
)
@click.option("--team", default="", help="The pages' team (default: the space or folder).")
@click.option("--department", default="", help="The pages' department (IT, Business).")
def import_cmd(source: Path, into: Path, team: str, department: str) -> None:
    """Import documents as kb pages: .docx (Word, Google Docs), .html pages, a Confluence
    space's HTML export zip, a Notion export zip, .pdf with text, or a folder of these.

    Each page gets front matter from what the source knows (title, authors, updated,
    team, source:). Importing again rewrites only the pages whose text changed; a page kb did
    not import is never overwritten.

    \b
    Example:
      kb import ~/Downloads/Finance-space.zip --into content/ --department Business
    """
    from kb.importing import import_source

    report = import_source(source, into, team=team, department=department)
    for problem in report.problems:
        click.echo(f"error: {problem}", err=True)
    for note in report.left_out:
        click.echo(f"warning: {note}", err=True)
    done = len(report.written) + len(report.unchanged)
    click.echo(
        f"Imported {done} page(s) into {into}/: {len(report.written)} new or changed, "
        f"{len(report.unchanged)} unchanged, {len(report.problems)} file(s) not imported."
    )
    for rel in report.written:
        click.echo(f"  {into / rel}")
    if report.problems and not done:
        raise SystemExit(1)
