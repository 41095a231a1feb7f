"""`kb mcp`: kb for AI assistants (Claude, ChatGPT, Copilot, Cursor) over MCP."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click

from kb.backends.location import IndexLocation
from kb.cli.options import WholeRange, insecure_option, where_options
from kb.errors import KbError


@click.command("mcp")
@click.option(
    "--transport",
    type=click.Choice(["stdio", "http"]),
    default="stdio",
    show_default=True,
    help="stdio: what desktop assistants start; http: streamable HTTP at /mcp.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="With --transport http.")
@click.option(
    "--port",
    default=8765,
    show_default=True,
    type=WholeRange(1, 65535),
    help="With --transport http.",
)
@insecure_option
@where_options
def mcp_cmd(transport: str, host: str, port: int, insecure: bool, where: IndexLocation) -> None:
    """Answer AI assistants over the Model Context Protocol.

    Tools: search_docs, who_knows, get_page, get_person, find_pairs, build_team,
    onboarding_plan, plan_barcamp, list_facets; each page is a resource (kb://page/<path>).
    Hidden people stay hidden, as everywhere.
    Over HTTP, KB_API_TOKEN works as for `kb serve` (Authorization: Bearer <token>), and
    without it only a loopback address is served unless --insecure. KB_EDIT_URL and
    KB_APP_URL add edit and app links to every page.

    \b
    Example (Claude Code):
      claude mcp add kb -- kb mcp --index-dir /srv/docs/index
    """
    from kb.links import PageLinks
    from kb.serve.auth import api_token
    from kb.serve.loaded import LoadedIndex
    from kb.serve.mcp_server import create_mcp, http_app
    from kb.serve.server import check_exposure, run_asgi

    token = api_token(os.environ) if transport == "http" else ""
    links = PageLinks.from_env(os.environ)
    if transport == "http":
        check_exposure(host, token, insecure=insecure, command="kb mcp")
    index = LoadedIndex(where)
    # Load now, so the first question is fast and a missing index is said once at start. In
    # stdio mode stdout is the protocol: anything a library prints while loading goes to stderr.
    with contextlib.redirect_stdout(sys.stderr):
        try:
            index.get()
        except KbError as err:
            click.echo(f"warning: {err}; every tool says so until an index is built", err=True)
    log = os.environ.get("KB_SEARCH_LOG")
    server = create_mcp(index.get, links, Path(log).expanduser() if log else None)
    if transport == "stdio":
        server.run("stdio")
    else:
        click.echo(f"kb MCP server on http://{host}:{port}/mcp", err=True)
        run_asgi(http_app(server, token=token, host=host), host=host, port=port)
