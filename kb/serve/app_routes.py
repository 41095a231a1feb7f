"""The app's endpoints (`/app/...`): kb's value types as JSON (`kb.serve.wire`), for the
client (`kb.serve.client`).

The public endpoints (`/search`, `/experts`, `/people/{name}`) keep the CLI's JSON shapes;
these return whole value types, so the Streamlit app can run on the API exactly as it runs
on the library. Parameters are validated as in `kb.serve.api` (4xx with a message, never 500).
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query

from kb.config import EXPERT_MODELS
from kb.models import Filters, person_key
from kb.people import searchlog
from kb.people.pairing import KINDS
from kb.serve.codec import dump
from kb.service import KnowledgeBase

Text = Annotated[str, Query(min_length=1, max_length=1000)]
Field = Annotated[str, Query(max_length=200)]
Mode = Annotated[str, Query(pattern="^(hybrid|dense|bm25|)$")]
Kind = Annotated[str, Query(pattern=f"^({'|'.join(KINDS)})$")]
Model = Annotated[str, Query(pattern=f"^({'|'.join(EXPERT_MODELS)}|)$")]


def router(
    kb: Callable[[], KnowledgeBase], check: Callable[..., Filters], search_log: Path | None = None
) -> APIRouter:
    """The `/app` routes over the index `kb` gives; `check` validates filter values.

    `search_log` (KB_SEARCH_LOG on the server) records the searches the app asks to log and
    feeds the gap report: the searches made in the app reach the report that reads them.
    """
    routes = APIRouter(prefix="/app", tags=["app"])
    Base = Annotated[KnowledgeBase, Depends(kb)]

    def filters(
        base: Base,
        department: Field = "",
        team: Field = "",
        tag: Field = "",
        author: Field = "",
        since: dt.date | None = None,
    ) -> Filters:
        return check(base, department, team, tag, author, since)

    Picked = Annotated[Filters, Depends(filters)]

    @routes.get("/manifest")
    def manifest(base: Base) -> dict:
        """What the index holds: counts, when it was built, its model."""
        m = base.manifest
        return {k: m.get(k) for k in ("counts", "built_at", "model") if k in m}

    @routes.get("/facets")
    def facets(base: Base) -> dict[str, list[str]]:
        return base.facets()

    @routes.get("/people")
    def people(base: Base) -> list[str]:
        return base.people()

    @routes.get("/search")
    def search(
        base: Base,
        picked: Picked,
        q: Text,
        k: Annotated[int, Query(ge=1, le=100)] = 10,
        mode: Mode = "",
        log: bool = False,
    ) -> list:
        """`log`: a new search the app makes (not a rerun), recorded in the server's log."""
        hits = base.search(_text(q), k=k, filters=picked, mode=mode)
        if log and search_log is not None:
            searchlog.record(
                search_log, q, hits, mode=mode or base.settings.retrieval, filters=picked
            )
        return dump(hits)

    @routes.get("/experts")
    def experts(
        base: Base,
        picked: Picked,
        q: Text,
        k: Annotated[int, Query(ge=1, le=100)] = 5,
        mode: Mode = "",
        model: Model = "",
        bridge: bool = False,
    ) -> list:
        people = base.experts(_text(q), k=k, filters=picked, bridge=bridge, mode=mode, model=model)
        return dump(people)

    @routes.get("/loosen")
    def loosen(base: Base, picked: Picked, q: Text) -> list[str]:
        """The filters whose removal alone would give results."""
        return base.loosen(_text(q), picked)

    @routes.get("/profiles/{name}")
    def profile(base: Base, name: str) -> dict:
        found = base.profile(name) if person_key(name) else None
        if found is None:
            raise HTTPException(404, f"no one called {name!r} wrote in this index")
        return dump(found)

    @routes.get("/partners/{name}")
    def partners(base: Base, name: str) -> list:
        if not person_key(name) or base.profile(name) is None:
            raise HTTPException(404, f"no one called {name!r} wrote in this index")
        return dump(base.partners(name))

    @routes.get("/pairs")
    def pairs(base: Base, kind: Kind = "tandem", seed: Annotated[int, Query(ge=0)] = 0) -> dict:
        return dump(base.pairs(kind, seed=seed))

    @routes.get("/team")
    def team(base: Base, q: Text, size: Annotated[int, Query(ge=1, le=20)] = 4) -> dict:
        return dump(base.team(_text(q), size=size))

    @routes.get("/gaps")
    def gaps(base: Base, top: Annotated[int, Query(ge=1, le=100)] = 20) -> dict:
        """The gap report, with the searches logged on this server (KB_SEARCH_LOG)."""
        report = base.gaps(today=dt.date.today(), log=search_log, top=top)
        return dump(report)

    @routes.get("/pages/{path:path}")
    def page(base: Base, path: str) -> dict:
        found = base.page(path)
        if found is None:
            raise HTTPException(404, f"no page {path!r} in this index")
        return dump(found)

    return routes


def _text(q: str) -> str:
    if not q.strip():
        raise HTTPException(422, "q is blank; say what you are looking for")
    return q
