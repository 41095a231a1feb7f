"""The barcamp's calendar: a day that is not already past (the next working day unless
picked), a warning for a day or start in the past or a programme that runs past midnight,
and times in a named time zone (KB_TIMEZONE, else this machine's), not floating. A user
trial downloaded the app's file at 11:45 on a Sunday: it held that day's 10:00, floating."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from click.testing import CliRunner
from helpers import all_text, new_app

from kb.cli import cli
from kb.errors import SettingError
from kb.models import Barcamp, Colleague, Session
from kb.people.calendar import barcamp_ics, next_working_day, schedule_problems, time_zone

BERLIN = "Europe/Berlin"


def programme() -> Barcamp:
    speaker = Colleague("Sofia Alvarez", "service-desk", "IT")
    sessions = tuple(Session(slot, 1, f"Talk {slot}", speaker, "why", (), (), 1) for slot in (1, 2))
    return Barcamp(2, 1, sessions, (), 0, "")


def test_the_calendar_names_its_time_zone_and_defines_it():
    ics = barcamp_ics(programme(), date(2027, 3, 26), time(10, 0), 45, BERLIN)
    cal = icalendar.Calendar.from_ical(ics)
    starts = [e.decoded("dtstart") for e in cal.walk("VEVENT")]
    assert [s.tzinfo.key for s in starts] == [BERLIN, BERLIN]
    assert [s.astimezone(ZoneInfo("UTC")).strftime("%H:%M") for s in starts] == ["09:00", "09:45"]
    assert b"DTSTART;TZID=Europe/Berlin:20270326T100000" in ics
    assert [str(z["tzid"]) for z in cal.walk("VTIMEZONE")] == [BERLIN]


def test_the_zone_is_the_setting_else_the_machines(monkeypatch):
    monkeypatch.setenv("KB_TIMEZONE", "America/New_York")
    assert time_zone() == ("America/New_York", "KB_TIMEZONE")
    monkeypatch.setenv("KB_TIMEZONE", "Mars/Olympus")
    with pytest.raises(SettingError, match="KB_TIMEZONE='Mars/Olympus' is not a time zone"):
        time_zone()
    monkeypatch.delenv("KB_TIMEZONE")
    zone, source = time_zone()
    assert source == "this machine's time zone" and ZoneInfo(zone)


def test_the_default_day_is_the_next_working_day():
    friday, saturday, sunday = date(2026, 12, 4), date(2026, 12, 5), date(2026, 12, 6)
    assert {next_working_day(d) for d in (friday, saturday, sunday)} == {date(2026, 12, 7)}
    assert next_working_day(date(2026, 12, 7)) == date(2026, 12, 8)


def test_a_past_day_a_started_programme_and_one_past_midnight_are_said():
    now = datetime(2026, 12, 6, 11, 45, tzinfo=ZoneInfo(BERLIN))
    said = schedule_problems(date(2020, 1, 1), time(10), 45, 4, BERLIN, now)
    assert said == ["2020-01-01 is in the past"]
    said = schedule_problems(now.date(), time(10), 45, 4, BERLIN, now)
    assert said == ["the first session, at 10:00 today, has begun or passed"]
    said = schedule_problems(date(2026, 12, 7), time(23, 30), 240, 4, BERLIN, now)
    assert said == ["the last session ends after midnight (2026-12-08 15:30)"]
    assert schedule_problems(date(2026, 12, 7), time(10), 45, 4, BERLIN, now) == []


def test_the_cli_warns_of_a_past_day_and_says_the_zone(bundled_index, tmp_path, monkeypatch):
    monkeypatch.setenv("KB_TIMEZONE", BERLIN)
    ics = tmp_path / "camp.ics"
    args = ["barcamp", "--slots", "2", "--ics", str(ics), "--index-dir", str(bundled_index)]
    result = CliRunner().invoke(cli, [*args, "--date", "2020-01-01"])
    assert result.exit_code == 0, result.output
    assert "warning: 2020-01-01 is in the past; the calendar is written as asked" in result.output
    assert f"({'2020-01-01'}, times in {BERLIN}: KB_TIMEZONE)" in result.output
    result = CliRunner().invoke(cli, [*args, "--json"])  # no day: the next working day
    assert result.exit_code == 0 and "warning" not in result.output
    json.loads(result.output)
    events = icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    days = {e.decoded("dtstart").date() for e in events}
    assert days == {next_working_day(date.today())}  # the machine's day, as the CLI's default


def test_the_app_picks_the_next_working_day_and_warns_of_a_past_one(monkeypatch, bundled_index):
    monkeypatch.setenv("KB_TIMEZONE", BERLIN)
    at = new_app(monkeypatch, bundled_index, view="barcamp")
    assert not at.exception
    assert at.date_input(key="camp_day").value == next_working_day(date.today())
    # The zone plainly; where it comes from in the caption's help, for whoever runs kb.
    (times,) = [c for c in at.caption if c.value.startswith("Times in")]
    said, helped = (t.replace("\\", "") for t in (times.value, times.help))  # as rendered
    assert said == f"Times in {BERLIN}." and helped == "The time zone: KB_TIMEZONE."
    assert not [w for w in at.warning if "calendar" in str(w.value)]
    at.date_input(key="camp_day").set_value(date.today() - timedelta(days=3)).run()
    past = (date.today() - timedelta(days=3)).isoformat()
    assert f"The calendar: {past} is in the past." in all_text(at)
