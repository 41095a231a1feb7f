"""The `kb` command line: validate, call the library, print. Click is imported only here.

It still holds logic that belongs in the library (filter suggestions, the check report
formats): issue 14 moves it out."""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import os
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import click

from kb.backends.location import BACKENDS, IndexLocation
from kb.build import build_index
from kb.config import ENCODERS, VECTOR_INDEXES, VECTOR_STORAGES, Settings
from kb.embed.base import load_embedder
from kb.errors import KbError, StrictModeError, UnknownPersonError
from kb.models import Filters, person_key
from kb.people import searchlog
from kb.people.pairing import KINDS
from kb.serve.records import expert_record, hit_record
from kb.service import KnowledgeBase, open_knowledge_base

index_dir_option = click.option(
    "--index-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("index"),
    envvar="KB_INDEX_DIR",
    show_default=True,
    help="Folder of the index (env KB_INDEX_DIR).",
)
backend_option = click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    default="local",
    show_default=True,
    envvar="KB_BACKEND",
    help="local: FAISS and BM25 files in --index-dir; milvus: a Milvus collection "
    "(env KB_BACKEND).",
)
milvus_uri_option = click.option(
    "--milvus-uri",
    default="",
    envvar="KB_MILVUS_URI",
    help="With --backend milvus: a file path (milvus-lite, one process) or "
    "http://host:19530 (a Milvus server or cluster) (env KB_MILVUS_URI).",
)
collection_option = click.option(
    "--collection",
    default="kb",
    show_default=True,
    envvar="KB_MILVUS_COLLECTION",
    help="With --backend milvus: the collection's name (env KB_MILVUS_COLLECTION).",
)


def where_options(command):
    """--index-dir, --backend, --milvus-uri and --collection, passed on as one `where`."""

    @functools.wraps(command)
    def run(*args, index_dir: Path, backend: str, milvus_uri: str, collection: str, **kw):
        return command(*args, where=_locate(backend, index_dir, milvus_uri, collection), **kw)

    for option in (collection_option, milvus_uri_option, backend_option, index_dir_option):
        run = option(run)
    return run


def _locate(backend: str, index_dir: Path, milvus_uri: str, collection: str) -> IndexLocation:
    # The token stays out of the command line (shell history, process lists): env only.
    token = os.environ.get("KB_MILVUS_TOKEN", "")
    try:
        return IndexLocation(backend, index_dir, milvus_uri, collection, milvus_token=token)
    except ValueError as err:
        raise click.UsageError(str(err)) from None


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
encoder_option = click.option(
    "--encoder",
    type=click.Choice(ENCODERS),
    default="torch",
    show_default=True,
    envvar="KB_ENCODER",
    help="onnx-int8: the same model with int8 weights, about 2x faster, needs kb[onnx]; "
    "searches then use it by themselves (env KB_ENCODER).",
)


class _UserError(click.ClickException):
    """A KbError shown as one line, exit code 1, no traceback."""

    def show(self, file=None) -> None:
        click.echo(f"kb: error: {self.format_message()}", err=True)


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KbError as err:
            raise _UserError(str(err)) from err


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kb")
def cli() -> None:
    """kb: search your team's Markdown docs and find who knows about a topic.

    \b
    Example:
      kb index content/
      kb search "how do I get VPN access"
      kb experts "supplier onboarding"
    """


@cli.command("index")
@click.argument("content_dir", type=click.Path(path_type=Path), default=Path("content"))
@index_dir_option
@click.option("--strict", is_flag=True, help="Fail (exit 1) on any warning; index unchanged.")
@click.option("--full", is_flag=True, help="Re-read and re-embed everything (reuse nothing).")
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
@encoder_option
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
    type=click.IntRange(1, 64),
    help="Processes that embed in parallel on this machine.",
)
@json_option
def index_cmd(
    content_dir: Path,
    index_dir: Path,
    strict: bool,
    full: bool,
    vector_index: str,
    vector_storage: str,
    encoder: str,
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
    work = part.folder(index_dir)
    if not part.whole and not part.pages(content_dir, index_dir):
        click.echo(f"Shard {part}: no pages of this shard in {content_dir}/; nothing to do")
        return
    embedder = load_embedder(encoder)
    try:
        with _progress_bar(as_json) as bar:
            report = build_index(
                content_dir,
                work,
                embedder,
                Settings(
                    vector_index=vector_index,
                    vector_storage=vector_storage,
                    consent_key=_consent_key(),
                ),
                strict=strict,
                progress=bar,
                full=full,
                select=part.select,
                workers=workers,
            )
    except StrictModeError as err:
        for problem in err.problems:
            click.echo(f"warning: {problem}", err=True)
        raise
    if where.shared:
        with _progress_bar(as_json, label="Publishing") as bar:
            done = where.publish(work, prune=part.whole, progress=bar)
        _print_published(report, done, where, part, as_json)
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
            "rebuilt": report.rebuilt,
            "vector_index": report.manifest.vector_index,
        }
        click.echo(json.dumps(summary, indent=2))
        return
    for problem in report.problems:
        click.echo(f"warning: {problem}", err=True)
    if not report.changed:
        click.echo(
            f"Up to date: {report.documents} pages ({report.chunks} chunks), nothing changed; "
            f"checked in {report.seconds:.1f} s with {len(report.problems)} warning(s)"
        )
        return
    work = (
        f"from scratch: {report.rebuilt}"
        if report.rebuilt
        else f"{report.reread} page(s) re-read, {report.removed} removed"
    )
    if report.vectors:
        work += f"; vector index re-encoded: {report.vectors}"
    if report.directory:
        work += "; people directory updated"
    click.echo(
        f"Indexed {report.documents} of {report.files} pages ({report.chunks} chunks, "
        f"{report.embedded} embedded; {work}) in {report.seconds:.1f} s "
        f"with {len(report.problems)} warning(s) -> {index_dir}/"
    )
    plan = report.manifest.vector_index or {}
    if plan.get("kind") == "ivf":
        click.echo(
            f"Approximate vector search: IVF, {plan['nlist']} clusters, {plan['nprobe']} "
            f"scanned per query, recall@{plan['depth']} {plan['recall']:.3f} against exact search"
        )


def _print_published(report, done, where: IndexLocation, part, as_json: bool) -> None:
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
    for problem in report.problems:
        click.echo(f"warning: {problem}", err=True)
    share = "" if part.whole else f"shard {part}: "
    click.echo(
        f"Indexed {share}{report.documents} of {report.files} pages ({report.chunks} chunks, "
        f"{report.embedded} embedded) with {len(report.problems)} warning(s) -> "
        f"{where.describe()}: {done.upserted} chunks upserted, "
        f"{done.deleted + done.pruned} deleted, {done.pages_written} page records written"
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


mode_option = click.option(
    "--mode",
    type=click.Choice(["hybrid", "dense", "bm25"]),
    default=None,
    help="Retrieval: hybrid (default: meaning and keywords fused), dense (meaning only) or "
    "bm25 (keywords only).",
)
since_option = click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only pages updated on or after this date (YYYY-MM-DD).",
)


@cli.command("check")
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
    type=click.DateTime(formats=["%Y-%m-%d"]),
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
        click.echo(json.dumps([asdict(f) for f in findings], indent=2))
    elif fmt == "gitlab":
        click.echo(json.dumps([_code_quality(content_dir, f) for f in findings], indent=2))
    elif fmt == "github":
        for f in findings:
            where = _shown(content_dir, f.path)
            level = "error" if f.severity == "error" else "warning"
            title = _github_escape(f"kb check: {f.rule}", prop=True)
            click.echo(
                f"::{level} file={_github_escape(where, prop=True)},line={f.line},title={title}::"
                + _github_escape(f.message)
            )
    else:
        for f in findings:
            click.echo(
                f"{_shown(content_dir, f.path)}:{f.line}: {f.severity}: {f.message} [{f.rule}]"
            )
    if fmt in ("text", "github") and not as_json:
        click.echo(f"kb check: {errors} error(s), {warnings} warning(s)", err=True)
    if errors or (strict and warnings):
        sys.exit(1)


def _code_quality(content_dir: Path, f) -> dict:
    """One finding as a GitLab Code Quality issue."""
    path = _shown(content_dir, f.path)
    severity = "critical" if f.rule == "secret" else "major" if f.severity == "error" else "minor"
    key = f"{path}\x00{f.rule}\x00{f.message}".encode()
    return {
        "description": f.message,
        "check_name": f"kb-{f.rule}",
        "fingerprint": hashlib.sha1(key).hexdigest(),
        "severity": severity,
        "location": {"path": path, "lines": {"begin": f.line}},
    }


def _shown(content_dir: Path, rel: str) -> str:
    """A finding's file as the repository sees it: relative to where kb runs, if inside."""
    path = content_dir / rel
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _github_escape(text: str, *, prop: bool = False) -> str:
    """Escape for a GitHub workflow command (properties also escape ':' and ',')."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


@cli.command("search")
@click.argument("query")
@click.option("-k", "k", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.option("--department", default="", help="Only pages of this department (IT, Business).")
@click.option("--team", default="", help="Only pages of this team.")
@click.option("--tag", default="", help="Only pages with this tag.")
@click.option("--author", default="", help="Only pages written by this person.")
@since_option
@mode_option
@where_options
@json_option
def search_cmd(
    query: str,
    k: int,
    department: str,
    team: str,
    tag: str,
    author: str,
    since,
    mode: str | None,
    where: IndexLocation,
    as_json: bool,
) -> None:
    """Find the sections that answer QUERY.

    \b
    Example:
      kb search "laptop won't connect from home" -k 5 --team security
    """
    kb = _open(where, query)
    filters = _filters(kb, department=department, team=team, tag=tag, author=author, since=since)
    hits = kb.search(query, k=k, filters=filters, mode=mode or "")
    if log := os.environ.get("KB_SEARCH_LOG"):  # opt-in, for 'kb gaps'
        used = mode or kb.settings.retrieval
        searchlog.record(Path(log).expanduser(), query, hits, mode=used, filters=filters)
    if as_json:
        click.echo(json.dumps([hit_record(h) for h in hits], indent=2, ensure_ascii=False))
        return
    if not hits:
        loosen = kb.loosen(query, filters) if filters.active else []
        options = ", ".join("--since" if f == "updated_since" else f"--{f}" for f in loosen)
        click.echo("No results." + (f" Drop {options} to get some." if loosen else ""))
        return
    for n, hit in enumerate(hits, 1):
        c = hit.chunk
        where = f"{c.title} > {c.heading}" if c.heading else c.title
        click.echo(f"{n:>2}. {click.style(where, bold=True)}  ({hit.score:.3f})")
        people = ", ".join(a.name for a in c.authors) or "unknown author"
        click.echo(f"    {c.path}:{c.line} · {c.team or 'no team'} · {people}")
        click.echo(f"    {hit.snippet}")


@cli.command("experts")
@click.argument("query")
@click.option("-k", "k", default=5, show_default=True, type=click.IntRange(1, 1000))
@click.option("--team", default="", help="Only people whose home team is this one.")
@click.option("--department", default="", help="Only people of this department (IT, Business).")
@click.option("--tag", default="", help="Judge people only on pages with this tag.")
@since_option
@mode_option
@where_options
@json_option
def experts_cmd(
    query: str,
    k: int,
    team: str,
    department: str,
    tag: str,
    since,
    mode: str | None,
    where: IndexLocation,
    as_json: bool,
) -> None:
    """Find the people who know most about QUERY, with the sections that show it.

    \b
    Example:
      kb experts "vendor onboarding" --team procurement
    """
    kb = _open(where, query)
    _filters(kb, department=department, team=team)  # validates the names
    filters = _filters(kb, tag=tag, since=since)
    people = kb.experts(
        query, k=k, filters=filters, team=team, department=department, mode=mode or ""
    )
    if as_json:
        click.echo(json.dumps([expert_record(p) for p in people], indent=2, ensure_ascii=False))
        return
    if not people:
        click.echo("No one found." + (" Try fewer options." if team or department else ""))
        return
    for n, person in enumerate(people, 1):
        home = ", ".join(x for x in (person.team, person.department) if x)
        label = f" ({home})" if home else ""
        click.echo(f"{n:>2}. {click.style(person.name, bold=True)}{label}  {person.score:.3f}")
        for ev in person.evidence:
            where = f"{ev.title} > {ev.heading}" if ev.heading else ev.title
            click.echo(f"    - {where}  {ev.path}:{ev.line}")


cache_dir_option = click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path(".kb-cache/eval"),
    show_default=True,
    help="Where the evaluation index is kept; an unchanged corpus is not embedded again.",
)


@cli.command("person")
@click.argument("name")
@where_options
@json_option
def person_cmd(name: str, where: IndexLocation, as_json: bool) -> None:
    """What NAME wrote and knows about: topics, pages, teams written for, last update.

    \b
    Example:
      kb person "Grace O'Connor"
    """
    kb = _open(where, name)
    profile = kb.profile(name)
    if profile is None:
        close = _similar_names(name, kb.people())
        hint = f"; did you mean {', '.join(close)}?" if close else "; 'kb experts' finds people"
        raise UnknownPersonError(f"no one called {name!r} wrote in this index{hint}")
    across = kb.partners(profile.name)
    if as_json:
        out = asdict(profile) | {"across": [asdict(p) for p in across]}
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    home = ", ".join(x for x in (profile.role, profile.team, profile.department) if x)
    click.echo(f"{profile.name}" + (f" ({home})" if home else ""))
    if profile.available_for:
        click.echo(f"  available for: {', '.join(profile.available_for)}")
    click.echo(f"  topics: {', '.join(profile.topics) or 'none'}")
    if profile.tags:
        click.echo(f"  tags: {', '.join(profile.tags)}")
    click.echo(f"  teams written for: {', '.join(profile.teams) or 'none'}")
    click.echo(f"  last update: {profile.last_update or 'unknown'}")
    if across:
        click.echo("  across the divide, working on the same things:")
        for pair in across:
            click.echo(f"    {_colleague(pair.second)}: {', '.join(pair.terms) or 'related work'}")
    click.echo(f"  pages ({len(profile.pages)}):")
    for credit in profile.pages:
        click.echo(f"    {credit.share:>4.0%}  {credit.title}  ({credit.path})")


@cli.command("pairs")
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    default="tandem",
    show_default=True,
    help="tandem: peers who complement; mentoring: mentor and mentee; coffee: chance + overlap.",
)
@click.option("--seed", default=0, show_default=True, help="Same seed, same round.")
@click.option(
    "--avoid",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    multiple=True,
    help="A previous round's --json output: its pairs are not proposed again (repeatable).",
)
@where_options
@json_option
def pairs_cmd(
    kind: str, seed: int, avoid: tuple[Path, ...], where: IndexLocation, as_json: bool
) -> None:
    """Pair IT and business colleagues whose knowledge complements, each person once.

    \b
    Example:
      kb pairs --kind tandem --seed 7
      kb pairs --kind coffee --seed 8 --avoid round1.json --avoid round2.json
    """
    kb = _open(where)
    earlier = set().union(*(_earlier_pairs(path) for path in avoid))
    pairing = kb.pairs(kind, seed=seed, avoid=earlier)
    if as_json:
        click.echo(json.dumps(asdict(pairing), indent=2, ensure_ascii=False))
        return
    click.echo(f"{kind.capitalize()} round, seed {seed}: {len(pairing.pairs)} pair(s)")
    if pairing.note:
        click.echo(f"({pairing.note})")
    for n, pair in enumerate(pairing.pairs, 1):
        people = " + ".join(_colleague(c) for c in (pair.first, pair.second))
        click.echo(f"{n:>2}. {people}  {pair.score:.2f}")
        click.echo(f"    {pair.reason}")
        for ev in pair.evidence:
            click.echo(f"    - {_where(ev)}")
    if pairing.unpaired:
        click.echo(f"Not paired this round: {', '.join(pairing.unpaired)}")


def _similar_names(name: str, known: list[str]) -> list[str]:
    """Up to three names like `name`: a first or last name, or a close spelling (any case)."""
    wanted = name.casefold().strip()
    by_key = {k.casefold(): k for k in known}
    words = [k for k in known if wanted in k.casefold().split()]
    close = difflib.get_close_matches(wanted, list(by_key), n=3, cutoff=0.5)
    return list(dict.fromkeys([*words, *(by_key[c] for c in close)]))[:3]


def _colleague(c) -> str:
    home = ", ".join(x for x in (c.department, c.team) if x)
    return click.style(c.name, bold=True) + (f" ({home})" if home else "")


@cli.command("team")
@click.argument("description")
@click.option(
    "--size",
    default=4,
    show_default=True,
    type=click.IntRange(1, 50),
    help="Most people on the team; fewer when no one else covers a part.",
)
@where_options
@json_option
def team_cmd(description: str, size: int, where: IndexLocation, as_json: bool) -> None:
    """Propose a cross-functional team for a project, and who covers which part.

    Separate the parts with commas ("a, b and c") to name the sub-topics yourself.

    \b
    Example:
      kb team "sync Spendwise claims into NetSuite, GDPR review, stock counts" --size 4
    """
    kb = _open(where, description)
    proposal = kb.team(description, size=size)
    if as_json:
        click.echo(json.dumps(asdict(proposal), indent=2, ensure_ascii=False))
        return
    if not proposal.members:
        click.echo("No one in this index writes about that.")
    else:
        short = len(proposal.members) < size
        why = f" (asked for {size}; no one else covers a part)" if short else ""
        click.echo(f"Team of {len(proposal.members)}{why}:")
        for c in proposal.members:
            role = f", {c.role}" if c.role else ""
            click.echo(f"  - {_colleague(c)}{role}")
        click.echo("Who covers what:")
    for cover in proposal.covers:
        who = ", ".join(cover.people) or "no one on the team"
        click.echo(f"  {cover.subtopic}: {who}")
        for ev in cover.evidence[:1]:
            click.echo(f"    - {_where(ev)}")
    for part in proposal.uncovered:
        click.echo(f"  {part}: no one in the index writes about this")


@cli.command("gaps")
@click.option(
    "--log",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="KB_SEARCH_LOG",
    help="The opt-in search log (env KB_SEARCH_LOG) for searches that found nothing good.",
)
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Judge staleness as of this date.")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 1000))
@where_options
@json_option
def gaps_cmd(log: Path | None, today, top: int, where: IndexLocation, as_json: bool) -> None:
    """Where knowledge is thin: topics, stale pages, searches that found nothing good.

    Lists topics resting on one person or one department, stale pages by owner and, from
    the opt-in search log, searches that found nothing good with who could write the page.

    \b
    Example:
      KB_SEARCH_LOG=~/.kb/searches.jsonl kb gaps
    """
    kb = _open(where)
    report = kb.gaps(today=(today or datetime.now()).date(), log=log, top=top)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    if as_json:
        click.echo(json.dumps(asdict(report), indent=2, ensure_ascii=False))
        return
    single = [t for t in report.topics if t.bus_factor <= 1]
    click.echo(f"Topics that rest on one person or no one ({len(single)} of {len(report.topics)}):")
    for t in single[:top]:
        who = ", ".join(f"{k.name} {k.share:.0%}" for k in t.knowers[:3]) or "no author"
        click.echo(f"  bus factor {t.bus_factor}  {t.label}  ({len(t.pages)} page(s); {who})")
    _more(len(single), top)
    click.echo(f"Topics only one department writes about ({len(report.one_sided)}):")
    for o in report.one_sided[:top]:
        across = ", ".join(c.name for c in o.across) or "no one yet"
        side = o.topic.departments[0]
        click.echo(f"  {o.topic.label}  (only {side}; closest across: {across})")
    _more(len(report.one_sided), top)
    click.echo(f"Stale pages ({len(report.stale)}):")
    for st in report.stale[:top]:
        click.echo(f"  {st.owner or 'no owner'}: {st.title} ({st.reason})  {st.path}")
    _more(len(report.stale), top)
    if log is None:
        click.echo(
            "Searches that found nothing good: no search log (set KB_SEARCH_LOG to keep one)"
        )
        return
    if not log.is_file():
        click.echo(f"Searches that found nothing good: no search log at {log} yet")
        return
    floor = kb.settings.nothing_good_below
    click.echo(
        f"Searches that found nothing good, best section's similarity under {floor} "
        f"({report.unanswered_total} of {report.searches_logged} logged):"
    )
    for u in report.unanswered:
        writers = ", ".join(c.name for c in u.writers) or "no one"
        click.echo(
            f'  {u.times}x "{u.query}" (best {u.best_similarity:.2f}, {u.closest}); '
            f"could write it: {writers}"
        )
    _more(report.unanswered_total, len(report.unanswered))
    if report.note:
        click.echo(f"  ({report.note})")
    elif report.withheld:
        click.echo(f"  ({report.withheld} search(es) not shown: they name someone hidden)")


def _more(total: int, shown: int) -> None:
    if total > shown:
        click.echo(f"  … {total - shown} more (--top {total}, or --json for all)")


def _earlier_pairs(path: Path) -> set[frozenset[str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {frozenset((p["first"]["name"], p["second"]["name"])) for p in data["pairs"]}
    except (ValueError, KeyError, TypeError) as err:
        raise click.BadParameter(
            f"{path}: not the --json output of 'kb pairs' ({err})", param_hint="--avoid"
        ) from err


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes; each loads the index (about 0.6 GB with the model).",
)
@click.option(
    "--insecure",
    is_flag=True,
    help="Serve a network address without KB_API_TOKEN (only behind a proxy that checks callers).",
)
@where_options
def serve_cmd(host: str, port: int, workers: int, insecure: bool, where: IndexLocation) -> None:
    """Serve the HTTP API: /search, /experts, /people/{name}, /health, /docs.

    Stateless: every replica reads the same index (folder or Milvus collection) and reloads
    it after a rebuild.
    Set KB_API_TOKEN to require `Authorization: Bearer <token>` on every request (not on
    /docs and /openapi.json). Without it, kb serves only a loopback address unless --insecure.

    \b
    Example:
      KB_API_TOKEN=secret kb serve --port 8000 --workers 2
    """
    from kb.serve.api import check_exposure, serve  # FastAPI and uvicorn load only for this command

    check_exposure(host, os.environ.get("KB_API_TOKEN", ""), insecure=insecure)
    if workers > 1 and where.lite:
        raise click.UsageError(
            "milvus-lite opens its file in one process only: use --workers 1, or serve the "
            f"file with 'milvus-lite server --data-dir {where.milvus_uri}' and pass its "
            "http:// address as --milvus-uri"
        )
    if not where.model():
        # Serve anyway: a deployment starts the API before the first index run, and
        # every request says what is missing (503) until a build publishes one.
        click.echo(
            f"warning: no index in {where.describe()} yet; answering 503 until one is built",
            err=True,
        )
    serve(where, host=host, port=port, workers=workers)


@cli.group("eval")
def eval_group() -> None:
    """Measure search quality on labelled data."""


@eval_group.command("retrieval")
@click.argument("data_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--mode",
    "modes",
    type=click.Choice(["all", "dense", "bm25", "hybrid"]),
    default="all",
    show_default=True,
)
@cache_dir_option
@encoder_option
@click.option(
    "--whole-documents",
    is_flag=True,
    help="Embed each document once, truncated at the model's window, as the published BEIR "
    "protocol does (to compare with published numbers); the default splits long documents.",
)
@click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    default="local",
    show_default=True,
    help="milvus: publish the evaluation index into milvus-lite (in the cache) and search there.",
)
@json_option
def eval_retrieval_cmd(
    data_dir: Path,
    modes: str,
    cache_dir: Path,
    encoder: str,
    whole_documents: bool,
    backend: str,
    as_json: bool,
) -> None:
    """nDCG@10, Recall@100 and MRR@10 per retrieval mode on a BEIR folder.

    \b
    DATA_DIR holds corpus.jsonl, queries.jsonl and qrels/test.tsv. Example:
      kb eval retrieval ../shared/data/beir-scifact
    """
    from kb.eval.datasets import load_retrieval_set
    from kb.eval.runs import eval_index, evaluate_retrieval

    data = load_retrieval_set(data_dir)
    settings = Settings(split_long_sections=not whole_documents)
    with _progress_bar(as_json) as bar:
        kb = eval_index(
            data, cache_dir, load_embedder(encoder), settings, progress=bar, backend=backend
        )
    chosen = ("dense", "bm25", "hybrid") if modes == "all" else (modes,)
    scores = evaluate_retrieval(data, kb, modes=chosen)
    if as_json:
        click.echo(json.dumps([asdict(s) for s in scores], indent=2))
        return
    click.echo(f"{data.name}: {len(data.documents)} documents, {scores[0].queries} queries")
    click.echo(f"{'mode':<8} {'nDCG@10':>8} {'R@100':>8} {'MRR@10':>8} {'p50 ms':>8} {'p95 ms':>8}")
    for s in scores:
        click.echo(
            f"{s.mode:<8} {s.ndcg_at_10:>8.4f} {s.recall_at_100:>8.4f} {s.mrr_at_10:>8.4f} "
            f"{s.p50_ms:>8.1f} {s.p95_ms:>8.1f}"
        )


@eval_group.command("experts")
@click.argument("data_dir", type=click.Path(path_type=Path, file_okay=False))
@cache_dir_option
@encoder_option
@json_option
def eval_experts_cmd(data_dir: Path, cache_dir: Path, encoder: str, as_json: bool) -> None:
    """MAP, MRR, P@5 and nDCG@10 per expert model on an expert-finding set.

    \b
    DATA_DIR holds documents.jsonl (with author_id), queries.jsonl and qrels/test.tsv
    (query -> expert). Example:
      kb eval experts ../shared/data/expert-cardano-se
    """
    from kb.eval.datasets import load_expert_set
    from kb.eval.runs import eval_index, evaluate_experts

    data = load_expert_set(data_dir)
    with _progress_bar(as_json) as bar:
        kb = eval_index(data, cache_dir, load_embedder(encoder), Settings(), progress=bar)
    scores = evaluate_experts(data, kb)
    if as_json:
        click.echo(json.dumps([asdict(s) for s in scores], indent=2))
        return
    click.echo(f"{data.name}: {len(data.documents)} documents, {scores[0].queries} queries")
    click.echo(f"{'model':<9} {'sections':<8} {'MAP':>7} {'MRR':>7} {'P@5':>7} {'nDCG@10':>8}")
    for s in scores:
        click.echo(
            f"{s.model:<9} {s.mode:<8} {s.map:>7.4f} {s.mrr:>7.4f} {s.p_at_5:>7.4f} "
            f"{s.ndcg_at_10:>8.4f}"
        )


def _open(where: IndexLocation, query: str = "-") -> KnowledgeBase:
    if not query.strip():
        raise click.UsageError("the query is empty; say what you are looking for")
    return open_knowledge_base(where, Settings(consent_key=_consent_key()))


def _consent_key() -> str:
    """The key of the consent fingerprints: the same when indexing and when reporting."""
    return os.environ.get("KB_CONSENT_KEY", "")


def _filters(kb: KnowledgeBase, *, since=None, **values: str) -> Filters:
    """Filters from CLI options; a name the index does not know is a usage error listing it."""
    facets = kb.facets()
    values = {name: value.strip() for name, value in values.items()}  # as the check compares
    for name, value in values.items():
        if not value:
            continue
        known = facets[name]
        if person_key(value) not in {person_key(v) for v in known}:
            close = difflib.get_close_matches(value, known, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            shown = ", ".join(known[:30]) + (" …" if len(known) > 30 else "")
            raise click.BadParameter(
                f"'{value}' is not in the index; {hint}known: {shown}", param_hint=f"--{name}"
            )
    return Filters(
        department=values.get("department", ""),
        team=values.get("team", ""),
        tag=values.get("tag", ""),
        author=values.get("author", ""),
        updated_since=since.date().isoformat() if since else "",
    )


class _progress_bar:
    """A click progress bar on stderr, created when the total is first known."""

    def __init__(self, quiet: bool, label: str = "Embedding") -> None:
        self._quiet = quiet
        self._label = label
        self._bar = None
        self._done = 0

    def __enter__(self):
        return self

    def __call__(self, done: int, total: int) -> None:
        if self._quiet:
            return
        if self._bar is None:
            if not total:
                return  # nothing to embed: no bar
            self._bar = click.progressbar(length=total, label=self._label, file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._done)
        self._done = done

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)


main = cli


def _where(ev) -> str:
    place = f"{ev.title} > {ev.heading}" if ev.heading else ev.title
    return f"{place}  {ev.path}:{ev.line}"
