"""What the command groups share: options, the index location, opening the knowledge base,
JSON output and the progress bar."""

from __future__ import annotations

import functools
import json
import os
import secrets
import sys
from datetime import datetime, time
from pathlib import Path

import click

from kb.backends.location import BACKENDS, IndexLocation
from kb.config import ENCODERS, Settings
from kb.errors import KbError
from kb.facade import Facade
from kb.inputs import BlankQueryError, QueryTooLongError, clock, day, number, query_text
from kb.models.names import printable


class WholeRange(click.IntRange):
    """click's `IntRange` on a number as every shell reads one (`kb.inputs.number`: plain
    digits): click read `--top 1_0` as 10, and `１０`, `+5`, ` 5` too."""

    def convert(self, value, param, ctx):
        try:
            value = number(value)
        except ValueError as err:
            said = str(err)
            if isinstance(value, str) and value.isascii() and value.isdigit():  # too many
                said = f"{value[:40]}… is not in the range {self._describe_range()}."
            self.fail(said, param, ctx)
        return super().convert(value, param, ctx)


class DecimalRange(click.FloatRange):
    """click's `FloatRange` on a number written in plain digits (`2.5`; not `1e1`, `+5`)."""

    def convert(self, value, param, ctx):
        try:
            value = number(value, whole=False)
        except ValueError as err:
            self.fail(str(err), param, ctx)
        return super().convert(value, param, ctx)


class Day(click.ParamType):
    """A day as every shell reads one (`kb.inputs.day`: YYYY-MM-DD), at midnight, as click's
    `DateTime` gives it: that read `2026-1-5` too, which the API and MCP's `since` refuse."""

    name = "yyyy-mm-dd"

    def convert(self, value, param, ctx):
        if isinstance(value, datetime):
            return value
        try:
            found = day(value)
        except ValueError as err:
            self.fail(str(err), param, ctx)
        return datetime.combine(found, time()) if found else None


class Clock(click.ParamType):
    """A time of day as `kb.inputs.clock` reads one (HH:MM): click's `DateTime(["%H:%M"])`,
    `strptime`, took `9:5` and `10:0`."""

    name = "hh:mm"

    def convert(self, value, param, ctx):
        if isinstance(value, time):
            return value
        try:
            return clock(value)
        except ValueError as err:
            self.fail(str(err), param, ctx)


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
insecure_option = click.option(
    "--insecure",
    is_flag=True,
    help="Serve a network address without KB_API_TOKEN (only behind a proxy that checks callers).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
_ENCODER_HELP = (
    "onnx: the model in full precision without loading torch (its ONNX file is made once, "
    "about 90 MB, in KB_CACHE_DIR, else $XDG_CACHE_HOME/kb, else ~/.cache/kb); torch: the same "
    "vectors through sentence-transformers; onnx-int8: int8 weights, about 2x faster, slightly "
    "less precise."
)


def _encoder_option(default: str | None, said: str):
    return click.option(
        "--encoder",
        type=click.Choice(ENCODERS),
        default=default,
        show_default=default is not None,
        envvar="KB_ENCODER",
        help=f"{_ENCODER_HELP} {said}Searches always embed queries with the encoder the "
        "index was built with (env KB_ENCODER).",
    )


encoder_option = _encoder_option("onnx", "")
# kb index and kb watch: by default the index's own encoder, as searches use it.
build_encoder_option = _encoder_option(
    None,
    "Default: the one the index in --index-dir was built with (another would embed every "
    "page again), else onnx. ",
)


def build_encoder(encoder: str | None, index_dir: Path) -> str:
    """The encoder a build uses: `encoder` if given, else the one the index in `index_dir`
    was built with (another model name rebuilds it from scratch), else onnx."""
    if encoder:
        return encoder
    from kb.embed.base import encoder_for
    from kb.index.manifest import index_model

    return encoder_for(index_model(index_dir))


mode_option = click.option(
    "--mode",
    type=click.Choice(["hybrid", "dense", "bm25"]),
    default=None,
    help="Retrieval: hybrid (default: meaning and keywords fused), dense (meaning only) or "
    "bm25 (keywords only).",
)
since_option = click.option(
    "--since",
    type=Day(),
    help="Only pages updated on or after this date (YYYY-MM-DD).",
)
cache_dir_option = click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path(".kb-cache/eval"),
    show_default=True,
    help="Where the evaluation index is kept; an unchanged corpus is not embedded again.",
)


def where_options(command):
    """--index-dir, --backend, --milvus-uri and --collection, passed on as one `where`."""

    @functools.wraps(command)
    def run(*args, index_dir: Path, backend: str, milvus_uri: str, collection: str, **kw):
        return command(*args, where=locate(backend, index_dir, milvus_uri, collection), **kw)

    for option in (collection_option, milvus_uri_option, backend_option, index_dir_option):
        run = option(run)
    return run


def locate(backend: str, index_dir: Path, milvus_uri: str, collection: str) -> IndexLocation:
    # The token stays out of the command line (shell history, process lists): env only.
    token = os.environ.get("KB_MILVUS_TOKEN", "")
    try:
        return IndexLocation(backend, index_dir, milvus_uri, collection, milvus_token=token)
    except ValueError as err:
        raise click.UsageError(str(err)) from None


class UserError(click.ClickException):
    """A KbError shown as one line, exit code 1, no traceback."""

    def show(self, file=None) -> None:
        click.echo(f"kb: error: {self.format_message()}", err=True)


class Group(click.Group):
    """The `kb` group: a KbError from any command becomes a `UserError`, and an option that
    takes one value given twice is refused (click keeps the last without a word: `--team
    finance --team sales` asked only sales, a trial)."""

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name, cmd, rest = super().resolve_command(ctx, args)
        if cmd is not None and not isinstance(cmd, click.Group):
            _refuse_repeats(cmd, rest)
        return name, cmd, rest

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KbError as err:
            raise UserError(str(err)) from err


def _refuse_repeats(cmd: click.Command, args: list[str]) -> None:
    """A usage error if `args` give an option of `cmd` that takes one value more than once."""
    single = {
        opt: param
        for param in cmd.params
        if isinstance(param, click.Option) and not (param.multiple or param.count)
        for opt in (*param.opts, *param.secondary_opts)
    }
    seen: dict[str, list[str]] = {}
    i = 0
    while i < len(args):
        token = args[i]
        if token == "--":
            break
        opt, has_value, value = token.partition("=")
        param = single.get(opt) if opt.startswith("-") else None
        if param is not None:
            if not param.is_flag and not has_value and i + 1 < len(args):
                value = args[i + 1]
                i += 1  # the value, which may itself look like an option
            seen.setdefault(param.name or opt, []).append(value if not param.is_flag else opt)
        i += 1
    for name, values in seen.items():
        param = next(p for p in cmd.params if p.name == name)
        if len(values) > 1 and not (param.is_flag and len(set(values)) == 1):
            given = ", ".join(repr(v) for v in values)
            option = param.opts[-1]
            raise click.UsageError(f"{option} takes one value and was given {given}: give it once")


def open_kb(where: IndexLocation, query: str | None = None) -> Facade:
    """The knowledge base at `where`, once `query` (the command's text argument, if it has
    one) is not blank."""
    try:
        if query is not None:
            query_text(query)
    except (BlankQueryError, QueryTooLongError) as err:
        raise click.UsageError(str(err)) from None
    log = os.environ.get("KB_SEARCH_LOG")  # opt-in, for 'kb gaps'
    settings = Settings(consent_key=consent_key())
    from kb.index.manifest import read_before
    from kb.service import open_knowledge_base  # here: `kb --help` loads no index code

    kb = open_knowledge_base(where, settings, search_log=Path(log).expanduser() if log else None)
    note = read_before(kb.manifest)
    if note:  # served as it is, said each time: an upgrade of kb asks for one `kb index`
        say(f"warning: {note}", err=True)
    return kb


def consent_key() -> str:
    """The key of the consent fingerprints: the same when indexing and when reporting."""
    return os.environ.get("KB_CONSENT_KEY", "")


# Marks around a part of a line `say` prints in bold: random, so no page can hold them.
_BOLD_ON, _BOLD_OFF = (f"\ue000{secrets.token_hex(8)}\ue000" for _ in range(2))


def bold(text: str) -> str:
    """`text`, to be printed in bold by `say`."""
    return f"{_BOLD_ON}{text}{_BOLD_OFF}"


def say(line: str = "", *, err: bool = False) -> None:
    """Print one line whose parts come from pages or people.yaml (names, titles, paths): a
    newline, escape or bidi character in them is written as an escape, never obeyed; only
    the parts marked with `bold` are styled."""
    on, off = click.style("\0", bold=True).split("\0")
    click.echo(printable(line).replace(_BOLD_ON, on).replace(_BOLD_OFF, off), err=err)


def echo_json(value: object, *, ascii_only: bool = False) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=ascii_only))


class progress_bar:
    """Progress on stderr, created when the total is first known: a click progress bar at a
    terminal; elsewhere (a CI log, a pipe), where click's bar prints only its label, a line
    each tenth of the way, so a long first index does not look stuck."""

    def __init__(self, quiet: bool, label: str = "Embedding") -> None:
        self._quiet = quiet
        self._label = label
        self._bar = None
        self._done = 0
        self._lines = not sys.stderr.isatty()
        self._said = -1  # the last tenth a line was printed for

    def __enter__(self):
        return self

    def __call__(self, done: int, total: int) -> None:
        if self._quiet or not total:
            return  # nothing to embed: no bar
        if self._lines:
            tenth = done * 10 // total
            if tenth > self._said:
                self._said = tenth
                share = done * 100 // total  # the share done, not the tenth crossed
                click.echo(f"{self._label}: {done:,} of {total:,} ({share}%)", err=True)
            return
        if self._bar is None:
            self._bar = click.progressbar(length=total, label=self._label, file=sys.stderr)
            self._bar.__enter__()
        self._bar.update(done - self._done)
        self._done = done

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)


# Pages (or chunks) from which a step is long enough to show its progress.
LONG_STEP = 500
# The embedding step's progress names its unit: it counts each new chunk and each of its
# sentences (kb.search.sentences), many more than the chunks the summary gives (a trial).
EMBEDDING = "Embedding chunks and their sentences"


class step_bars:
    """A progress bar for each step of a build, one after the other: "Reading" and
    "Chunking" (pages), then `EMBEDDING` (texts, as the build's `progress`). A step of fewer
    than `pages` pages or `chunks` chunks (None: `LONG_STEP`) shows none: a page saved in
    `kb watch` is not long work, and a few hundred pages are read and chunked in a second."""

    def __init__(self, quiet: bool, *, pages: int | None = None, chunks: int | None = 0) -> None:
        self._quiet = quiet
        self._pages = LONG_STEP if pages is None else pages
        self._chunks = LONG_STEP if chunks is None else chunks
        self._step = ""
        self._bar: progress_bar | None = None

    def __enter__(self):
        return self

    def __call__(self, step: str, done: int, total: int) -> None:
        if total < (self._chunks if step == EMBEDDING else self._pages):
            return
        if step != self._step:
            self.close()  # the last step's bar ends on its own line
            self._step, self._bar = step, progress_bar(self._quiet, label=step)
        assert self._bar is not None
        self._bar(done, total)

    def embedding(self, done: int, total: int) -> None:
        """As a build's `progress`: the embedding step."""
        self(EMBEDDING, done, total)

    def close(self) -> None:
        """End the bar shown, if any (a build is over)."""
        self.__exit__(None, None, None)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)
            self._bar = None
            self._step = ""
