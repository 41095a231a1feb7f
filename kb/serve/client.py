"""A knowledge base over HTTP: the `kb.facade.Facade` verbs, answered by `kb serve`'s `/app` routes.

The Streamlit app runs on the library by default; with `KB_API_URL` it uses this instead and
loads neither the model nor the index (the API's replicas do). Only the standard library
talks HTTP here.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from kb.errors import KbError
from kb.models import (
    Barcamp,
    Experts,
    Filters,
    GapReport,
    Manifest,
    OnboardingPlan,
    Overview,
    Page,
    Pair,
    Pairing,
    Profile,
    Results,
    TeamCriteria,
    TeamProposal,
)
from kb.models.shown import without_passwords
from kb.serve.codec import BUILD_HEADER, criteria_params, load

TIMEOUT = 60  # seconds: a first request may wait for a replica to load its index
DEFAULT_PORTS = {"http": 80, "https": 443}


class ApiError(KbError):
    """The API could not be reached, or refused a request."""


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or DEFAULT_PORTS.get(scheme)


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects within the API's origin only; refuse any other.

    urllib copies every header, the bearer token included, to wherever a redirect points.
    Dropping only the token would still send the query (search text, names) to the other
    origin, and a redirect from http:// to https:// means the token already crossed in clear:
    the fix is the right KB_API_URL, so say it.
    """

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if _origin(newurl) != _origin(req.full_url):
            raise ApiError(
                f"the kb API at {_origin_text(req.full_url)} redirected to another origin "
                f"({_origin_text(newurl)}); kb sends its token to one origin only: set "
                "KB_API_URL to the API's final address"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _origin_text(url: str) -> str:
    scheme, host, port = _origin(url)
    return f"{scheme}://{f'[{host}]' if ':' in host else host}:{port}"


_OPENER = urllib.request.build_opener(_SameOriginRedirects)


class RemoteKnowledgeBase:
    """The `kb.facade.Facade` verbs, answered by a kb API at `url`."""

    def __init__(self, url: str, token: str = "") -> None:
        self.url = url.rstrip("/")
        self._token = token
        self._manifest: Manifest | None = None
        self._build: str | None = None  # as the last answer named it

    @property
    def manifest(self) -> Manifest:
        """The counts, build time and model of the index the API serves (nothing more); asked
        again once an answer comes from another build."""
        if self._manifest is None:
            self._manifest = Manifest.from_dict(self.get("/app/manifest"))
        return self._manifest

    @property
    def build(self) -> str:
        """The build the API answered from last (each answer names it, so a build the server
        has loaded since is known from its next answer on); an API that names none: the
        build time of its manifest."""
        manifest = self.manifest
        return manifest.built_at if self._build is None else self._build

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        filters: Filters | None = None,
        mode: str = "",
        log: bool = False,
        exact: bool = False,
    ) -> Results:
        """`log`: the server records this search in its search log (KB_SEARCH_LOG there), the
        one its gap report reads."""
        params = dict(q=query, k=k, mode=mode, log="true" if log else "")
        params["exact"] = "true" if exact else ""
        return load(Results, self.get("/app/search", **params, **_params(filters)))

    def log_search(
        self, query: str, *, filters: Filters | None = None, exact: bool = False
    ) -> bool:
        """Recorded in the server's search log (KB_SEARCH_LOG there), if it keeps one."""
        params = dict(q=query, exact="true" if exact else "")
        return bool(self.get("/app/log", method="POST", **params, **_params(filters)))

    def report_missing(self, query: str, *, filters: Filters | None = None) -> bool:
        """Recorded in the server's search log (KB_SEARCH_LOG there), if it keeps one."""
        return bool(self.get("/app/missing", method="POST", q=query, **_params(filters)))

    def experts(
        self,
        query: str,
        *,
        k: int = 5,
        filters: Filters | None = None,
        team: str | Sequence[str] = "",
        department: str = "",
        across_from: str = "",
        mode: str = "",
        model: str = "",
        exact: bool = False,
    ) -> Experts:
        """`team`, `department`: people's home team or department (`filters` choose pages)."""
        params = dict(q=query, k=k, mode=mode, model=model, across_from=across_from)
        teams = [team] if isinstance(team, str) else list(team)
        params |= dict(home_team=[t for t in teams if t], home_department=department)
        params["exact"] = "true" if exact else ""
        return load(Experts, self.get("/app/experts", **params, **_params(filters)))

    def loosen(self, query: str, filters: Filters) -> list[str]:
        return self.get("/app/loosen", q=query, **_params(filters))

    def facets(self) -> dict[str, list[str]]:
        return self.get("/app/facets")

    def facet_counts(self, filters: Filters | None = None) -> dict[str, dict[str, int]]:
        return self.get("/app/facet-counts", **_params(filters))

    def overview(
        self, *, filters: Filters | None = None, today: date, log: Path | None = None, top: int = 6
    ) -> Overview:
        """The server's start page: its day, and the searches logged on the server."""
        del today, log  # as `gaps`: the server's own day and log
        return load(Overview, self.get("/app/overview", top=top, **_params(filters)))

    def people(self) -> list[str]:
        return self.get("/app/people")

    def profile(self, name: str) -> Profile | None:
        found = self.get(f"/app/profiles/{_segment(name)}", missing=None)
        return None if found is None else load(Profile, found)

    def page(self, path: str) -> Page | None:
        found = self.get(f"/app/pages/{urllib.parse.quote(path)}", missing=None)
        return None if found is None else load(Page, found)

    def titles(self) -> dict[str, str]:
        return self.get("/app/titles")

    def team(
        self, description: str, *, size: int = 4, criteria: TeamCriteria | None = None
    ) -> TeamProposal:
        params = criteria_params(criteria)
        return load(TeamProposal, self.get("/app/team", q=description, size=size, **params))

    def barcamp(
        self, *, slots: int, rooms: int, log: Path | None = None, day: date | None = None
    ) -> Barcamp:
        """The server's programme, from the searches logged on the server, for `day` (the
        event's: a question, not the server's clock)."""
        del log
        when = day.isoformat() if day else None
        return load(Barcamp, self.get("/app/barcamp", slots=slots, rooms=rooms, date=when))

    def onboard(self, name: str, *, team: str, today: date) -> OnboardingPlan:
        """The server's plan, judged as of its own day."""
        del today
        return load(OnboardingPlan, self.get("/app/onboard", name=name, team=team))

    def gaps(self, *, today: date, log: Path | None = None, top: int = 20) -> GapReport:
        """The server's report: its day, and the searches logged on the server."""
        del today, log  # the server judges staleness as of its own day, from its own log
        return load(GapReport, self.get("/app/gaps", top=top))

    def pairs(
        self,
        kind: str,
        *,
        seed: int = 0,
        avoid: frozenset[frozenset[str]] = frozenset(),
        today: date | None = None,
        new: bool = False,
        teams: tuple[str, ...] = (),
    ) -> Pairing:
        """The server's round, started on `today` (`left:` is judged on it; default: the
        server's own day), for `teams`."""
        if avoid:
            raise ApiError("the kb API does not take earlier pairs to avoid; run 'kb pairs'")
        day = today.isoformat() if today else None
        found = self.get(
            "/app/pairs", kind=kind, seed=seed, new=new or None, today=day, team=list(teams) or None
        )
        return load(Pairing, found)

    def partners(self, name: str) -> tuple[Pair, ...]:
        found = self.get(f"/app/partners/{_segment(name)}", missing=[])
        return tuple(load(Pair, p) for p in found)

    def get(
        self, path: str, *, missing: object = KeyError, method: str = "GET", **params
    ) -> object:
        """GET (or `method`) `path` as JSON; a 404 gives `missing` when one is given."""
        wanted = {k: v for k, v in params.items() if v not in ("", None)}
        query = urllib.parse.urlencode(wanted, doseq=True)  # a list is a repeated parameter
        url = f"{self.url}{path}" + (f"?{query}" if query else "")
        request = urllib.request.Request(url, method=method)
        if self._token:
            request.add_header("Authorization", f"Bearer {self._token}")
        try:
            with _OPENER.open(request, timeout=TIMEOUT) as response:
                self._answered_by(response.headers.get(BUILD_HEADER))
                return json.loads(response.read())
        except urllib.error.HTTPError as err:
            if err.code == 404 and missing is not KeyError:
                return missing
            said = f"the kb API at {self.url} answered {err.code}: {_detail(err)}"
            raise ApiError(without_passwords(said)) from err
        except (urllib.error.URLError, OSError) as err:
            said = f"cannot reach the kb API at {self.url}: {err}"
            raise ApiError(without_passwords(said)) from err

    def _answered_by(self, build: str | None) -> None:
        if build is not None and build != self._build:
            if self._build is not None:
                self._manifest = None  # of the build before
            self._build = build


def _params(filters: Filters | None) -> dict[str, str]:
    if filters is None:
        return {}
    return {
        "department": filters.department,
        "team": filters.team,
        "tag": filters.tag,
        "author": filters.author,
        "since": filters.updated_since,
    }


def _segment(name: str) -> str:
    return urllib.parse.quote(name, safe="")


def _detail(err: urllib.error.HTTPError) -> str:
    try:
        detail = json.loads(err.read()).get("detail", "")
    except (ValueError, AttributeError):
        return err.reason
    if isinstance(detail, list):  # a 422: FastAPI's list of errors, each with its message
        return "; ".join(_said(e) for e in detail)
    return detail if isinstance(detail, str) else json.dumps(detail)


def _said(error: object) -> str:
    """One of a 422's errors as a person reads it: the parameter, then what is wrong."""
    if not isinstance(error, dict):
        return str(error)
    msg, loc = str(error.get("msg", "")), error.get("loc") or []
    name = str(loc[-1]) if loc else ""
    return msg if not name or msg.startswith(name) else f"{name}: {msg}"
