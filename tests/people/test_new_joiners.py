"""A new joiner in people.yaml, with no page yet: an L&D organiser's week of coffee rounds
paired her before her first day, as "zoe hart", "by chance (the closest of their pages: )".
The bundled content through the real parser and model, with Zoe Hart (finance) listed to
start on 2026-12-21."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest
from click.testing import CliRunner
from helpers import CONTENT

from kb import KnowledgeBase, Settings, build_index
from kb.cli import cli

JOINER = "Zoe Hart"
STARTS = "2026-12-21"
ENTRY = f"""  - name: {JOINER}
    team: finance
    department: Business
    role: Accounts payable analyst
    available_for: [coffee, tandem]
    started: {STARTS}
"""


@pytest.fixture(scope="module")
def joiner_index(tmp_path_factory, bundled_index, real_embedder):
    root = tmp_path_factory.mktemp("joiner")
    content, index_dir = root / "content", root / "index"
    shutil.copytree(CONTENT, content)
    shutil.copytree(bundled_index, index_dir)
    people = (content / "people.yaml").read_text(encoding="utf-8").rstrip("\n") + "\n" + ENTRY
    (content / "people.yaml").write_text(people, encoding="utf-8")
    build_index(content, index_dir, real_embedder, Settings())
    return index_dir


def named(pairing) -> set[str]:
    return {c.name for p in pairing.pairs for c in (p.first, p.second)}


def test_a_new_joiner_is_paired_from_their_first_day_by_name_and_chance(
    joiner_index, real_embedder
):
    kb = KnowledgeBase(joiner_index, real_embedder, Settings())
    before = kb.pairs("coffee", today=date(2026, 12, 8))
    assert JOINER not in named(before) and JOINER not in before.unpaired
    assert f"{JOINER} (starts on {STARTS}) left out: not here yet on 2026-12-08" in before.note
    after = kb.pairs("coffee", today=date(2026, 12, 22))
    assert "zoe hart" not in named(after) and "zoe hart" not in after.unpaired
    pair = next(p for p in after.pairs if JOINER in {p.first.name, p.second.name})
    assert pair.reason == f"Paired by chance: {JOINER} has no page yet", pair.reason
    out = CliRunner().invoke(
        cli,
        ["pairs", "--kind", "coffee", "--today", "2026-12-22", "--json"]
        + ["--index-dir", str(joiner_index)],
    )
    assert out.exit_code == 0, out.output
    people = {p[k]["name"] for p in json.loads(out.output)["pairs"] for k in ("first", "second")}
    assert JOINER in people
    # A tandem needs shared work: she is told she has none yet, by name.
    tandem = kb.pairs("tandem", today=date(2026, 12, 22))
    assert JOINER in tandem.unpaired
