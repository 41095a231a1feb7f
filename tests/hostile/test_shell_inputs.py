"""A number given to any shell is written in plain digits (`kb.inputs.number`): Python's
readers, and click's and pydantic's with them, also took `1_0` as 10."""

from __future__ import annotations

import json

import anyio
import pytest
from click.testing import CliRunner
from fakes import HashEmbedder
from fastapi.testclient import TestClient
from helpers import page, write
from mcp import Client

from kb import KnowledgeBase, Settings, build_index
from kb.app.linked import whole
from kb.cli import cli
from kb.embed.base import SentenceTransformerEmbedder
from kb.serve.api import create_app
from kb.serve.mcp_server import create_mcp

# Each read as a number by Python (`int`, `float`), by click or by pydantic.
NOT_PLAIN = ("1_0", "１０", "+5", " 5", "5 ", "5.0", "1e1", "٥", "0x10")
NOT_DECIMAL = ("1_0", "１０", "+5", " 5", "1e1", "٥", "nan", "inf", "2.")


def _fake() -> HashEmbedder:
    """The packaged model's name and size, so `kb serve` loads the index without the model."""
    return HashEmbedder(name=SentenceTransformerEmbedder.name, dim=SentenceTransformerEmbedder.dim)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("numbers")
    write(root / "content/it/vpn.md", page("VPN", "Ana Ruiz", "## Connect\n\nOpen the VPN app."))
    build_index(root / "content", root / "index", _fake(), Settings())
    return root / "index"


def test_a_number_is_plain_digits_in_every_shell(index_dir):
    """An attack: `/search?k=1_0` answered as `k=10`, and so did `kb search -k 1_0`, the
    full-width `１０`, `+5`, ` 5`, `5.0` (a whole number) and `1e1` (a timezone's hours):
    Python's `int()` and `float()` read them all, and the shells read numbers with them,
    while the app's links took digits alone. Every shell takes plain digits now: a 422, a
    usage error, a tool error, the app's note."""
    api = TestClient(create_app(index_dir))
    routes = [("/search", "k", {"q": "vpn"}), ("/app/pairs", "seed", {})]
    routes += [("/app/team", "timezone_within", {"q": "vpn"}), ("/app/barcamp", "slots", {})]
    for path, name, other in routes:
        assert api.get(path, params={**other, name: "05"}).status_code == 200, path
        for given in NOT_PLAIN if name != "timezone_within" else NOT_DECIMAL:
            res = api.get(path, params={**other, name: given})
            assert res.status_code == 422, (path, given)
            assert res.json()["detail"][0]["loc"] == ["query", name]
    assert api.get("/app/team", params={"q": "vpn", "timezone_within": "2.5"}).status_code == 200

    where = ["--index-dir", str(index_dir)]
    for args, wrong in (
        (["search", "vpn", "-k"], NOT_PLAIN),
        (["team", "vpn", "--timezone-within"], NOT_DECIMAL),
    ):
        for given in wrong:
            res = CliRunner().invoke(cli, [*args, given, *where])
            assert res.exit_code == 2 and "not a" in res.output, (args, given, res.output)

    for given in NOT_PLAIN:
        assert whole({"round": given}, "round", "Round", 0, 0, 100)[0] == 0, given
    assert whole({"round": "07"}, "round", "Round", 0, 0, 100) == (7, "")

    kb = KnowledgeBase(index_dir, _fake(), Settings())

    async def main() -> None:
        async with Client(create_mcp(lambda: kb)) as client:
            res = await client.call_tool("search_docs", {"query": "vpn", "k": 2})
            assert not res.is_error and json.loads(res.content[0].text)["results"]
            for given in [*NOT_PLAIN, True]:
                res = await client.call_tool("search_docs", {"query": "vpn", "k": given})
                assert res.is_error, given

    anyio.run(main)
