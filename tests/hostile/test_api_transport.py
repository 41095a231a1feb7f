"""Attacks on kb's HTTP edges: the client's redirects, `kb serve`'s bind address, /docs."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from kb.cli import cli
from kb.errors import KbError
from kb.serve.api import create_app
from kb.serve.client import ApiError, RemoteKnowledgeBase

MANIFEST = {
    "counts": {"files": 1, "documents": 1, "chunks": 1, "warnings": 0},
    "built_at": "2026-01-01",
    "model": {"name": "m", "dim": 3},
}


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
    # Polled every 10 ms, so that shutdown() returns at once (the default waits up to 0.5 s).
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
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
        assert RemoteKnowledgeBase(url, "s3cret-token").manifest.as_dict() == MANIFEST
    assert [s["path"] for s in seen] == ["/app/manifest", "/v2/app/manifest"]


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "kb.example.com"])
@pytest.mark.parametrize("token", [None, "", "  "])
def test_serve_on_a_network_address_without_a_token_is_refused(host, token):
    from kb.serve.server import check_exposure

    with pytest.raises(KbError, match=r"KB_API_TOKEN.*--insecure") as err:
        check_exposure(host, token or "", insecure=False)
    assert "\n" not in str(err.value)
    check_exposure(host, token or "", insecure=True)  # said on purpose
    check_exposure(host, "s3cret", insecure=False)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "localhost", "LocalHost"])
def test_serve_on_loopback_without_a_token_is_allowed(host):
    from kb.serve.server import check_exposure

    check_exposure(host, "", insecure=False)


def test_kb_serve_refuses_before_starting_the_server(monkeypatch, tmp_path):
    import kb.serve.server

    started = []
    monkeypatch.setattr(kb.serve.server, "serve", lambda *a, **kw: started.append(kw["host"]))
    monkeypatch.setenv("KB_API_TOKEN", "")
    index = ["--index-dir", str(tmp_path / "idx")]
    refused = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", *index])
    assert refused.exit_code == 1 and started == []
    assert refused.output.startswith("kb: error: ") and "KB_API_TOKEN" in refused.output
    assert "Traceback" not in refused.output
    ok = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--insecure", *index])
    assert ok.exit_code == 0 and started == ["0.0.0.0"]


def test_docs_work_in_a_browser_with_a_token_and_load_nothing_from_a_cdn(tmp_path):
    client = TestClient(create_app(tmp_path / "no-index", token="s3cret"))
    docs = client.get("/docs")  # a browser sends no bearer token when it opens a page
    assert docs.status_code == 200
    assert not re.findall(r"https?://", docs.text), "the docs page names an outside URL"
    assets = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", docs.text)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        assert asset.startswith("/"), asset
        assert client.get(asset).status_code == 200, asset
    schema = client.get("/openapi.json")
    assert schema.status_code == 200
    schemes = schema.json()["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= next(iter(schemes.values())).items()
    search = schema.json()["paths"]["/search"]["get"]
    assert search["security"] == [{name: []} for name in schemes]
    assert client.get("/health").status_code == 401  # the data stays behind the token
    assert client.get("/redoc").status_code in (401, 404)  # redoc loads from a CDN


def test_thousands_of_unknown_parameters_get_a_short_422(tmp_path):
    # Each unknown parameter was named in the 422 with the route's whole list of
    # parameters: 21 KB of `z0=1&z1=1...` (3,000 names) got 505 KB back.
    client = TestClient(create_app(tmp_path / "none"))
    params = [("q", "vpn")] + [(f"z{i}", "1") for i in range(3000)]
    res = client.get("/search", params=params)
    assert res.status_code == 422 and len(res.content) < 4000, len(res.content)
    detail = res.json()["detail"]
    assert [e["loc"] for e in detail[:2]] == [["query", "z0"], ["query", "z1"]]
    assert all(set(e) >= {"type", "loc", "msg", "input"} for e in detail)
    assert detail[-1]["msg"] == "and 2,990 more parameters /search does not take"


@pytest.mark.parametrize("blank", [" ", "\n", "\t \r\n"])
@pytest.mark.parametrize("command", [["serve"], ["mcp", "--transport", "http"]])
def test_a_blank_token_is_refused_not_served_as_an_empty_one(monkeypatch, tmp_path, blank, command):
    """A secret that did not arrive (a token file holding only a newline) set KB_API_TOKEN to
    spaces: kb serve said 'every request needs the token' while `Authorization: Bearer`, with
    no token, was let through; with --insecure on 0.0.0.0 too."""
    import kb.serve.server

    started = []
    monkeypatch.setattr(kb.serve.server, "serve", lambda *a, **kw: started.append(kw["host"]))
    monkeypatch.setattr(kb.serve.server, "run_asgi", lambda *a, **kw: started.append(kw["host"]))
    monkeypatch.setenv("KB_API_TOKEN", blank)
    index = ["--index-dir", str(tmp_path / "idx")]
    for host in ("127.0.0.1", "0.0.0.0"):
        said = CliRunner().invoke(cli, [*command, "--host", host, "--insecure", *index])
        assert said.exit_code == 1 and started == [], said.output
        assert "kb: error: KB_API_TOKEN is blank" in said.output


def test_an_empty_bearer_never_matches_a_blank_token():
    from kb.serve.auth import bearer_ok

    for token in ("", " ", "\n"):
        for header in ("Bearer", "Bearer ", "bearer  ", ""):
            assert not bearer_ok(header, token), (header, token)
    assert bearer_ok("Bearer s3cret", "s3cret\n")  # a token file's newline is no part of it


def test_ready_is_open_to_a_load_balancer_and_says_nothing_of_the_index(tmp_path):
    """A load balancer's health check sends no token: with KB_API_TOKEN every replica was
    401 to it, so none was ever healthy. /ready answers without it, a status and a reason
    only (what /health says stays behind the token)."""
    client = TestClient(create_app(tmp_path / "no-index", token="s3cret"))
    deadline = time.monotonic() + 10
    said = client.get("/ready")
    while said.json().get("detail") == "loading the index" and time.monotonic() < deadline:
        time.sleep(0.05)
        said = client.get("/ready")
    assert said.status_code == 503 and said.json() == {
        "detail": "no index yet; run 'kb index' on the server"
    }
    assert client.head("/ready").status_code == 503
    assert client.get("/health").status_code == 401
