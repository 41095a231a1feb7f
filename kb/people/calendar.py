"""A barcamp programme as an iCalendar file (RFC 5545), one event per session, written by
the `icalendar` library (it escapes and folds the text)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, time, timedelta

import icalendar

from kb.models import Barcamp

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def _text(value: str) -> str:
    """Text without control characters (a calendar shows them raw, or rejects the file)."""
    return _CONTROL.sub("", value)


def barcamp_ics(programme: Barcamp, day: date, start: time, minutes: int) -> bytes:
    """The sessions on `day`, slot 1 at `start` (local time), each `minutes` long."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//kb//barcamp//EN")
    cal.add("version", "2.0")
    stamp = datetime.now(UTC).replace(microsecond=0)
    for s in programme.sessions:
        begin = datetime.combine(day, start) + timedelta(minutes=minutes * (s.slot - 1))
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
    return cal.to_ical()
