"""`kb mcp`: kb for AI assistants, over the Model Context Protocol. The `mcp` SDK is imported
here and nowhere else.

The tools call the same facade verbs as the CLI and the API (so consent, relevance and input
checks are theirs) and answer in the CLI's `--json` shapes, plus each page's links: its MCP
resource (`kb://page/<path>`, readable with `get_page` or as a resource), and where the
deployment sets them, the app (KB_APP_URL) and the edit page (KB_EDIT_URL).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, ToolError
from mcp.types import Resource
from pydantic import Field, ValidationError

from kb.errors import KbError, UnknownPersonError
from kb.facade import Facade
from kb.inputs import (
    MAX_QUERY,
    MAX_ROUND,
    BlankQueryError,
    CriteriaError,
    UnknownValueError,
    checked_filters,
    checked_teams,
    day,
    profile_called,
    query_text,
    team_criteria,
)
from kb.links import NO_LINKS, PageLinks, page_path, resource_uri
from kb.models import Directory
from kb.models.names import named_in, printable
from kb.models.shown import plain
from kb.people.analysis import MAX_NEW_ROUND
from kb.people.pairing import KINDS
from kb.serve.auth import bearer_ok
from kb.serve.codec import dump, expert_records, hit_record, person_record
from kb.serve.loaded import public_message
from kb.serve.params import Decimal, Whole
from kb.serve.responses import (
    BarcampPlan,
    Facets,
    FoundDocs,
    KnownPeople,
    Onboarding,
    PageRecord,
    Pairs,
    Person,
    Team,
)

INSTRUCTIONS = (
    "kb searches the company's own documentation (IT and business teams' pages) and names "
    "the colleagues who wrote about a topic. Use search_docs for questions about how things "
    "are done here; each result says whether it is relevant (answers the question) and gives "
    "its page's link; say so when nothing is relevant instead of guessing. Use who_knows to "
    "find a person to ask, get_page to read a whole page before quoting it."
)

Query = Annotated[str, Field(min_length=1, max_length=MAX_QUERY, description="What to look for.")]
FilterValue = Annotated[str, Field(max_length=200)]
# One team or several, as `--team` repeated and `?team=` repeated take them (a review: an
# assistant could not ask "who in finance or sales knows").
Teams = Annotated[
    FilterValue | Annotated[list[FilterValue], Field(max_length=20)],
    Field(description="A team, or a list of teams (any of them)."),
]

_NAMED = 10  # unknown arguments named in a tool error, as the API's 422 names them


class KbMcp(MCPServer):
    """An MCP server whose resources are the pages of the index it serves."""

    def __init__(self, kb: Callable[[], Facade]) -> None:
        super().__init__("kb", instructions=INSTRUCTIONS)
        self._kb = kb

    async def call_tool(self, name: str, arguments: dict[str, Any], context=None):
        """As the SDK's, but arguments outside a tool's schema are told in one plain line per
        argument ("k: Input should be less than or equal to 50"), not pydantic's report, and
        an argument the tool does not take is one of them: the SDK dropped it, so a misspelt
        `departmnt` searched unfiltered, where the API answers it with a 422. An error is one
        line whatever input it says back, control and bidi characters written as escapes, as
        the CLI prints input (`printable`): an argument's or a tool's name or a value with a
        line break put a line of the caller's choosing in what the assistant reads."""
        try:
            return await self._call_tool(name, arguments, context)
        except ToolError as err:
            said = printable(str(err))
            if said == str(err):
                raise
            raise ToolError(said) from err.__cause__

    async def _call_tool(self, name: str, arguments: dict[str, Any], context=None):
        tool = next((t for t in await self.list_tools() if t.name == name), None)
        if tool is None:  # the SDK said the name back whole
            raise ToolError(f"Unknown tool: {_cut(name)}")
        takes = sorted(tool.input_schema.get("properties", {}))
        unknown = [_cut(str(a)) for a in arguments if a not in takes]
        if unknown:
            named = ", ".join(f"'{a}'" for a in unknown[:_NAMED])
            more = f" and {len(unknown) - _NAMED:,} more" if len(unknown) > _NAMED else ""
            it_takes = f"it takes {', '.join(takes)}" if takes else f"{name} takes no arguments"
            raise ToolError(
                f"invalid arguments for {name}: {name} does not take {named}{more}; {it_takes}"
            )
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as err:
            cause = err.__cause__
            if not isinstance(cause, ValidationError):
                raise
            lines = [
                f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}"
                for e in cause.errors(include_url=False)
            ]
            raise ToolError(f"invalid arguments for {name}: " + "; ".join(lines)) from cause

    async def list_resources(self) -> list[Resource]:
        try:  # loading (or reloading) an index blocks: not on the event loop
            titles = await anyio.to_thread.run_sync(lambda: self._kb().titles())
        except KbError:
            return []  # no index yet: nothing to list (the tools say what is missing)
        return [
            Resource(
                uri=resource_uri(path),
                name=path,
                title=title,
                description=f"{title} (kb page {path})",
                mime_type="text/markdown",
            )
            for path, title in sorted(titles.items())
        ]


def create_mcp(
    kb: Callable[[], Facade], links: PageLinks | None = None, search_log: Path | None = None
) -> KbMcp:
    """The MCP server over the knowledge base `kb()` returns (called per request, so a
    rebuilt index is picked up as `kb serve` does); `search_log` (KB_SEARCH_LOG) is what
    `plan_barcamp` reads demand from."""
    links = links or NO_LINKS
    server = KbMcp(kb)

    def base() -> Facade:
        with _checked():  # no index: what to run on the server, as the API says
            return kb()

    def linked(path: str) -> dict[str, str | None]:
        return {
            "link": resource_uri(path),
            "app_url": links.app_url(path) or None,
            "edit_url": links.edit_url(path) or None,
        }

    # Each tool returns the codec's dict under a model's name (kb.serve.responses): the SDK
    # checks each answer against it (its output schema) and sends the dict itself as the text.
    @server.tool(annotations={"readOnlyHint": True})
    def search_docs(
        query: Query,
        k: Annotated[int, Field(ge=1, le=50), Whole] = 5,
        department: FilterValue = "",
        team: Teams = "",
        tag: FilterValue = "",
        author: FilterValue = "",
        since: Annotated[str, Field(description="Only pages updated on or after (YYYY-MM-DD).")]
        | None = None,
    ) -> FoundDocs:
        """Search the documentation. Returns the best sections, relevant ones first: each
        with its page title, heading path, link, snippet, the sentence that answers
        (`answer`), whether it answers (`relevant`, `confidence` 0-1) and its authors.
        `answered` is false when no section answers well: say so rather than guess.
        `colleagues_named`: the colleagues the question names in full; `get_person` lists
        what each wrote (a question about a colleague is answered there, not by a page).
        Filters (department, team, tag, author) take the values list_facets gives; `team`
        may be a list (pages of any of those teams)."""
        facade = base()
        with _checked():
            filters = checked_filters(
                facade,
                department=department,
                team=team,
                tag=tag,
                author=author,
                since=_date(since),
            )
            found = facade.search(query_text(query), k=k, filters=filters)
        directory = Directory.recorded(facade.manifest)  # authors who left or are leaving
        results = [
            hit_record(h, found.corrected, directory=directory) | linked(h.chunk.path)
            for h in found
        ]
        return {
            "query": found.query,
            "corrected_query": found.corrected or None,
            "answered": bool(found.relevant),
            "results": results,
            "relevant_elsewhere": dict(found.elsewhere),
            # As the CLI and the app say it ("Tomasz Nowak wrote pages here"): asked what a
            # colleague does, an assistant was told only that nothing answers (a trial).
            "colleagues_named": named_in(found.query, facade.people()),
        }

    @server.tool(annotations={"readOnlyHint": True})
    def who_knows(
        query: Query,
        k: Annotated[int, Field(ge=1, le=20), Whole] = 5,
        team: Teams = "",
        department: FilterValue = "",
    ) -> KnownPeople:
        """The colleagues who wrote what answers `query`, best first, with the sections that
        show it, their role, contact and what they are available for (mentoring, coffee…).
        Someone who has left the company has `left` (the day), no contact or availability,
        and comes after everyone still here: they wrote it, but cannot be asked. Someone
        who has given notice has `leaves` (the day to come): ask them before then.
        `experts` is empty when no one has written about it. `weak_evidence` is true when
        even the best expert's section only barely answers (`confidence` under 2/3): they
        are the closest authors, not people known to know it; say so rather than call them
        experts. `corrected_query`: the question asked when a misspelled word was corrected
        (null otherwise). `team`/`department`: only people whose home is there (`team` may be
        a list: any of those teams)."""
        facade = base()
        with _checked():
            checked = checked_filters(facade, department=department, team=team)
            people = facade.experts(
                query_text(query), k=k, team=checked.team, department=checked.department
            )
        records = expert_records(people)
        for record in records:
            for ev in record["evidence"]:
                ev.update(linked(ev["path"]))
        weak = any(r["weak_evidence"] for r in records)  # the same on every record
        said = {"query": query, "corrected_query": people.corrected or None, "weak_evidence": weak}
        return said | {"experts": records}

    @server.tool(annotations={"readOnlyHint": True})
    def get_page(
        page: Annotated[
            str,
            Field(
                min_length=1,
                max_length=1000,
                description="The page's path (e.g. finance/expense-policy.md), its kb://page/ "
                "link, or an app link with ?page=.",
            ),
        ],
    ) -> PageRecord:
        """A whole page as Markdown, with its title, team, department, authors and dates."""
        path = page_path(page)
        found = base().page(path) if path else None
        if found is None:
            raise ToolError(f"no page {page!r} in this index; search_docs gives page links")
        record = dump(found)
        record["authors"] = [a["name"] for a in record["authors"]]
        record["markdown"] = record.pop("body")
        return record | linked(found.path)

    @server.tool(annotations={"readOnlyHint": True})
    def get_person(
        name: Annotated[str, Field(min_length=1, max_length=200, description="Name or alias.")],
    ) -> Person:
        """A colleague's profile: what they wrote (pages, topics), team, role, contact,
        availability, and colleagues across the IT/business divide to meet."""
        facade = base()
        try:  # a first name too, as `kb person` and /people/{name} take it
            profile = profile_called(name, facade.profile, facade.people())
        except UnknownPersonError as err:
            raise ToolError(str(err)) from None
        return person_record(profile, facade.partners(profile.name))

    @server.tool(annotations={"readOnlyHint": True})
    def find_pairs(
        kind: Annotated[str, Field(pattern=f"^({'|'.join(KINDS)})$")] = "tandem",
        round: Annotated[int, Field(ge=0, le=MAX_ROUND), Whole] = 0,
        team: Annotated[
            list[str],
            Field(max_length=20, description="Only pairs with someone of these teams."),
        ] = [],  # noqa: B006 (a JSON schema default)
        new: Annotated[
            bool, Field(description="Leave out every pair of rounds 0 to round - 1 (the app's).")
        ] = False,
        today: Annotated[
            str,
            Field(
                max_length=40,
                description="The day the round starts (YYYY-MM-DD; default today): who has "
                "left, leaves before it ends or has not started yet is judged on it.",
            ),
        ]
        | None = None,
    ) -> Pairs:
        """One round of pairs across IT and business: `tandem` (learning tandems, each
        teaches the other), `mentoring`, `coffee`, `shadowing` (a working day beside a host
        from the other side) or `reverse-mentoring` (the more junior one mentors), each with
        the reason. The same round number gives the same pairs (`kb pairs --round`); with
        `new`, round N leaves out the pairs of rounds 0 to N-1, as the app's *New pairs
        only* (up to round 100). `team` (values from list_facets): every pair has someone of
        those teams, and the other department's side is anyone ("coffee for finance with
        anyone from IT")."""
        if new and round > MAX_NEW_ROUND:
            raise ToolError(f"new pairs go to round {MAX_NEW_ROUND}; round={round}")
        started = _event_day(today, "today")
        facade = base()
        with _checked():
            teams = checked_teams(facade, team)
            pairing = facade.pairs(kind, seed=round, new=new, today=started, teams=teams)
        return dump(pairing) | {"round": pairing.seed}

    @server.tool(annotations={"readOnlyHint": True})
    def build_team(
        description: Annotated[
            str, Field(min_length=1, max_length=MAX_QUERY, description="The project, in words.")
        ],
        size: Annotated[int, Field(ge=1, le=20), Whole] = 4,
        require: Annotated[
            list[str],
            Field(max_length=20, description="FIELD=VALUE:N, e.g. department=IT:1"),
        ] = [],  # noqa: B006 (a JSON schema default)
        max_per_team: Annotated[int | None, Field(ge=1, le=50), Whole] = None,
        level_mix: bool = False,
        timezone_within: Annotated[float | None, Field(ge=0, le=26), Decimal] = None,
        languages: Annotated[str, Field(max_length=200, description="e.g. de,en")] = "",
        balance: Annotated[list[str], Field(max_length=10, description="e.g. private.gender")] = [],  # noqa: B006
    ) -> Team:
        """A cross-functional team for a project: members from both sides, who covers which
        part, the parts no one in the docs covers, and whether each criterion set in advance
        holds (balance as aggregate counts only)."""
        with _checked():
            criteria = team_criteria(
                require=require,
                max_per_team=max_per_team,
                level_mix=level_mix,
                timezone_within=timezone_within,
                languages=languages,
                balance=balance,
            )
            return dump(base().team(query_text(description), size=size, criteria=criteria))

    @server.tool(annotations={"readOnlyHint": True})
    def plan_barcamp(
        slots: Annotated[int, Field(ge=1, le=20), Whole] = 4,
        rooms: Annotated[int, Field(ge=1, le=20), Whole] = 2,
        date: Annotated[
            str,
            Field(
                max_length=40,
                description="The day it is held (YYYY-MM-DD; default the next working day): "
                "no one who has left by then speaks or is invited.",
            ),
        ]
        | None = None,
    ) -> BarcampPlan:
        """A proposed internal barcamp: topics people searched for without a good answer and
        topics resting on one person, each with a speaker who knows it, a title (the page's
        when it answers the searches, else the searches' own words) and an audience from
        the other department; no speaker twice in one slot."""
        held = _event_day(date)
        with _checked():
            return dump(base().barcamp(slots=slots, rooms=rooms, log=search_log, day=held))

    @server.tool(annotations={"readOnlyHint": True})
    def onboarding_plan(
        name: Annotated[str, Field(min_length=1, max_length=200, description="Who joins.")],
        team: Annotated[str, Field(min_length=1, max_length=200, description="Their team.")],
    ) -> Onboarding:
        """A new joiner's reading path through a team's pages (the pages the team's pages link
        to first, stale ones last and marked) and the people to meet: a buddy in the team, a
        colleague across the IT/business divide, and the owners of the systems the team uses."""
        with _checked():
            found = checked_filters(base(), team=query_text(team, "team")).team
            return dump(base().onboard(query_text(name, "name"), team=found, today=dt.date.today()))

    @server.tool(annotations={"readOnlyHint": True})
    def list_facets() -> Facets:
        """The values search_docs' filters take: departments, teams, tags and authors."""
        return base().facets()

    @server.resource("kb://page/{+path}", name="page", title="A kb page", mime_type="text/markdown")
    def read_page(path: str) -> str:
        """A page of the documentation as Markdown, with its title as heading."""
        try:
            found = kb().page(page_path(resource_uri(path)))
        except KbError as err:
            raise ResourceError(public_message(err)) from None
        if found is None:
            raise ResourceNotFoundError(f"no page {path!r} in this index")
        # kb's pages open with their title as a heading; one without it gets it here.
        if found.body.lstrip().startswith("# "):
            return found.body.lstrip()
        return f"# {found.title}\n\n{found.body}"

    return server


class _checked:
    """Turns kb's input errors into tool errors (shown to the assistant), never a crash."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, err, tb) -> bool:
        if isinstance(err, (UnknownValueError, BlankQueryError, CriteriaError)):
            raise ToolError(str(err)) from None
        if isinstance(err, KbError):
            raise ToolError(public_message(err)) from None
        return False


def _cut(text: str) -> str:
    """Input said back in an error: as shown and at most 40 characters."""
    shown = plain(text)
    return shown if len(shown) <= 40 else shown[:40] + "…"


def _date(text: str | None) -> dt.date | None:
    try:
        return day(text or "")
    except ValueError:
        raise ToolError(f"since must be a date like 2026-01-31, not '{_cut(text or '')}'") from None


def _event_day(text: str | None, name: str = "date") -> dt.date | None:
    """The day `kb barcamp --date` and `kb pairs --today` take: YYYY-MM-DD (`kb.inputs.day`;
    `strptime` read `2026-1-5` too)."""
    try:
        return day(text or "")
    except ValueError:
        said = _cut(text or "")
        raise ToolError(f"{name} must be a day like 2026-01-31, not '{said}'") from None


def bearer_guard(app, token: str):
    """The ASGI app `app`, answering 401 to an HTTP request without `Bearer <token>` (the
    same rule as `kb serve`: scheme case-insensitive, token compared in constant time)."""

    async def guarded(scope, receive, send) -> None:
        if scope["type"] == "http" and token:
            headers = dict(scope.get("headers") or [])
            given = headers.get(b"authorization", b"").decode("utf-8", "surrogateescape")
            if not bearer_ok(given, token):
                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"www-authenticate", b"Bearer"),
                        ],
                    }
                )
                body = b'{"detail": "missing or wrong bearer token"}'
                await send({"type": "http.response.body", "body": body})
                return
        await app(scope, receive, send)

    return guarded


def http_app(server: MCPServer, *, token: str, host: str):
    """Streamable HTTP at /mcp, stateless (any replica answers any request), guarded by
    `token` when one is set."""
    app = server.streamable_http_app(stateless_http=True, json_response=True, host=host)
    return bearer_guard(app, token)
