"""A round of pairs as CSV with each person's people.yaml contact: never guessed, never of
someone who has left, and safe to open in a spreadsheet. A user trial could not act on a
round: the only export was JSON without contacts. The bundled index with the real model."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date

from kb.models import Directory
from kb.people.roster import COLUMNS, NO_CONTACT, pairs_csv


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_each_pair_has_the_directorys_contacts_and_the_pages(bundled_kb):
    directory = bundled_kb.directory
    pairing = bundled_kb.pairs("coffee", seed=0)
    text = pairs_csv(pairing, directory)
    assert text.splitlines()[0] == ",".join(COLUMNS)
    found = rows(text)
    assert len(found) == len(pairing.pairs) >= 5
    contacts = {}
    for row, pair in zip(found, pairing.pairs, strict=True):
        assert (row["person 1"], row["person 2"]) == (pair.first.name, pair.second.name)
        assert row["reason"] == pair.reason and pair.evidence[0].path in row["pages to read"]
        contacts |= {row["person 1"]: row["contact 1"], row["person 2"]: row["contact 2"]}
    for name, given in contacts.items():
        listed = directory.find(name).contact
        # A handle starts with "@", which a spreadsheet reads as a formula: quoted.
        assert given == (f"'{listed}" if listed.startswith("@") else listed or NO_CONTACT)
    assert NO_CONTACT in contacts.values() and any("@" in c for c in contacts.values())


def test_someone_who_has_left_has_no_contact_in_it(bundled_kb):
    pairing = bundled_kb.pairs("coffee", seed=0)
    name = next(
        n
        for p in pairing.pairs
        for n in (p.first.name, p.second.name)
        if bundled_kb.directory.find(n).contact
    )
    people = tuple(
        replace(p, left="2025-01-31") if p.name == name else p for p in bundled_kb.directory.people
    )
    row = next(
        r
        for r in rows(pairs_csv(pairing, Directory(people), date(2026, 12, 6)))
        if name in (r["person 1"], r["person 2"])
    )
    side = "1" if row["person 1"] == name else "2"
    assert row[f"contact {side}"] == NO_CONTACT


def test_no_cell_becomes_a_formula_whatever_separator_the_sheet_splits_at():
    """An attack: a page title, a name or a team holding `;=HYPERLINK(...)`, a line break or
    a tab before `=cmd|...` was written as is inside its cell. Excel splits a line at its
    locale's separator (`;` in much of Europe) and reads a quote only at a cell's start, so
    the part after it was a cell of its own, a formula (OWASP: mind the field separator).
    Every place a cell may start gets a quote before a formula's first character; a value
    without one is written as before."""
    from kb.models import Colleague, Evidence, Pair, Pairing

    payloads = (
        'VPN;=HYPERLINK("http://x.example";"open")',
        "Ann\n=cmd|' /C calc'!A0;",
        "Ops\t+SUM(1;2)",
        "Fin\r\n@SUM(1)",
        'Q3; "-2+3',
        "  =1+1",
    )
    plain = ("Costs, -5% in Q3", "Grace Hopper", "it", "VPN (a.md)")
    for text in payloads + plain:
        first = Colleague(text, team=text, department="IT")
        second = Colleague("Bo", team="finance", department="Business")
        evidence = (Evidence("a.md", text, "", 1, 1.0),)
        pair = Pair("coffee", first, second, 1.0, (), text, evidence)
        written = pairs_csv(Pairing("coffee", 0, (pair,), ()), Directory(()))
        cells = [c for r in csv.reader(io.StringIO(written)) for c in r]  # as written
        for line in written.splitlines():  # as a sheet splitting at `;` or a tab reads it
            cells += [c for separator in (";", "\t") for c in line.split(separator)]
        for cell in cells:
            assert not cell.lstrip(' "').startswith(("=", "+", "-", "@")), (text, cell)
        row = rows(written)[0]
        if text in plain:
            assert row["person 1"] == row["reason"] == text, row
