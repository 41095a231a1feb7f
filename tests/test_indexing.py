"""`kb index` as one library call (kb.indexing.index_into): build, then publish when shared."""

from __future__ import annotations

from fakes import HashEmbedder
from helpers import page, write

from kb import IndexLocation, KnowledgeBase, Settings
from kb.backends.shards import Shard
from kb.indexing import index_into


def _content(root):
    write(root / "it" / "vpn.md", page("VPN", "Ana Ruiz", "## Connect\n\nOpen the VPN client."))
    write(
        root / "hr" / "leave.md", page("Leave", "Bo Li", "## Ask\n\nAsk your manager.", team="hr")
    )
    return root


def test_a_local_location_is_built_and_not_published(tmp_path):
    content = _content(tmp_path / "content")
    where = IndexLocation(index_dir=tmp_path / "index")
    run = index_into(where, content, HashEmbedder, Settings())
    assert run.published is None
    assert run.build is not None and run.build.documents == 2
    kb = KnowledgeBase(tmp_path / "index", HashEmbedder(), Settings())
    assert kb.search("VPN client", k=1)[0].chunk.path == "it/vpn.md"


def test_a_shard_without_pages_builds_nothing_and_loads_no_model(tmp_path):
    content = _content(tmp_path / "content")
    paths = ["it/vpn.md", "hr/leave.md"]
    empty = next(Shard(n, 7) for n in range(1, 8) if not any(Shard(n, 7).owns(p) for p in paths))
    loads = []
    where = IndexLocation(index_dir=tmp_path / "index")
    run = index_into(
        where, content, lambda: loads.append(1) or HashEmbedder(), Settings(), shard=empty
    )
    assert run.build is None and run.published is None and loads == []
    assert not (tmp_path / "index").exists() or not any((tmp_path / "index").iterdir())
