"""Running `kb serve`: the settings from the environment, the exposure check, uvicorn."""

from __future__ import annotations

import copy
import ipaddress
import logging
import os
from pathlib import Path

from kb.backends.location import IndexLocation
from kb.errors import KbError
from kb.links import PageLinks
from kb.serve.auth import api_token


def app_from_env():
    """For `uvicorn --factory`: the index from `IndexLocation.from_env`, the token from
    KB_API_TOKEN, the search log from KB_SEARCH_LOG, page links from KB_EDIT_URL."""
    from kb.serve.api import create_app  # FastAPI: not for `kb mcp`

    log = os.environ.get("KB_SEARCH_LOG")
    return create_app(
        IndexLocation.from_env(os.environ),
        token=api_token(os.environ),
        search_log=Path(log).expanduser() if log else None,
        links=PageLinks.from_env(os.environ),
    )


def check_exposure(host: str, token: str, *, insecure: bool, command: str = "kb serve") -> None:
    """Refuse to serve a network address without a token, unless `insecure` says so."""
    if token.strip() or insecure or _loopback(host):
        return
    raise KbError(
        f"{command} on {host or 'every address'} would answer anyone on the network: set "
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


def serve(where: IndexLocation, *, host: str, port: int, workers: int) -> None:
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
    uvicorn.run(
        "kb.serve.server:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=_log_config(),
    )


def run_asgi(app, *, host: str, port: int) -> None:
    """Serve one ASGI app (the MCP server's HTTP transport) in this process."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_config=_log_config())


class PathOnly(logging.Filter):
    """Logs a request's path without its query string: a search's words (and a credential
    pasted into one) are kept only in the opt-in KB_SEARCH_LOG, redacted, never who asked."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5:  # uvicorn's access line
            client, method, target, version, status = args
            record.args = (client, method, str(target).split("?", 1)[0], version, status)
        return True


def _log_config() -> dict:
    """uvicorn's own logging, its access log through `PathOnly` (in every worker)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["path_only"] = {"()": "kb.serve.server.PathOnly"}
    config["loggers"]["uvicorn.access"]["filters"] = ["path_only"]
    return config
