"""`kb index`, `kb watch` and `kb check`: build an index from a content folder, keep it up to
date while pages are written, check pages before a merge."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kb.backends.location import IndexLocation
from kb.cli.options import (
    Day,
    DecimalRange,
    WholeRange,
    backend_option,
    build_encoder,
    build_encoder_option,
    collection_option,
    echo_json,
    index_dir_option,
    json_option,
    milvus_uri_option,
)
from kb.cli.options import consent_key as _consent_key
from kb.cli.options import locate as _locate
from kb.cli.options import progress_bar as _progress_bar
from kb.cli.options import step_bars as _step_bars
from kb.config import VECTOR_INDEXES, VECTOR_STORAGES, Settings
from kb.content import report as check_report
from kb.errors import ModelError, StrictModeError, folder_text
from kb.models.names import counted, printable
from kb.serve.codec import dump

# The index command and its helpers below are as they were in kb/cli/__init__.py (their
# orchestration moves into the library in a change of its own): hence the aliased imports.


@click.command("index")
@click.argument("content_dir", type=click.Path(path_type=Path), default=Path("content"))
@index_dir_option
@click.option("--strict", is_flag=True, help="Fail (exit 1) on any warning; index unchanged.")
@click.option("--full", is_flag=True, help="Re-read and re-embed everything (reuse nothing).")
@click.option(
    "--merge",
    is_flag=True,
    help="Merge the index's segments into one (each run otherwise adds a small one and "
    "merges by a bounded policy) and delete the files of older builds, which hold the old "
    "text of edited and deleted pages: run it before shipping the folder; embeds nothing "
    "again.",
)
@click.option(
    "--vector-index",
    type=click.Choice(VECTOR_INDEXES),
    default=Settings.vector_index,
    show_default=True,
    envvar="KB_VECTOR_INDEX",
    help="auto: exact search up to 200,000 chunks, IVF above (env KB_VECTOR_INDEX).",
)
@click.option(
    "--vector-storage",
    type=click.Choice(VECTOR_STORAGES),
    default=Settings.vector_storage,
    show_default=True,
    envvar="KB_VECTOR_STORAGE",
    help="Precision of stored vectors (env KB_VECTOR_STORAGE).",
)
@build_encoder_option
@backend_option
@milvus_uri_option
@collection_option
@click.option(
    "--shard",
    default="1/1",
    show_default=True,
    help="With --backend milvus: index only shard I of N (pages split by a hash of their "
    "path), so N runners index in parallel; then run once with --finish.",
)
@click.option(
    "--finish",
    is_flag=True,
    help="With --backend milvus, after all shards: delete the chunks of deleted pages and "
    "list pages no shard has indexed.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=WholeRange(1, 64),
    help="Processes that embed in parallel on this machine.",
)
@json_option
def index_cmd(
    content_dir: Path,
    index_dir: Path,
    strict: bool,
    full: bool,
    merge: bool,
    vector_index: str,
    vector_storage: str,
    encoder: str | None,
    backend: str,
    milvus_uri: str,
    collection: str,
    shard: str,
    finish: bool,
    workers: int,
    as_json: bool,
) -> None:
    """Index the Markdown pages in CONTENT_DIR (default: content/).

    Only changed files are read again and only changed text is embedded again; a change of
    model or chunking settings rebuilds everything.

    \b
    Examples:
      kb index content/ --index-dir index/ --strict
      kb index content/ --backend milvus --milvus-uri http://milvus:19530 --shard 1/4
      kb index content/ --backend milvus --milvus-uri http://milvus:19530 --finish
    """
    from kb.backends.shards import Shard, finish_shards

    where = _locate(backend, index_dir, milvus_uri, collection)
    try:
        part = Shard.parse(shard)
    except ValueError as err:
        raise click.BadParameter(str(err).removeprefix("--shard "), param_hint="--shard") from None
    if not where.shared and (finish or not part.whole):
        raise click.UsageError("--shard and --finish need --backend milvus (one shared index)")
    if finish:
        if not part.whole:
            raise click.UsageError("--finish runs once after all shards: drop --shard")
        _print_finished(finish_shards(content_dir, where), where, as_json)
        return
    settings = Settings(
        vector_index=vector_index, vector_storage=vector_storage, consent_key=_consent_key()
    )
    from kb.embed.base import load_embedder  # here: `kb check` needs no numpy
    from kb.indexing import index_into  # here: `kb --help` loads no index code

    try:
        with (
            _step_bars(as_json) as bars,
            _progress_bar(as_json, label="Publishing") as pub,
        ):
            run = index_into(
                where,
                content_dir,
                lambda: load_embedder(build_encoder(encoder, index_dir)),
                settings,
                shard=part,
                strict=strict,
                full=full,
                merge=merge,
                workers=workers,
                progress=bars.embedding,
                steps=bars,
                publishing=pub,
            )
    except StrictModeError as err:
        _say_warnings(content_dir, err.problems)
        raise
    report = run.build
    if report is None:
        where = folder_text(content_dir)
        click.echo(f"Shard {part}: no pages of this shard in {where}; nothing to do")
        return
    if report.manifest.model is not None:
        _ready_for_queries(report.manifest.model.name)
    if run.published is not None:
        _print_published(report, run.published, where, part, as_json, content_dir)
        return
    if as_json:
        summary = {
            "files": report.files,
            "documents": report.documents,
            "chunks": report.chunks,
            "warnings": [str(p) for p in report.problems],
            "seconds": round(report.seconds, 2),
            "index_dir": str(index_dir),
            "changed": report.changed,
            "pages_reread": report.reread,
            "pages_removed": report.removed,
            "chunks_embedded": report.embedded,
            "texts_embedded": report.texts,  # those chunks and their sentences
            "rebuilt": report.rebuilt,
            "damaged": list(report.damaged),
            "vector_index": report.manifest.vector_index,
            "segments": len(report.manifest.segments),
        }
        click.echo(json.dumps(summary, indent=2))
        return
    _say_warnings(content_dir, report.problems)
    _say_damaged(report, index_dir)
    if not report.changed:
        click.echo(
            f"Up to date: {report.documents} pages ({report.chunks} chunks), nothing changed; "
            f"checked in {report.seconds:.1f} s with {counted(len(report.problems), 'warning')}"
        )
        return
    work = (
        f"from scratch: {report.rebuilt}"
        if report.rebuilt
        else f"{counted(report.reread, 'page')} re-read, {report.removed} removed"
    )
    if report.vectors:
        work += f"; vector index re-encoded: {report.vectors}"
    if report.directory:
        work += "; people directory updated"
    segments = len(report.manifest.segments)
    # Said so a user does not wonder what a segment is, nor whether to act: an admin could
    # not tell from "'kb index --merge' joins them" alone (a trial).
    if segments > 1:
        work += (
            f"; {segments} segments: edits go into small new ones, joined as they grow, nothing "
            "to do ('kb index --merge' joins them now)"
        )
    elif merge:
        work += "; merged into 1 segment"
    click.echo(
        f"Indexed {report.documents} of {report.files} pages ({report.chunks} chunks, "
        f"{_embedded(report)}; {work}) in {report.seconds:.1f} s "
        f"with {counted(len(report.problems), 'warning')} -> {folder_text(index_dir)}"
    )
    plan = report.manifest.vector_index or {}
    if plan.get("kind") == "ivf":
        click.echo(
            f"Approximate vector search: IVF, {plan['nlist']} clusters, {plan['nprobe']} "
            f"scanned per query, recall@{plan['depth']} {plan['recall']:.3f} against exact search"
        )


def _print_published(
    report, done, where: IndexLocation, part, as_json: bool, content_dir: Path
) -> None:
    if as_json:
        click.echo(
            json.dumps(
                {
                    "files": report.files,
                    "documents": report.documents,
                    "chunks": report.chunks,
                    "chunks_embedded": report.embedded,
                    "warnings": [str(p) for p in report.problems],
                    "shard": str(part),
                    "collection": where.describe(),
                    "chunks_upserted": done.upserted,
                    "chunks_deleted": done.deleted + done.pruned,
                    "pages_written": done.pages_written,
                },
                indent=2,
            )
        )
        return
    _say_warnings(content_dir, report.problems)
    share = "" if part.whole else f"shard {part}: "
    click.echo(
        f"Indexed {share}{report.documents} of {report.files} pages ({report.chunks} chunks, "
        f"{_embedded(report)}) with {counted(len(report.problems), 'warning')} -> "
        f"{where.describe()}: {done.upserted} chunks upserted, "
        f"{done.deleted + done.pruned} deleted, {done.pages_written} page records written"
    )


def _embedded(report) -> str:
    """ "603 embedded with their sentences: 3,069 texts": the progress bar's unit beside the
    chunks' (a trial read a bar to 3,069 over "603 chunks, 603 embedded")."""
    if not report.texts or report.texts == report.embedded:
        return f"{report.embedded} embedded"
    return f"{report.embedded} embedded with their sentences: {report.texts:,} texts"


def _say_damaged(report, index_dir: Path) -> None:
    for name in report.damaged:
        click.echo(
            f"warning: {printable(str(index_dir / name))}: damaged or missing; the pages of its "
            "segment were read and embedded again, the other segments kept",
            err=True,
        )


def _print_finished(done, where: IndexLocation, as_json: bool) -> None:
    if as_json:
        summary = {
            "pages": done.pages,
            "chunks": done.chunks,
            "chunks_deleted": done.pruned,
            "missing": list(done.missing),
        }
        click.echo(json.dumps(summary, indent=2))
    else:
        click.echo(
            f"Finished {where.describe()}: {done.pages} pages, {done.chunks} chunks; "
            f"{done.pruned} chunks of deleted pages removed"
        )
    for path in done.missing:
        click.echo(
            f"warning: {path}: no shard has indexed this page (a shard did not run, or the "
            "page could not be read)",
            err=True,
        )


@click.command("watch")
@click.argument("content_dir", type=click.Path(path_type=Path), default=Path("content"))
@index_dir_option
@build_encoder_option
@click.option(
    "--check-every",
    default=600.0,
    show_default=True,
    type=DecimalRange(1),
    help="Seconds between walks of the whole folder, which find what the watcher missed.",
)
@click.option(
    "--quiet",
    default=0.5,
    show_default=True,
    type=DecimalRange(0),
    help="Seconds without a change before indexing (one save is several file events); "
    "while changes go on, ten times as long at most.",
)
def watch_cmd(
    content_dir: Path, index_dir: Path, encoder: str | None, check_every: float, quiet: float
) -> None:
    """Index CONTENT_DIR, then again each time a page changes, until Ctrl-C.

    Each change is indexed from the paths the file system names, without walking the whole
    folder (at 100,000 pages the walk alone takes about a second); a full walk runs first and
    every --check-every seconds, and finds anything the watcher missed.

    \b
    Example:
      kb watch content/ --index-dir index/
    """
    import signal
    import threading
    import time

    from kb.embed.base import load_embedder
    from kb.watching import watch

    if not content_dir.is_dir():
        raise click.BadParameter(f"'{content_dir}' is not a folder", param_hint="CONTENT_DIR")
    settings = Settings(consent_key=_consent_key())
    embedder = load_embedder(build_encoder(encoder, index_dir))

    def started(watching: bool) -> None:
        if not watching:
            click.echo(
                "warning: cannot watch the folder (no inotify watch left: raise "
                f"fs.inotify.max_user_watches); walking it every {check_every:g} s instead",
                err=True,
            )

    shown: set = set()  # warnings printed already: each is said once, not at every save
    # A save embeds a few chunks; a new folder or a changed people.yaml can be all of them.
    bars = _step_bars(False, chunks=None)

    def on_run(run) -> None:
        bars.close()
        at = time.strftime("%H:%M:%S")
        how = "walked the folder" if run.walked else counted(run.paths, "changed path")
        if run.error is not None:
            again = "once it is done" if run.waiting else f"in {run.retry:g} s"
            click.echo(
                f"{at} {how}: {run.error} (the index is as it was; kb watch tries again {again})",
                err=True,
            )
            return
        report = run.report
        _say_warnings(content_dir, [p for p in report.problems if p not in shown])
        shown.clear()
        shown.update(report.problems)
        _say_damaged(report, index_dir)
        if report.changed:
            done = (
                f"{counted(report.reread, 'page')} re-read, "
                f"{counted(report.embedded, 'chunk')} embedded, "
                f"{report.removed} removed"
            )
        else:
            done = "nothing changed"
        click.echo(
            f"{at} {how}: {done}; {report.documents} pages, {report.seconds:.2f} s -> "
            f"{folder_text(index_dir)}"
        )

    stop = threading.Event()
    click.echo(f"Watching {folder_text(content_dir)} (Ctrl-C to stop)")

    def terminated(signum, frame) -> None:
        raise KeyboardInterrupt  # a service manager's stop ends it as Ctrl-C does

    signal.signal(signal.SIGTERM, terminated)
    try:
        watch(
            content_dir,
            index_dir,
            embedder,
            settings,
            on_run=on_run,
            stop=stop,
            quiet=quiet,
            check_every=check_every,
            started=started,
            progress=bars.embedding,
            steps=bars,
        )
    except KeyboardInterrupt:
        bars.close()
        stop.set()
        click.echo("Stopped; the index is as of the last line above.")


@click.command("check")
@click.argument("content_dir", type=click.Path(path_type=Path), default=Path("content"))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "github", "gitlab", "json"]),
    default="text",
    show_default=True,
    help="github: annotations on the pull request diff (GitHub Actions); gitlab: a Code "
    "Quality report (JSON) for merge requests.",
)
@click.option("--strict", is_flag=True, help="Warnings fail the check too (exit 1).")
@click.option(
    "--today",
    type=Day(),
    help="Judge review dates as of this day (default: today).",
)
@json_option
def check_cmd(content_dir: Path, fmt: str, strict: bool, today, as_json: bool) -> None:
    """Check pages before they are merged: front matter, links, titles, reviews, secrets.

    \b
    Exit codes: 0 no errors (warnings allowed), 1 errors (or warnings with --strict),
    2 usage error. Example, in a pull request job:
      kb check content/ --format github
    """
    from kb.content.check import check_content

    findings = check_content(content_dir, today=today.date() if today else None)
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    if as_json or fmt == "json":
        echo_json(dump(findings), ascii_only=True)
    elif fmt == "gitlab":
        echo_json(check_report.code_quality(content_dir, findings), ascii_only=True)
    else:
        show = check_report.github_annotations if fmt == "github" else check_report.text_lines
        for line in show(content_dir, findings):
            click.echo(line)
    if fmt in ("text", "github") and not as_json:
        # What review-due counts, beside the gap report's stale pages (a trial read 12 here
        # and 15 there): those also count pages unchanged for long with no review date.
        due = sum(1 for f in findings if f.rule == "review-due")
        after = Settings.stale_after_days
        what = (
            f" ({due} review-due: past their review_by; kb gaps' stale pages also count "
            f"pages unchanged for {after} days with no review date to come)"
            if due
            else ""
        )
        click.echo(
            f"kb check: {counted(errors, 'error')}, {counted(warnings, 'warning')}{what}",
            err=True,
        )
    if errors or (strict and warnings):
        sys.exit(1)


def _say_warnings(content_dir: Path, problems) -> None:
    """A build's warnings on stderr, as `kb check` says them (`check_report.warning_lines`)."""
    for line in check_report.warning_lines(content_dir, problems):
        click.echo(line, err=True)


def _ready_for_queries(model_name: str) -> None:
    """Make the query encoder's ONNX file now (indexing with the onnx encoders made it already;
    with `--encoder torch` it is made here, while indexing has paid for torch anyway), so that
    the first `kb search` starts in under a second. On failure the first search tries again
    (and says why it cannot)."""
    from kb.embed.base import query_embedder_for

    embedder = query_embedder_for(model_name)
    try:
        getattr(embedder, "model_file", lambda: None)()
    except ModelError as err:  # the file cannot be made (kb.embed.onnx says why)
        click.echo(f"warning: the first search will make it again: {err}", err=True)
