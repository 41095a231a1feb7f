"""The barcamp view: a proposed programme, slot by slot, and a calendar file to download."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from kb.app.load import search_log
from kb.app.present import literal as esc
from kb.app.present import note_text
from kb.app.state import MAX_CAMP
from kb.app.widgets import colleague_line, page_link, person_link
from kb.errors import SettingError
from kb.facade import Facade
from kb.models.reports import OPEN_INVITE
from kb.people.calendar import (
    ZONE_SETTING,
    barcamp_ics,
    next_working_day,
    schedule_problems,
    time_zone,
)


def render_barcamp(kb: Facade) -> None:
    st.header("Internal barcamp", anchor=False)
    st.caption(
        "What people search for and do not find, and topics that rest on one person, each "
        "with a speaker who knows it and colleagues from the other department to invite. No "
        "speaker twice in one slot."
    )
    left, right = st.columns(2)
    slots = left.number_input("Slots", min_value=1, max_value=MAX_CAMP, step=1, key="camp_slots")
    rooms = right.number_input("Rooms", min_value=1, max_value=MAX_CAMP, step=1, key="camp_rooms")
    # The calendar's day: the next working day unless picked (today's 10:00 had passed when
    # a trial downloaded it, on a Sunday).
    s = st.session_state
    s.setdefault("camp_day", next_working_day(dt.date.today()))
    s.setdefault("camp_start", dt.time(10, 0))
    s.setdefault("camp_minutes", 45)
    day, start, length = st.columns(3)
    day.date_input("Day", key="camp_day", format="YYYY-MM-DD")
    start.time_input("First session at", key="camp_start", step=900)
    length.number_input("Minutes each", min_value=10, max_value=240, key="camp_minutes")
    # Who speaks and who is invited are judged on the day it is held, as `kb barcamp --date`.
    camp = kb.barcamp(slots=int(slots), rooms=int(rooms), log=search_log(), day=s.camp_day)
    if camp.note:
        st.info(note_text(camp.note))
    if not camp.sessions:
        st.warning("No sessions: no topic rests on one person and the log shows no demand.")
    for slot in range(1, int(slots) + 1):
        sessions = [s for s in camp.sessions if s.slot == slot]
        if not sessions:
            continue
        st.markdown(f"### Slot {slot}")
        for s in sessions:
            with st.container(border=True):
                st.markdown(f"**Room {s.room}: {esc(s.title)}**")
                st.markdown(f"Speaker: {colleague_line(s.speaker)}  \n{esc(s.why)}")
                invite = ", ".join(person_link(c.name) for c in s.audience)
                st.markdown("Invite: " + (invite or OPEN_INVITE))
                if s.pages:
                    st.markdown(
                        "Read before: "
                        + " · ".join(f"[{esc(p.title)}]({page_link(p.path)})" for p in s.pages)
                    )
    if camp.unscheduled:
        st.caption(
            f"Also proposed, no place left ({len(camp.unscheduled)}): "
            + esc(", ".join(camp.unscheduled[:8]))
        )
    render_calendar(camp, int(slots))


def render_calendar(camp, slots: int) -> None:
    """The programme as a calendar file, on the day and from the time picked, in a named time
    zone, and what is wrong with them said before the download."""
    s = st.session_state
    try:
        zone, source = time_zone()
    except SettingError as err:
        st.error(esc(str(err)))
        return
    day, start, minutes = s.camp_day, s.camp_start, int(s.camp_minutes)
    for problem in schedule_problems(day, start, minutes, slots, zone):
        st.warning(esc(f"The calendar: {problem}."))
    # Where the zone comes from is for whoever runs kb, not an HR lead planning the day
    # ("this machine's time zone; KB_TIMEZONE sets another" read as jargon: a business trial).
    other = "" if source == ZONE_SETTING else f"; {ZONE_SETTING} sets another"
    st.caption(esc(f"Times in {zone}."), help=esc(f"The time zone: {source}{other}."))
    st.download_button(
        "Download the programme (calendar, .ics)",
        barcamp_ics(camp, day, start, minutes, zone),
        file_name=f"barcamp-{day.isoformat()}.ics",
        mime="text/calendar",
        disabled=not camp.sessions,
    )
