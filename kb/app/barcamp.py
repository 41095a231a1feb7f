"""The barcamp view: a proposed programme, slot by slot, and a calendar file to download."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from kb.app.load import search_log
from kb.app.present import literal as esc
from kb.app.state import MAX_CAMP
from kb.app.widgets import colleague_line, page_link, person_link
from kb.facade import Facade
from kb.people.calendar import barcamp_ics


def render_barcamp(kb: Facade) -> None:
    st.subheader("Internal barcamp", anchor=False)
    st.caption(
        "What people search for and do not find, and topics that rest on one person, each "
        "with a speaker who knows it and colleagues from the other department to invite. No "
        "speaker twice in one slot."
    )
    left, right = st.columns(2)
    slots = left.number_input("Slots", min_value=1, max_value=MAX_CAMP, step=1, key="camp_slots")
    rooms = right.number_input("Rooms", min_value=1, max_value=MAX_CAMP, step=1, key="camp_rooms")
    camp = kb.barcamp(slots=int(slots), rooms=int(rooms), log=search_log())
    if camp.note:
        st.info(esc(camp.note))
    if not camp.sessions:
        st.warning("No sessions: no topic rests on one person and the log shows no demand.")
    for slot in range(1, int(slots) + 1):
        sessions = [s for s in camp.sessions if s.slot == slot]
        if not sessions:
            continue
        st.markdown(f"#### Slot {slot}")
        for s in sessions:
            with st.container(border=True):
                st.markdown(f"**Room {s.room}: {esc(s.title)}**")
                st.markdown(f"Speaker: {colleague_line(s.speaker)}  \n{esc(s.why)}")
                invite = ", ".join(person_link(c.name) for c in s.audience)
                st.markdown("Invite: " + (invite or "everyone (no one across the divide is close)"))
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
    st.download_button(
        "Download the programme (calendar, .ics)",
        barcamp_ics(camp, dt.date.today(), dt.time(10, 0), 45),
        file_name="barcamp.ics",
        mime="text/calendar",
        disabled=not camp.sessions,
    )
