"""Attacks on kb's HTTP edges: the client's redirects, `kb serve`'s bind address, /docs."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kb.client import ApiError, RemoteKnowledgeBase

MANIFEST = {"counts": {"documents": 1, "chunks": 1}, "built_at": "2026-01-01", "model": "m"}


@contextmanager
def server(answer) -> Iterator[tuple[str, list[dict]]]:
    """A real HTTP server on 127.0.0.1 (a free port): `answer(path, headers)` gives
    (status, headers, body); every request's headers are recorded."""
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            seen.append({"path": self.path, **headers})
            status, extra, body = answer(self.path, headers)
            self.send_response(status)
            for k, v in extra.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    finally:
        httpd.shutdown()
        httpd.server_close()


def manifest(path: str, headers: dict) -> tuple[int, dict, bytes]:
    return 200, {"Content-Type": "application/json"}, json.dumps(MANIFEST).encode()


def test_client_never_sends_the_token_across_a_redirect_to_another_origin():
    with server(manifest) as (other, other_seen):

        def redirect(path: str, headers: dict) -> tuple[int, dict, bytes]:
            return 302, {"Location": f"{other}{path}"}, b""

        with server(redirect) as (first, _):
            kb = RemoteKnowledgeBase(first, "s3cret-token")
            with pytest.raises(ApiError, match=re.escape(other)) as err:
                kb.manifest  # noqa: B018
    assert "KB_API_URL" in str(err.value)
    assert not any("authorization" in h for h in other_seen)
    assert other_seen == []  # refused before any request: the query would leak too


def test_client_follows_a_same_origin_redirect_with_its_token():
    def answer(path: str, headers: dict) -> tuple[int, dict, bytes]:
        if not path.startswith("/v2/"):
            return 308, {"Location": f"/v2{path}"}, b""
        if headers.get("authorization") != "Bearer s3cret-token":
            return 401, {}, b'{"detail": "missing or wrong bearer token"}'
        return manifest(path, headers)

    with server(answer) as (url, seen):
        assert RemoteKnowledgeBase(url, "s3cret-token").manifest == MANIFEST
    assert [s["path"] for s in seen] == ["/app/manifest", "/v2/app/manifest"]
