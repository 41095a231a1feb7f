"""A barcamp programme as an iCalendar file (RFC 5545), one event per session, written by
the `icalendar` library (it escapes and folds the text), in a named time zone: floating times
were read as 10:00 in Boston, London and Stockholm alike (a user trial)."""

from __future__ import annotations

import hashlib
import os
import re
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

from kb.errors import SettingError
from kb.models import Barcamp

ZONE_SETTING = "KB_TIMEZONE"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def _text(value: str) -> str:
    """Text without control characters (a calendar shows them raw, or rejects the file)."""
    return _CONTROL.sub("", value)


def time_zone() -> tuple[str, str]:
    """The barcamp's time zone (an IANA name) and where it comes from: `KB_TIMEZONE`, else
    this machine's (`tzlocal`); `SettingError` for a `KB_TIMEZONE` that names none."""
    named = os.environ.get(ZONE_SETTING, "").strip()
    if not named:
        import tzlocal  # only for a calendar: `kb barcamp` without --ics never needs it

        return tzlocal.get_localzone_name() or "UTC", "this machine's time zone"
    try:
        zoneinfo.ZoneInfo(named)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise SettingError(
            f"{ZONE_SETTING}={named[:60]!r} is not a time zone; use a name such as Europe/Berlin"
        ) from None
    return named, ZONE_SETTING


def next_working_day(today: date) -> date:
    """The first Monday to Friday after `today` (public holidays are not known)."""
    day = today + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def schedule_problems(
    day: date, start: time, minutes: int, slots: int, zone: str, now: datetime | None = None
) -> list[str]:
    """What is wrong with holding `slots` slots of `minutes` from `start` on `day` in `zone`:
    a day or a start already past, a last session that ends after midnight."""
    tz = zoneinfo.ZoneInfo(zone)
    now = now or datetime.now(tz)
    begin = datetime.combine(day, start, tzinfo=tz)
    end = begin + timedelta(minutes=minutes * slots)
    problems = []
    if day < now.date():
        problems.append(f"{day.isoformat()} is in the past")
    elif begin < now:
        problems.append(f"the first session, at {start:%H:%M} today, has begun or passed")
    if end.date() > day:
        problems.append(f"the last session ends after midnight ({end:%Y-%m-%d %H:%M})")
    return problems


def barcamp_ics(programme: Barcamp, day: date, start: time, minutes: int, zone: str) -> bytes:
    """The sessions on `day`, slot 1 at `start` in the time zone `zone` (an IANA name, its
    definition included), each `minutes` long."""
    import icalendar  # only for a calendar: `kb barcamp` without --ics never needs it

    cal = icalendar.Calendar()
    cal.add("prodid", "-//kb//barcamp//EN")
    cal.add("version", "2.0")
    stamp = datetime.now(UTC).replace(microsecond=0)
    tz = zoneinfo.ZoneInfo(zone)
    for s in programme.sessions:
        begin = datetime.combine(day, start, tzinfo=tz) + timedelta(minutes=minutes * (s.slot - 1))
        event = icalendar.Event()
        key = f"{day}\0{s.slot}\0{s.room}\0{s.title}".encode()
        event.add("uid", hashlib.sha256(key).hexdigest()[:32] + "@kb")
        event.add("dtstamp", stamp)
        event.add("dtstart", begin)
        event.add("dtend", begin + timedelta(minutes=minutes))
        event.add("summary", _text(s.title))
        event.add("location", f"Room {s.room}")
        audience = ", ".join(c.name for c in s.audience) or "open to everyone"
        pages = "\n".join(f"- {p.title} ({p.path})" for p in s.pages)
        event.add(
            "description",
            _text(
                f"Speaker: {s.speaker.name}\nWhy: {s.why}\nSuggested audience: {audience}\n"
                f"Read before:\n{pages}"
            ),
        )
        cal.add_component(event)
    cal.add_missing_timezones()  # a VTIMEZONE for the TZID: calendars need not know it
    return cal.to_ical()
