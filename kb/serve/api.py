"""`kb serve`: a stateless HTTP API over an index (FastAPI here and in `kb.serve.app_routes`, its
`/app` routes).

All state is in the index (a folder or a Milvus collection): a replica loads it on first use
and again whenever a build publishes a new one, so several replicas behind a load balancer
answer alike. With a
token (`KB_API_TOKEN`), every request must carry `Authorization: Bearer <token>`, except the
docs (`/docs`, served with Swagger UI's files from the `fastapi-offline` package, no CDN)
and `/openapi.json`: a browser sends no token when it opens a page, and both describe only
the API's shape, which is the same in every deployment.
"""

# No `from __future__ import annotations`: FastAPI reads the route signatures at runtime.

import hmac
import ipaddress
import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated

import fastapi_offline
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.security import HTTPBearer

from kb.backends.base import Where
from kb.config import Settings
from kb.errors import (
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    KbError,
    ModelError,
)
from kb.models import Filters, person_key
from kb.serve.app_routes import router as app_routes
from kb.serve.codec import expert_record, hit_record
from kb.service import KnowledgeBase, open_knowledge_base

Text = Annotated[str, Query(min_length=1, max_length=1000, description="What to look for.")]
Count = Annotated[int, Query(ge=1, le=100)]
Field = Annotated[str, Query(max_length=200)]
Mode = Annotated[str, Query(pattern="^(hybrid|dense|bm25)$")]
# Swagger UI's own files (5.x: FastAPI writes OpenAPI 3.1, which Swagger UI 4 refuses),
# served from the installed `fastapi-offline` package: the docs page loads nothing from
# another host (a CDN would see every visit, and an offline network gets a blank page).
_SWAGGER = Path(fastapi_offline.__file__).parent / "static"
DOCS_ASSETS = {
    "/docs/swagger-ui-bundle.js": "swagger-ui-bundle.js",
    "/docs/swagger-ui.css": "swagger-ui.css",
    "/docs/favicon.png": "favicon.png",
}
PUBLIC_PATHS = {"/docs", "/openapi.json", *DOCS_ASSETS}


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


def create_app(where: Where | Path, *, token: str = "", search_log: Path | None = None) -> FastAPI:
    """The API over an index (a folder, or any `Where`); with `token`, every request needs it
    as a bearer token; `search_log` keeps the searches the app logs, for the gap report."""
    index = _Index(where if isinstance(where, Where) else Where(index_dir=where))
    # Declared so the OpenAPI document names the scheme and /docs offers "Authorize"; the
    # check itself is the middleware below (constant time, one place, every route).
    bearer = HTTPBearer(auto_error=False, description="The server's KB_API_TOKEN.")

    app = FastAPI(
        title="kb",
        summary="Search a team's Markdown docs and find who knows about a topic.",
        docs_url=None,  # served below, from local files
        redoc_url=None,  # ReDoc loads its script and fonts from CDNs
        dependencies=[Depends(bearer)] if token else [],
    )

    @app.middleware("http")
    async def authorised(request: Request, call_next):
        # Middleware, not a dependency: every route is guarded, whichever way it was added.
        if token and request.url.path not in PUBLIC_PATHS:
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
        # The full message (with the server's paths) goes to the server's log only.
        logging.getLogger("kb.serve.api").error("%s", err)
        return JSONResponse({"detail": _public(err)}, status_code=503)

    def kb() -> KnowledgeBase:
        return index.get()

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

    for url, name in DOCS_ASSETS.items():
        app.add_api_route(url, _asset(_SWAGGER / name), include_in_schema=False, methods=["GET"])

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
        return [expert_record(p) for p in people]

    app.include_router(app_routes(kb, _filters, search_log))

    @app.get("/people/{name}")
    def person(base: Annotated[KnowledgeBase, Depends(kb)], name: str) -> dict:
        """What a person wrote: topics, pages, teams, role, availability, colleagues across."""
        profile = base.profile(name) if person_key(name) else None
        if profile is None:
            raise HTTPException(404, f"no one called {name!r} wrote in this index")
        across = base.partners(profile.name)
        return asdict(profile) | {"across": [asdict(p) for p in across]}

    return app


def _asset(path: Path) -> Callable[[], FileResponse]:
    def send() -> FileResponse:
        return FileResponse(path)

    return send


# What a caller is told: what to run on the server, never where the server keeps things.
_PUBLIC = {
    IndexMissingError: "no index yet; run 'kb index' on the server",
    IndexCorruptError: "the index is damaged or unreadable; run 'kb index' on the server",
    IndexMismatchError: "the index was built with another model or format; "
    "run 'kb index' on the server",
    ModelError: "the embedding model cannot be loaded; see the server's log",
}
_PATH = re.compile(r"(?<![\w:/])/[^\s'\"]+")


def _public(err: KbError) -> str:
    for kind, message in _PUBLIC.items():
        if isinstance(err, kind):
            return message
    return _PATH.sub("<server path>", str(err))


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
    """For `uvicorn --factory`: the index from `Where.from_env`, the token from KB_API_TOKEN,
    the search log from KB_SEARCH_LOG."""
    log = os.environ.get("KB_SEARCH_LOG")
    return create_app(
        Where.from_env(os.environ),
        token=os.environ.get("KB_API_TOKEN", ""),
        search_log=Path(log).expanduser() if log else None,
    )


def check_exposure(host: str, token: str, *, insecure: bool) -> None:
    """Refuse to serve a network address without a token, unless `insecure` says so."""
    if token.strip() or insecure or _loopback(host):
        return
    raise KbError(
        f"kb serve on {host or 'every address'} would answer anyone on the network: set "
        "KB_API_TOKEN to a secret, or pass --insecure if a proxy in front checks callers"
    )


def _loopback(host: str) -> bool:
    name = host.strip().strip("[]").rstrip(".").casefold()
    if name == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False  # a host name: it may resolve to any interface
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


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
    uvicorn.run("kb.serve.api:app_from_env", factory=True, host=host, port=port, workers=workers)
