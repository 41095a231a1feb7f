"""A password in an address kb is given (a Milvus URI's user info) is said nowhere."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from kb.backends.location import IndexLocation
from kb.cli import cli
from kb.serve.api import create_app

PASSWORD = "Sup3rS3cretPw"
URI = f"http://kb_admin:{PASSWORD}@milvus.internal:19530"


@pytest.fixture
def unreachable(monkeypatch):
    """pymilvus as it answers a server it cannot reach (no network in a test)."""
    import pymilvus

    from kb.backends.milvus.client import client

    def refused(*args, **kwargs):
        raise pymilvus.MilvusException(message="Fail connecting to server on milvus.internal")

    client.cache_clear()
    monkeypatch.setattr(pymilvus, "MilvusClient", refused)
    yield
    client.cache_clear()


def test_a_milvus_password_is_in_no_start_line_message_or_answer(
    tmp_path, monkeypatch, unreachable
):
    """An attack on `kb serve`'s start line and its 503: with `KB_MILVUS_URI` holding a
    password (pymilvus reads one there), the start line printed it, and the 503 of every
    route, `/health` included, said it to any caller, with the server's address."""
    monkeypatch.setattr("kb.serve.server.serve", lambda *args, **kwargs: None)
    args = ["--backend", "milvus", "--milvus-uri", URI]
    res = CliRunner().invoke(cli, ["serve", *args])
    assert res.exit_code == 0 and "kb serve: the index in Milvus collection" in res.output
    assert PASSWORD not in res.output and "kb_admin:***@milvus.internal" in res.output
    res = CliRunner().invoke(cli, ["search", "vpn", *args])
    assert res.exit_code != 0 and "cannot open Milvus" in res.output
    assert PASSWORD not in res.output
    where = IndexLocation("milvus", tmp_path / "index", URI, "kb")
    api = TestClient(create_app(where), raise_server_exceptions=False)
    for url in ("/health", "/search?q=vpn", "/people/ana"):
        answer = api.get(url)
        assert answer.status_code == 503, (url, answer.text)
        assert PASSWORD not in answer.text and "milvus.internal" not in answer.text, answer.text


def test_a_password_in_the_api_address_is_in_no_error():
    """KB_API_URL with user info (a proxy's basic auth): the app and the CLI said it back
    whole in 'cannot reach the kb API at ...'."""
    from kb.errors import KbError
    from kb.serve.client import RemoteKnowledgeBase

    with pytest.raises(KbError) as err:
        RemoteKnowledgeBase(f"http://kb:{PASSWORD}@127.0.0.1:1").manifest  # noqa: B018
    assert "cannot reach the kb API at http://kb:***@127.0.0.1:1" in str(err.value)
    assert PASSWORD not in str(err.value)
