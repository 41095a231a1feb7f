"""people.yaml's programme fields (issue 20): level, started, location, timezone, languages,
capacity, and private balance attributes kept only as group numbers."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from helpers import write

from kb.content import directory_fields as fields
from kb.content.directory import read_directory
from kb.models import Directory, Person, hours_apart, level_rank

FULL = """\
people:
  - name: Ana Ruiz
    level: Senior
    started: 2021-03
    location: Lisbon
    timezone: Europe/Lisbon
    languages: [pt, English]
    capacity: 6
    private: {gender: F, caregiver: "yes"}
  - name: Bo Chen
    level: 2
    timezone: UTC+8
    languages: zh, en
    private: {gender: m}
  - name: Cy Diaz
    level: intern
    private: {gender: f}
"""

BAD = """\
people:
  - name: Ana Ruiz
    level: boss
    started: soon
    timezone: Mars/Olympus
    languages: [xyzzy]
    capacity: -4
    private: {gender: [a, b]}
  - name: Bo Chen
    private: "Unicorn-Value-1234"
"""


def test_programme_fields_are_read_into_one_plain_form(tmp_path):
    write(tmp_path / "people.yaml", FULL)
    directory, problems = read_directory(tmp_path)
    assert problems == []
    ana, bo, cy = directory.people
    assert (ana.level, ana.started, ana.location, ana.timezone) == (
        "senior",
        "2021-03-01",
        "Lisbon",
        "Europe/Lisbon",
    )
    assert ana.languages == ("pt", "en") and ana.capacity == 6.0
    assert (bo.level, bo.timezone, bo.languages, bo.capacity) == (
        "2",
        "UTC+08:00",
        ("zh", "en"),
        None,
    )
    assert cy.level == "junior"  # "intern" is another word for it
    assert [level_rank(p.level) for p in (ana, bo, cy)] == [3.0, 2.0, 1.0]
    assert hours_apart(ana.timezone, bo.timezone) == 8.0  # Lisbon is UTC+0 in winter, +1 in summer


def test_private_values_are_kept_only_as_who_shares_one(tmp_path):
    write(tmp_path / "people.yaml", FULL)
    ana, bo, cy = read_directory(tmp_path)[0].people
    # Case and spacing folded: Ana's "F" and Cy's "f" are one group; Bo's another.
    assert dict(ana.private)["gender"] == dict(cy.private)["gender"] != dict(bo.private)["gender"]
    assert dict(ana.private)["caregiver"] == 1 and "caregiver" not in dict(bo.private)
    for person in (ana, bo, cy):
        text = repr(person) + repr(dataclasses.asdict(person))
        assert "'f'" not in text.casefold() and "'m'" not in text and "yes" not in text


def test_bad_programme_fields_are_reported_by_line_and_never_repeat_a_private_value(tmp_path):
    write(tmp_path / "people.yaml", BAD)
    directory, problems = read_directory(tmp_path)
    ana, bo = directory.people  # both kept: a bad field is skipped, not the person
    assert (ana.level, ana.started, ana.timezone, ana.languages, ana.capacity, ana.private) == (
        "",
        "",
        "",
        (),
        None,
        (),
    )
    lines = {(p.line, p.message.split(":")[0] + ":" + p.message.split(":")[1]) for p in problems}
    assert {line for line, _ in lines} == {3, 4, 5, 6, 7, 8, 10}
    text = " ".join(str(p) for p in problems)
    assert "Unicorn-Value-1234" not in text and "[a, b]" not in text and "'a'" not in text
    assert "people.yaml:3: Ana Ruiz: level ignored" in text
    assert "people.yaml:10: private ignored" in text


def test_a_hidden_persons_programme_fields_are_not_kept(tmp_path):
    write(
        tmp_path / "people.yaml",
        "- name: Ines Park\n  hide_from_expert_search: true\n  level: lead\n"
        "  timezone: Europe/Berlin\n  private: {gender: f}\n- name: Bo Chen\n",
    )
    directory, problems = read_directory(tmp_path)
    ines = directory.people[0]
    assert problems == [] and ines.hidden  # kept in memory to hide her, nothing else
    assert (ines.level, ines.timezone, ines.private, ines.contact) == ("", "", (), "")


def test_a_person_round_trips_through_the_manifest_record():
    person = Person(
        "Ana Ruiz",
        languages=("pt", "en"),
        capacity=6.0,
        level="senior",
        private=(("gender", 1),),
    )
    record = dataclasses.asdict(person)
    record = {k: list(v) if isinstance(v, tuple) else v for k, v in record.items()}
    record["private"] = [list(x) for x in person.private]
    assert Person.from_record(record) == person
    assert Person.from_record({"name": "Old Index"}) == Person("Old Index")  # older manifests


@pytest.mark.parametrize(
    "value", ["../../etc/passwd", "/etc/passwd", "Europe/../../x", "UTC+99", "", "a" * 300]
)
def test_a_timezone_that_names_a_path_or_nonsense_is_refused(value):
    with pytest.raises(fields.Refused):
        fields.timezone(value)


@pytest.mark.parametrize("value", ["101", "-1", "200", ".nan", ".inf", "1e309", "'2e2'"])
def test_a_level_out_of_range_is_reported_not_a_crash(tmp_path, value):
    write(tmp_path / "people.yaml", f"people:\n  - name: Ana Ruiz\n    level: {value}\n")
    directory, problems = read_directory(tmp_path)
    assert directory.people[0].level == ""
    assert [str(p) for p in problems] == [
        "people.yaml:3: Ana Ruiz: level ignored: use junior, mid, senior, lead, executive or "
        "a number from 0 to 100"
    ]


def test_odd_values_are_refused_or_read_plainly(tmp_path):
    write(
        tmp_path / "people.yaml",
        "- name: Ana Ruiz\n  timezone: localtime\n  capacity: -0\n  level: '-0'\n"
        "  private: {gender: x, GENDER: y}\n",
    )
    directory, problems = read_directory(tmp_path)
    ana = directory.people[0]
    assert (ana.timezone, ana.capacity, ana.level, ana.private) == ("", 0.0, "0", ())
    text = " ".join(str(p) for p in problems)
    assert "timezone ignored" in text and "'GENDER' is given twice" in text


@pytest.mark.parametrize(
    "value",
    [
        "*Qqsecret",
        "!Qqsecret x",
        "!!int Qqsecret",
        "!!bool Qqsecret",
        "!!timestamp Qqs",
        '!!int "Qq\'sec\\"ret\\" Qqtail"',  # both kinds of quote
    ],
)
def test_a_yaml_error_never_repeats_the_text_it_stopped_at(tmp_path, value):
    write(tmp_path / "people.yaml", f"people:\n  - name: Ana Ruiz\n    private: {{g: {value}}}\n")
    _, problems = read_directory(tmp_path)
    (problem,) = problems
    text = problem.message.casefold()
    assert "cannot be read" in text and "qq" not in text and "ret" not in text


def test_left_is_read_as_a_date_and_a_bad_one_is_reported_at_its_line(tmp_path):
    write(
        tmp_path / "people.yaml",
        "people:\n  - name: Ana Ruiz\n    left: 2025-03\n  - name: Bo Chen\n    role: Buyer\n"
        "    left: when the project ends\n  - name: Cy Diaz\n    left: 2024-06-30\n",
    )
    directory, problems = read_directory(tmp_path)
    ana, bo, cy = directory.people
    assert (ana.left, bo.left, cy.left) == ("2025-03-01", "", "2024-06-30")  # as `started:`
    assert bo.role == "Buyer"  # a bad date is skipped, not the person
    assert [str(p) for p in problems] == [
        "people.yaml:6: Bo Chen: left ignored: use a date such as 2024-03-01"
    ]


def test_someone_has_left_from_the_day_their_left_date_comes():
    person = Person("Ana Ruiz", left="2026-01-31")
    assert not person.has_left(date(2026, 1, 30))  # leaving then: still here
    assert person.has_left(date(2026, 1, 31)) and person.has_left(date(2027, 1, 1))
    assert not Person("Bo Chen").has_left(date(2999, 1, 1))
    assert Person("Cy Diaz", left="2001-01-01").has_left()  # today, by default
    assert not Person("Di Eve", left="2999-01-01").has_left()


def test_a_directory_proposes_only_people_it_lists_who_have_not_left():
    people = Directory(
        (Person("Ana Ruiz", aliases=("aruiz",), left="2026-01-31"), Person("Bo Chen"))
    )
    day, before = date(2026, 2, 1), date(2026, 1, 1)
    assert people.not_proposed("aruiz", day) == "left on 2026-01-31"  # an alias finds her
    assert (
        people.left_on("Ana Ruiz", day) == "2026-01-31" and people.left_on("Ana Ruiz", before) == ""
    )
    assert people.may_propose("Ana Ruiz", before) and not people.may_propose("Ana Ruiz", day)
    assert people.may_propose("bo chen", day)
    assert people.not_proposed("Jo Bloggs", day) == "not in people.yaml"
    assert Directory().may_propose("Jo Bloggs", day)  # no directory: no one to ask
