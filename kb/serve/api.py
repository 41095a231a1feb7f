"""`kb serve`: a stateless HTTP API over an index. FastAPI is imported here and nowhere else.

Every route is in this one module, so it runs past 300 lines: each route is a few lines
that check input (`kb.inputs`), call a facade verb and encode (`kb.serve.codec`).

All state is in the index (a folder or a Milvus collection): a replica loads it on first use
and again whenever a build publishes a new one, so several replicas behind a load balancer
answer alike. The public routes (`/search`, `/experts`, `/people/{name}`) print what the
CLI's `--json` prints; the `/app` routes return whole value types, so the Streamlit app runs
on the API (`kb.serve.client`) as it runs on the library. Both take the same parameter types
and check input with `kb.inputs` (4xx with a message, never 500); every shape is
`kb.serve.codec`'s. With a token (`KB_API_TOKEN`), every request must carry
`Authorization: Bearer <token>`, except the docs (`/docs`, served with Swagger UI's files
from the `fastapi-offline` package, no CDN) and `/openapi.json`: a browser sends no token
when it opens a page, and both describe only the API's shape, the same in every deployment.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, get_args, get_origin

import fastapi_offline
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.security import HTTPBearer
from pydantic import BaseModel, BeforeValidator
from starlette.convertors import PathConvertor, register_url_convertor

from kb.backends.location import IndexLocation
from kb.config import EXPERT_MODELS
from kb.content.departments import BUSINESS, IT
from kb.errors import KbError, UnknownPersonError
from kb.facade import Facade
from kb.index.manifest import read_before
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
from kb.links import NO_LINKS, PageLinks
from kb.models import Directory, Filters, Profile
from kb.models.shown import plain
from kb.people.analysis import MAX_NEW_ROUND
from kb.people.pairing import KINDS
from kb.serve.auth import bearer_ok
from kb.serve.codec import BUILD_HEADER, dump, expert_records, hit_records, person_record
from kb.serve.loaded import LoadedIndex, public_message
from kb.serve.params import Decimal, Whole
from kb.serve.responses import ExpertRecord, Facets, Health, Person, SearchHit

MODES = ("hybrid", "dense", "bm25")


def _one_of(values: tuple[str, ...], *, blank: bool = False):
    """A parameter that is one of `values` (or empty, for the knowledge base's default)."""
    return Query(pattern=f"^({'|'.join(values)}{'|' if blank else ''})$")


Text = Annotated[str, Query(min_length=1, max_length=MAX_QUERY, description="What to look for.")]
Count = Annotated[int, Query(ge=1, le=100), Whole]
Field = Annotated[str, Query(max_length=200)]
# Any of several values: `?team=finance&team=sales` ("who in Finance or Sales", a trial).
Fields = Annotated[list[str], Query(max_length=20)]
Mode = Annotated[str, _one_of(MODES)]
# A day as every shell reads one (`kb.inputs.day`, YYYY-MM-DD): pydantic's own reading took a
# number as seconds since 1970 (`since=0` was 1 January 1970, every page; `today=-86400`).
Day = Annotated[dt.date | None, BeforeValidator(lambda v: day(v) if isinstance(v, str) else v)]
ModeOrDefault = Annotated[str, _one_of(MODES, blank=True)]
Kind = Annotated[str, _one_of(KINDS)]
Model = Annotated[str, _one_of(EXPERT_MODELS, blank=True)]
Side = Annotated[str, _one_of((IT, BUSINESS), blank=True)]
# Swagger UI's own files (5.x: FastAPI writes OpenAPI 3.1, which Swagger UI 4 refuses),
# served from the installed `fastapi-offline` package: the docs page loads nothing from
# another host (a CDN would see every visit, and an offline network gets a blank page).
_SWAGGER = Path(fastapi_offline.__file__).parent / "static"
DOCS_ASSETS = {
    "/docs/swagger-ui-bundle.js": "swagger-ui-bundle.js",
    "/docs/swagger-ui.css": "swagger-ui.css",
    "/docs/favicon.png": "favicon.png",
}
# /ready: a load balancer's or orchestrator's probe sends no token; it says only whether
# this replica answers, never what the index holds (that is /health, behind the token).
PUBLIC_PATHS = {"/docs", "/openapi.json", "/ready", *DOCS_ASSETS}


def create_app(
    where: IndexLocation | Path,
    *,
    token: str = "",
    search_log: Path | None = None,
    links: PageLinks | None = None,
) -> FastAPI:
    """The API over an index (a folder, or any `IndexLocation`); with `token`, every request
    needs it as a bearer token; `search_log` keeps the searches the app logs, for the gap
    report; `links` gives each hit its page's edit link."""
    index = LoadedIndex(
        where if isinstance(where, IndexLocation) else IndexLocation(index_dir=where), search_log
    )
    # Declared so the OpenAPI document names the scheme and /docs offers "Authorize"; the
    # check itself is the middleware below (constant time, one place, every route).
    bearer = HTTPBearer(auto_error=False, description="The server's KB_API_TOKEN.")

    app = FastAPI(
        title="kb",
        summary="Search a team's Markdown docs and find who knows about a topic.",
        docs_url=None,  # served below, from local files
        redoc_url=None,  # ReDoc loads its script and fonts from CDNs
        dependencies=[Depends(_known_parameters), *([Depends(bearer)] if token else [])],
        # Every route may answer these; the document named only 200 and 422 (a trial).
        responses={
            503: _said("No index loaded, or it cannot be read: the message says what to run"),
            **({401: _said("The bearer token is missing or wrong")} if token else {}),
        },
    )

    @app.middleware("http")
    async def authorised(request: Request, call_next):
        # Middleware, not a dependency: every route is guarded, whichever way it was added.
        guarded = token and request.url.path not in PUBLIC_PATHS
        if guarded and not bearer_ok(request.headers.get("authorization", ""), token):
            return JSONResponse(
                {"detail": "missing or wrong bearer token"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        return await call_next(request)

    @app.exception_handler(KbError)
    async def kb_error(request: Request, err: KbError) -> JSONResponse:
        # The full message (with the server's paths) goes to the server's log only.
        logging.getLogger("kb.serve.api").error("%s", err)
        return JSONResponse({"detail": public_message(err)}, status_code=503)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, err: RequestValidationError) -> JSONResponse:
        # FastAPI's answer, with what was sent cut short: a 100 KB query came back whole.
        return JSONResponse({"detail": _cut(jsonable_encoder(err.errors()))}, 422)

    # Every 422 has FastAPI's shape, a list of {type, loc, msg, input}, kb's own checks too:
    # a script reads one shape for one status (a trial got a list for `q=` and a string for
    # `q=%20`). 400, 404 and 503 say one message.
    @app.exception_handler(BlankQueryError)
    async def blank(request: Request, err: BlankQueryError) -> JSONResponse:
        said = f"{err.param} is blank; say what you are looking for"
        given = request.query_params.get(err.param, "")
        return _invalid("blank", ["query", err.param], said, given)

    @app.exception_handler(CriteriaError)
    async def criteria(request: Request, err: CriteriaError) -> JSONResponse:
        return _invalid("criterion", ["query"], str(err), None)

    @app.exception_handler(UnknownValueError)
    async def unknown(request: Request, err: UnknownValueError) -> JSONResponse:
        # The values it could be, as the CLI lists them (UnknownValueError's message).
        return JSONResponse({"detail": _cut(f"{err.field} {err}")}, 400)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title="kb API",
            swagger_js_url="/docs/swagger-ui-bundle.js",
            swagger_css_url="/docs/swagger-ui.css",
            swagger_favicon_url="/docs/favicon.png",
            # Swagger UI would otherwise send the document to validator.swagger.io.
            swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": False},
        )

    @app.api_route("/ready", methods=["GET", "HEAD"], include_in_schema=False)
    def ready() -> JSONResponse:
        """200 once a build answers; 503 with why not (loading, what to run), at once."""
        why = index.ready()
        return JSONResponse({"detail": why} if why else {"status": "ready"}, 503 if why else 200)

    for url, name in DOCS_ASSETS.items():
        app.add_api_route(url, _asset(_SWAGGER / name), include_in_schema=False, methods=["GET"])

    # The /app routes come between /experts and /people/{name}, as they always have (the
    # order of the OpenAPI document).
    routes = _public_routes(
        index.get, _app_routes(_naming_build(index), search_log), links or NO_LINKS, index.status
    )
    app.include_router(routes)
    return app


class _AnyPath(PathConvertor):
    """A page's path, which may hold a line break (Starlette's `path` is `.*`, which stops
    at one: such a page was found by /search and not opened; a hostile trial)."""

    regex = r"[\s\S]*"


register_url_convertor("anypath", _AnyPath())

_ECHOED = 200  # characters of a rejected value said back


def _cut(value: object) -> object:
    """`value` (a validation error's JSON) with every string longer than `_ECHOED` cut, and
    as shown (`plain`: no bidi control or escape sequence said back)."""
    if isinstance(value, str):
        value = plain(value)
    if isinstance(value, str) and len(value) > _ECHOED:
        return value[:_ECHOED] + f"… ({len(value):,} characters)"
    if isinstance(value, list):
        return [_cut(v) for v in value]
    if isinstance(value, dict):
        return {k: _cut(v) for k, v in value.items()}
    return value


def _invalid(kind: str, loc: list[str], message: str, given: object) -> JSONResponse:
    """A 422 in FastAPI's own shape, for a check of kb's."""
    error = {"type": kind, "loc": loc, "msg": message, "input": given}
    return JSONResponse({"detail": _cut([error])}, 422)


# Unknown parameters named one by one in a 422: a request of 3,000 got 0.5 MB back.
_NAMED = 10


def _known_parameters(request: Request) -> None:
    """A query parameter the route does not take is an error, not ignored: `/experts?author=`
    answered everyone, unfiltered, and the script never knew (a trial)."""
    route = request.scope.get("route")
    if not getattr(route, "include_in_schema", False) or not hasattr(route, "dependant"):
        return  # the docs page and its files: a browser may add what it likes
    known = _query_names(route.dependant)
    unknown = [name for name in request.query_params if name not in known]
    if unknown:
        takes = ", ".join(sorted(known)) or "no parameters"
        errors = [
            {
                "type": "unknown_parameter",
                "loc": ["query", name],
                "msg": f"{route.path} does not take '{name}'; it takes {takes}",
                "input": request.query_params[name],
            }
            for name in unknown[:_NAMED]
        ]
        if len(unknown) > _NAMED:  # one more error of the same shape says how many
            more = len(unknown) - _NAMED
            errors.append(
                {
                    "type": "unknown_parameter",
                    "loc": ["query"],
                    "msg": f"and {more:,} more parameters {route.path} does not take",
                    "input": None,
                }
            )
        raise RequestValidationError(errors)
    # One value given twice is an error too: `/search?q=vpn&q=okta` searched "okta" alone,
    # silently (a trial). A parameter that takes a list (`balance`) may repeat.
    counts = Counter(name for name, _ in request.query_params.multi_items())
    once = known - _list_names(route.dependant)
    twice = [name for name, n in counts.items() if n > 1 and name in once]
    if twice:
        raise RequestValidationError(
            [
                {
                    "type": "repeated_parameter",
                    "loc": ["query", name],
                    "msg": f"'{name}' is given {counts[name]:,} times; {route.path} takes one",
                    "input": request.query_params.getlist(name)[:2],
                }
                for name in twice[:_NAMED]
            ]
        )


def _list_names(dependant) -> set[str]:
    """The query parameters of a route that take a list (may be given more than once)."""
    names = set()
    for param in dependant.query_params:
        annotation = getattr(param.field_info, "annotation", None)
        kinds = (annotation, *get_args(annotation))
        if any(get_origin(a) in (list, tuple, set, frozenset) for a in kinds):
            names.add(param.alias)
    for sub in dependant.dependencies:
        names |= _list_names(sub)
    return names


def _query_names(dependant) -> set[str]:
    """The query parameters a route reads, its dependencies' included."""
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def _naming_build(index: LoadedIndex) -> Callable[[Response], Facade]:
    """The loaded index, for the `/app` routes: each answer names its build (`BUILD_HEADER`),
    so the client knows when the server has loaded a new one."""

    def answering(response: Response) -> Facade:
        base = index.get()
        response.headers[BUILD_HEADER] = base.build
        return base

    return answering


class Message(BaseModel):
    """A 400, 401, 404 or 503: one message saying what is wrong and what to do."""

    detail: str


def _said(description: str) -> dict:
    """An error answer as the OpenAPI document names it (`responses=`)."""
    return {"model": Message, "description": description}


# The filters' values are checked against the index: a 400 lists the known ones.
_FILTERED = {400: _said("A filter value the index does not hold; the known ones are listed")}


def _asset(path: Path) -> Callable[[], FileResponse]:
    def send() -> FileResponse:
        return FileResponse(path)

    return send


def _public_routes(
    kb: Callable[[], Facade],
    app_routes: APIRouter,
    links: PageLinks,
    status: Callable[[], dict] = dict,
) -> APIRouter:
    """`/health`, `/search`, `/experts` and `/people/{name}`: the CLI's `--json` shapes."""
    routes = APIRouter()
    Base = Annotated[Facade, Depends(kb)]

    # Only the fields an answer holds are sent (`newer_build`, `read_before` at times).
    @routes.get("/health", response_model=Health, response_model_exclude_unset=True)
    def health(base: Base) -> dict:
        """Whether an index is loaded, and what it holds; whether a newer build is loading
        (`loading`), and why the newest could not be loaded (`newer_build`, only then: this
        build answers meanwhile, and a monitor can tell a stale server); `read_before`, only
        when another kb's secret detection or consent reading read its pages, what to run."""
        counts = base.manifest.counts
        before = read_before(base.manifest)
        return {
            "status": "ok",
            "pages": counts.documents,
            "chunks": counts.chunks,
            "built_at": base.manifest.built_at,
            **status(),
            **({"read_before": before} if before else {}),
        }

    @routes.head("/health", include_in_schema=False)
    def health_head(base: Base) -> Response:
        """`/health` for monitors and load balancers that check with HEAD: 200 when an
        index is loaded, as GET (503 when none is)."""
        return Response()

    @routes.get("/search", responses=_FILTERED, response_model=list[SearchHit])
    def search(
        base: Base,
        q: Text,
        k: Count = 10,
        mode: Mode = "hybrid",
        department: Field = "",
        team: Fields = [],  # noqa: B006 (FastAPI copies a default; it reads a list so)
        tag: Field = "",
        author: Field = "",
        since: Day = None,
        exact: bool = False,
    ) -> list[dict]:
        """Ranked sections for `q`, the relevant ones first, with relevance, snippets and
        authors (each hit's `corrected_query`: the query searched, if spelling changed it;
        `exact=true` searches `q` as typed); `team` may be repeated (any of those teams)."""
        filters = checked_filters(
            base, department=department, team=team, tag=tag, author=author, since=since
        )
        found = base.search(query_text(q), k=k, filters=filters, mode=mode, exact=exact)
        return hit_records(found, links, Directory.recorded(base.manifest))

    @routes.get("/experts", responses=_FILTERED, response_model=list[ExpertRecord])
    def experts(
        base: Base,
        q: Text,
        k: Count = 5,
        mode: Mode = "hybrid",
        department: Field = "",
        team: Fields = [],  # noqa: B006 (FastAPI copies a default; it reads a list so)
        tag: Field = "",
        since: Day = None,
        exact: bool = False,
    ) -> list[dict]:
        """The people who wrote what answers `q` (none when nothing does), with the sections
        that show it; `team` may be repeated (people of any of those teams)."""
        checked_filters(base, department=department, team=team)  # validates the names
        filters = checked_filters(base, tag=tag, since=since)
        people = base.experts(
            query_text(q),
            k=k,
            filters=filters,
            team=team,
            department=department,
            mode=mode,
            exact=exact,
        )
        return expert_records(people)

    @routes.get("/facets", response_model=Facets)
    def facets(base: Base) -> dict[str, list[str]]:
        """The values the filters take: departments, teams, tags and authors (no one
        hidden), as MCP's list_facets: a client offering "filter by team" read them only
        from a 400's list, cut short, or from an /app route that may change (a developer's
        trial)."""
        return base.facets()

    routes.include_router(app_routes)

    # `anypath`: a name may be a people.yaml contact, and a URL one holds slashes (as typed
    # or %2F-encoded, which the router sees decoded).
    @routes.get(
        "/people/{name:anypath}",
        responses={404: _said("No one by that name")},
        response_model=Person,
    )
    def person(base: Base, name: str) -> dict:
        """What a person wrote: topics, pages, teams, role, availability, colleagues across.
        `name`: a name, alias or people.yaml contact (an email, handle or URL)."""
        profile = _profile(base, name)
        return person_record(profile, base.partners(profile.name))

    return routes


def _profile(base: Facade, name: str) -> Profile:
    try:  # said back cut short, as a rejected value is (no one's name is 200 characters)
        return profile_called(name, base.profile, base.people(), said=_cut(name))
    except UnknownPersonError as err:  # the names like it, as `kb person` gives them
        raise HTTPException(404, str(err)) from None


def _app_routes(kb: Callable[..., Facade], search_log: Path | None) -> APIRouter:
    """The `/app` routes: kb's value types whole, for `kb.serve.client`.

    The app's searches are logged (`POST /app/log`, once someone settles on one, not at each
    pause in typing) in the server's search log (KB_SEARCH_LOG there), the one its gap
    report reads.
    """
    routes = APIRouter(prefix="/app", tags=["app"])
    Base = Annotated[Facade, Depends(kb)]

    def filters(
        base: Base,
        department: Field = "",
        team: Fields = [],  # noqa: B006 (FastAPI copies a default; it reads a list so)
        tag: Field = "",
        author: Field = "",
        since: Day = None,
    ) -> Filters:
        return checked_filters(
            base, department=department, team=team, tag=tag, author=author, since=since
        )

    Picked = Annotated[Filters, Depends(filters)]

    @routes.get("/manifest")
    def manifest(base: Base) -> dict:
        """What the index holds: counts, when it was built, its model."""
        m = base.manifest.as_dict()
        return {k: m.get(k) for k in ("counts", "built_at", "model") if k in m}

    @routes.get("/facets")
    def facets(base: Base) -> dict[str, list[str]]:
        return base.facets()

    @routes.get("/facet-counts")
    def facet_counts(base: Base, picked: Picked) -> dict[str, dict[str, int]]:
        """Pages the filters allow, by each value of each filter."""
        return base.facet_counts(picked)

    @routes.get("/overview")
    def overview(base: Base, picked: Picked, top: Count = 6) -> dict:
        """A start page: newest and review-due pages, example questions, and the most
        searched on this server (KB_SEARCH_LOG)."""
        found = base.overview(filters=picked, today=dt.date.today(), log=search_log, top=top)
        return dump(found)

    @routes.get("/people")
    def people(base: Base) -> list[str]:
        return base.people()

    @routes.get("/search")
    def search(
        base: Base,
        picked: Picked,
        q: Text,
        k: Count = 10,
        mode: ModeOrDefault = "",
        log: bool = False,
        exact: bool = False,
    ) -> dict:
        """The `Results` (hits, corrected query, relevant pages outside the filters). `log`:
        recorded in the server's log too (the app logs with `/app/log` instead)."""
        found = base.search(query_text(q), k=k, filters=picked, mode=mode, log=log, exact=exact)
        return dump(found)

    @routes.post("/log")
    def log_search(base: Base, picked: Picked, q: Text, exact: bool = False) -> bool:
        """Someone settled on the search `q` (the app: Enter, a result opened, or a pause):
        recorded once in the server's search log (false when the server keeps none)."""
        return base.log_search(query_text(q), filters=picked, exact=exact)

    @routes.post("/missing")
    def missing(base: Base, picked: Picked, q: Text) -> bool:
        """Someone says no page answers `q`: recorded in the server's search log for the gap
        report (false when the server keeps none)."""
        return base.report_missing(query_text(q), filters=picked)

    @routes.get("/experts")
    def experts(
        base: Base,
        picked: Picked,
        q: Text,
        k: Count = 5,
        mode: ModeOrDefault = "",
        model: Model = "",
        across_from: Side = "",
        exact: bool = False,
        home_team: Fields = [],  # noqa: B006 (FastAPI copies a default; it reads a list so)
        home_department: Field = "",
    ) -> dict:
        """The `Experts` (people, corrected query). `across_from`: the asker's side; only
        people of the other side are listed.
        `home_team`, `home_department`: only people of that home team or department (as
        `/experts`' `team` and `department`; `team` and `department` here choose pages)."""
        checked_filters(base, department=home_department, team=home_team)  # known names
        people = base.experts(
            query_text(q),
            k=k,
            filters=picked,
            team=home_team,
            department=home_department,
            across_from=across_from,
            mode=mode,
            model=model,
            exact=exact,
        )
        return dump(people)

    @routes.get("/loosen")
    def loosen(base: Base, picked: Picked, q: Text) -> list[str]:
        """The filters whose removal alone would give results."""
        return base.loosen(query_text(q), picked)

    @routes.get("/profiles/{name:anypath}")
    def profile(base: Base, name: str) -> dict:
        return dump(_profile(base, name))

    @routes.get("/partners/{name:anypath}")
    def partners(base: Base, name: str) -> list:
        # Of whom the name means, as the profile is (a first name alone asked for no one's),
        # and a 404 for a name no one in the index goes by.
        return dump(base.partners(_profile(base, name).name))

    @routes.get("/pairs")
    def pairs(
        base: Base,
        kind: Kind = "tandem",
        seed: Annotated[int, Query(ge=0, le=MAX_ROUND), Whole] = 0,
        new: bool = False,
        today: Day = None,
        team: Fields = [],  # noqa: B006 (FastAPI copies a default; it reads a list so)
    ) -> dict:
        """A round of pairs started on `today` (default: the server's day; `left:` is judged
        on it, as `kb pairs --today`); with `new=true`, round `seed` leaves out the pairs of
        rounds 0 to seed - 1, as the app's rounds do (at most round 100); `team` (repeated:
        any of them) limits it to pairs with someone of those teams, as `kb pairs --team`."""
        if new and seed > MAX_NEW_ROUND:
            raise HTTPException(422, f"new pairs go to round {MAX_NEW_ROUND}; seed={seed}")
        teams = checked_teams(base, team)
        return dump(base.pairs(kind, seed=seed, new=new, today=today, teams=teams))

    @routes.get("/team")
    def team(
        base: Base,
        q: Text,
        size: Annotated[int, Query(ge=1, le=20), Whole] = 4,
        require: Annotated[list[str], Query(max_length=20)] = [],  # noqa: B006 (FastAPI)
        max_per_team: Annotated[int | None, Query(ge=1, le=50), Whole] = None,
        level_mix: bool = False,
        timezone_within: Annotated[float | None, Query(ge=0, le=26), Decimal] = None,
        languages: Field = "",
        balance: Annotated[list[str], Query(max_length=10)] = [],  # noqa: B006 (FastAPI)
    ) -> dict:
        """A team for a project; criteria as `kb team` takes them (docs/people.md)."""
        criteria = team_criteria(
            require=require,
            max_per_team=max_per_team,
            level_mix=level_mix,
            timezone_within=timezone_within,
            languages=languages,
            balance=balance,
        )
        return dump(base.team(query_text(q), size=size, criteria=criteria))

    @routes.get("/barcamp")
    def barcamp(
        base: Base,
        slots: Annotated[int, Query(ge=1, le=20), Whole] = 4,
        rooms: Annotated[int, Query(ge=1, le=20), Whole] = 2,
        date: Day = None,
    ) -> dict:
        """A proposed barcamp held on `date` (default: the next working day), with the
        searches logged on this server (KB_SEARCH_LOG)."""
        return dump(base.barcamp(slots=slots, rooms=rooms, log=search_log, day=date))

    @routes.get("/onboard")
    def onboard(base: Base, name: Text, team: Field) -> dict:
        """A new joiner's reading path in a team and the people to meet."""
        team = checked_filters(base, team=query_text(team, "team")).team
        return dump(base.onboard(query_text(name, "name"), team=team, today=dt.date.today()))

    @routes.get("/gaps")
    def gaps(base: Base, top: Count = 20) -> dict:
        """The gap report, with the searches logged on this server (KB_SEARCH_LOG)."""
        return dump(base.gaps(today=dt.date.today(), log=search_log, top=top))

    @routes.get("/titles")
    def titles(base: Base) -> dict[str, str]:
        """Every page's title, by path."""
        return base.titles()

    @routes.get("/pages/{path:anypath}")
    def page(base: Base, path: str) -> dict:
        found = base.page(path)
        if found is None:
            raise HTTPException(404, f"no page {_cut(path)!r} in this index")
        return dump(found)

    return routes
