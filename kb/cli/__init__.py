"""The `kb` command line: each command checks its options, calls the library and prints.

One module per command group (content, search, people, serve, eval); options they share are
in `kb.cli.options`. Click is imported in this package only. `kb index` still chains the
sharded build, publish and finish itself (`kb.cli.content`); that moves into the library.
"""

from __future__ import annotations

import click

from kb.cli import authoring, content, eval, mcp, people, search, serve
from kb.cli.options import Group


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kb")
def cli() -> None:
    """kb: search your team's Markdown docs and find who knows about a topic.

    \b
    Example:
      kb index content/
      kb search "how do I get VPN access"
      kb experts "supplier onboarding"
    """


for command in (
    content.index_cmd,
    content.watch_cmd,
    content.check_cmd,
    authoring.import_cmd,
    authoring.new_cmd,
    search.search_cmd,
    search.experts_cmd,
    people.person_cmd,
    people.pairs_cmd,
    people.team_cmd,
    people.gaps_cmd,
    people.onboard_cmd,
    people.barcamp_cmd,
    serve.serve_cmd,
    mcp.mcp_cmd,
    eval.eval_group,
):
    cli.add_command(command)

main = cli
