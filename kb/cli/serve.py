"""`kb serve`: the HTTP API over an index."""

from __future__ import annotations

import os

import click

from kb.backends.location import IndexLocation
from kb.cli.options import WholeRange, insecure_option, where_options
from kb.links import PageLinks


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=WholeRange(1, 65535),
    help="Port to listen on.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=WholeRange(1, 64),
    help="Worker processes; each loads the index (0.25 GB with the model for the bundled "
    "content, 0.5 GB at 10,000 pages).",
)
@insecure_option
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
    from kb.serve.auth import api_token
    from kb.serve.server import check_exposure, serve  # FastAPI and uvicorn load only here

    token = api_token(os.environ)
    check_exposure(host, token, insecure=insecure)
    PageLinks.from_env(os.environ)  # a bad KB_EDIT_URL is said here, not in each worker
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
    click.echo(started(where, bool(token)), err=True)
    serve(where, host=host, port=port, workers=workers)


def started(where: IndexLocation, token: bool) -> str:
    """What a server serves and who may ask it: an admin's `kb serve` named neither the
    index nor whether a token guards it (a trial), which the log should say from the start."""
    who = (
        "every request needs the token in KB_API_TOKEN (not /docs, /openapi.json, /ready)"
        if token
        else "no token (KB_API_TOKEN unset): anyone who reaches the address may ask"
    )
    return f"kb serve: the index in {where.describe()}, reloaded after each build; {who}"
