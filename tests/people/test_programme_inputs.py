"""Hostile inputs to the programmes (issue 20, found by an attack): long logged searches,
numbers a log line cannot hold, a team named in another case, a calendar kb cannot write."""

from __future__ import annotations

import json
import time

import click
import pytest
from click.testing import CliRunner

from kb.cli import cli
from kb.models.consent import IndexConsent
from kb.people import searchlog


def test_a_long_logged_search_is_withheld_at_once_while_anyone_is_hidden():
    consent = IndexConsent(digests=frozenset({"0" * 16}), word_digests=frozenset({"1" * 16}))
    start = time.process_time()
    assert consent.withholds("a" * 200_000)  # was minutes: the check grows with length²
    assert time.process_time() - start < 0.1
    assert not IndexConsent().withholds("a" * 200_000)  # no one hidden: nothing withheld


def test_a_log_line_with_a_number_too_big_is_skipped(tmp_path):
    log = tmp_path / "log.jsonl"
    line = {"time": "1", "query": "vpn", "results": 3, "best_similarity": 0.5}
    log.write_text(json.dumps(line) + '\n{"time":1,"query":"x","results":1e400}\n')
    searches, problems = searchlog.read(log)
    assert [s.query for s in searches] == ["vpn"] and len(problems) == 1


def test_json_nested_deeper_than_python_reads_is_a_bad_line_or_a_usage_error(tmp_path):
    # RecursionError went past `except ValueError`: a traceback from kb gaps (and a 500 from
    # the API's gap report and start page) on one such log line, and from kb pairs --avoid.
    deep = "[" * 100_000 + "]" * 100_000
    log = tmp_path / "log.jsonl"
    line = {"time": "1", "query": "vpn", "results": 3, "best_similarity": 0.5}
    log.write_text(f"{json.dumps(line)}\n{deep}\n")
    searches, problems = searchlog.read(log)
    assert [s.query for s in searches] == ["vpn"] and [p.line for p in problems] == [2]
    (tmp_path / "round.json").write_text(deep)
    from kb.cli.people import _earlier_pairs

    with pytest.raises(click.BadParameter, match="not the --json output of 'kb pairs'"):
        _earlier_pairs(tmp_path / "round.json")


def test_onboard_takes_a_team_in_any_case_and_barcamp_refuses_an_unwritable_calendar(
    bundled_index, tmp_path
):
    where = ["--index-dir", str(bundled_index)]
    out = CliRunner().invoke(cli, ["onboard", "Alex", "--team", "Finance", *where, "--json"])
    assert out.exit_code == 0, out.output
    plan = json.loads(out.output)
    assert plan["team"] == "finance" and plan["reading"][0]["path"].startswith("finance/")
    ics = tmp_path / "no-such-folder" / "camp.ics"
    bad = CliRunner().invoke(cli, ["barcamp", "--ics", str(ics), *where])
    assert bad.exit_code == 2 and "cannot write" in bad.output and "Traceback" not in bad.output
