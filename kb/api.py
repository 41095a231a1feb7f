"""`kb serve`: a stateless HTTP API over an index (FastAPI is imported here and nowhere else).

All state is in the index (a folder or a Milvus collection): a replica loads it on first use
and again whenever a build publishes a new one, so several replicas behind a load balancer
answer alike. With a
token (`KB_API_TOKEN`), every request must carry `Authorization: Bearer <token>`.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import hmac
import os
import threading
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from kb.api_app import router as app_routes
from kb.backend import Where
from kb.config import Settings
from kb.errors import KbError
from kb.models import Filters, person_key
from kb.records import expert_record, hit_record
from kb.service import KnowledgeBase, open_knowledge_base

Text = Annotated[str, Query(min_length=1, max_length=1000, description="What to look for.")]
Count = Annotated[int, Query(ge=1, le=100)]
Field = Annotated[str, Query(max_length=200)]
Mode = Annotated[str, Query(pattern="^(hybrid|dense|bm25)$")]


class _Index:
    """The loaded index of one process, reloaded when a build publishes a new one."""

    def __init__(self, where: Where) -> None:
        self.where = where
        self._lock = threading.Lock()
        self._kb: KnowledgeBase | None = None
        self._stamp: object = None

    def get(self) -> KnowledgeBase:
        stamp = self.where.stamp()
        with self._lock:
            if self._kb is None or stamp != self._stamp:
                # KbError: no index. The consent key checks logged searches (kb gaps).
                settings = Settings(consent_key=os.environ.get("KB_CONSENT_KEY", ""))
                self._kb = open_knowledge_base(self.where, settings)
                self._stamp = stamp
            return self._kb


def create_app(where: Where | Path, *, token: str = "") -> FastAPI:
    """The API over an index (a folder, or any `Where`); with `token`, every request needs it
    as a bearer token."""
    index = _Index(where if isinstance(where, Where) else Where(index_dir=where))

    app = FastAPI(
        title="kb",
        summary="Search a team's Markdown docs and find who knows about a topic.",
    )

    @app.middleware("http")
    async def authorised(request: Request, call_next):
        # Middleware, not a dependency: the docs and the OpenAPI document are guarded too.
        if token:
            scheme, _, given = request.headers.get("authorization", "").partition(" ")
            # The scheme is case-insensitive (RFC 9110); the token is compared in constant time.
            if scheme.casefold() != "bearer" or not hmac.compare_digest(
                given.strip().encode(), token.encode()
            ):
                return JSONResponse(
                    {"detail": "missing or wrong bearer token"},
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
        return await call_next(request)

    @app.exception_handler(KbError)
    async def kb_error(request: Request, err: KbError) -> JSONResponse:
        return JSONResponse({"detail": str(err)}, status_code=503)

    def kb() -> KnowledgeBase:
        return index.get()

    @app.get("/health")
    def health(base: Annotated[KnowledgeBase, Depends(kb)]) -> dict:
        """Whether an index is loaded, and what it holds."""
        counts = base.manifest.get("counts", {})
        return {
            "status": "ok",
            "pages": counts.get("documents", 0),
            "chunks": counts.get("chunks", 0),
            "built_at": base.manifest.get("built_at", ""),
        }

    @app.get("/search")
    def search(
        base: Annotated[KnowledgeBase, Depends(kb)],
        q: Text,
        k: Count = 10,
        mode: Mode = "hybrid",
        department: Field = "",
        team: Field = "",
        tag: Field = "",
        author: Field = "",
        since: date | None = None,
    ) -> list[dict]:
        """Ranked sections for `q`, with snippets and authors."""
        filters = _filters(base, department, team, tag, author, since)
        return [hit_record(h) for h in base.search(_text(q), k=k, filters=filters, mode=mode)]

    @app.get("/experts")
    def experts(
        base: Annotated[KnowledgeBase, Depends(kb)],
        q: Text,
        k: Count = 5,
        mode: Mode = "hybrid",
        department: Field = "",
        team: Field = "",
        tag: Field = "",
        since: date | None = None,
    ) -> list[dict]:
        """The people who know most about `q`, with the sections that show it."""
        _filters(base, department, team, "", "", None)  # validates the names
        filters = _filters(base, "", "", tag, "", since)
        people = base.experts(
            _text(q), k=k, filters=filters, team=team, department=department, mode=mode
        )
        return [expert_record(p) | {"department": p.department} for p in people]

    app.include_router(app_routes(kb, _filters))

    @app.get("/people/{name}")
    def person(base: Annotated[KnowledgeBase, Depends(kb)], name: str) -> dict:
        """What a person wrote: topics, pages, teams, role, availability, colleagues across."""
        profile = base.profile(name) if person_key(name) else None
        if profile is None:
            raise HTTPException(404, f"no one called {name!r} wrote in this index")
        across = base.bridges.partners(profile.name)
        return asdict(profile) | {"across": [asdict(p) for p in across]}

    return app


def _text(q: str) -> str:
    if not q.strip():
        raise HTTPException(422, "q is blank; say what you are looking for")
    return q


def _filters(
    base: KnowledgeBase, department: str, team: str, tag: str, author: str, since: date | None
) -> Filters:
    facets = base.facets()
    for name, value in (("department", department), ("team", team), ("tag", tag)):
        if value and value.casefold() not in {v.casefold() for v in facets[name]}:
            raise HTTPException(400, f"{name} {value!r} is not in the index")
    if author and person_key(author) not in {person_key(v) for v in facets["author"]}:
        raise HTTPException(400, f"author {author!r} is not in the index")
    return Filters(
        department=department,
        team=team,
        tag=tag,
        author=author,
        updated_since=since.isoformat() if since else "",
    )


def app_from_env() -> FastAPI:
    """For `uvicorn --factory`: the index from `Where.from_env`, the token from KB_API_TOKEN."""
    return create_app(Where.from_env(os.environ), token=os.environ.get("KB_API_TOKEN", ""))


def serve(where: Where, *, host: str, port: int, workers: int) -> None:
    """Run the API with uvicorn; each worker process loads the index itself."""
    import uvicorn

    # Read by app_from_env in every worker.
    os.environ["KB_BACKEND"] = where.backend
    os.environ["KB_INDEX_DIR"] = str(where.index_dir)
    os.environ["KB_MILVUS_URI"] = where.milvus_uri
    os.environ["KB_MILVUS_COLLECTION"] = where.collection
    if workers > 1:
        # Each worker would otherwise run one thread per core for the model and FAISS:
        # N workers on N cores then fight over them. Split the cores instead.
        share = str(max(1, (os.cpu_count() or 1) // workers))
        for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(name, share)
    uvicorn.run("kb.api:app_from_env", factory=True, host=host, port=port, workers=workers)
