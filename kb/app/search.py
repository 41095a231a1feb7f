"""The search view: the results by page and who knows about it; the start page before."""

from __future__ import annotations

from datetime import date

import streamlit as st

from kb.app.filters import render_unknown
from kb.app.keys import mount_keys
from kb.app.landing import render_landing
from kb.app.load import on_api, search_log
from kb.app.present import contact_markdown
from kb.app.present import literal as esc
from kb.app.query import shown_experts, shown_search
from kb.app.state import (
    FULL_RUN,
    clear_filters,
    current_filters,
    has_sides,
    open_person,
    sync_url,
)
from kb.app.tables import Html, bar, render_table
from kb.app.widgets import author_link, badges, highlighted, page_link, person_link, unbroken
from kb.content.departments import BUSINESS, IT, other_side
from kb.facade import Facade
from kb.importing.pagefile import slug
from kb.importing.stub import stub_text, title_for
from kb.inputs import MAX_QUERY
from kb.models import (
    Directory,
    Evidence,
    Expert,
    Hit,
    Results,
    main_authors,
)
from kb.models.names import counted, named_in, printable_name, spoken
from kb.models.shown import plain
from kb.search.asking import about_people
from kb.search.experts import weakly_known
from kb.search.relevance import NEAR_MISS, WEAK, unreadable

SIDES = (IT, BUSINESS)
EXPERTS_ANCHOR = "who-knows"
FILTER_LABELS = {
    "department": "Department",
    "team": "Team",
    "tag": "Tag",
    "author": "Author",
    "updated_since": "Updated since",
}


@st.fragment
def render_search(kb: Facade) -> None:
    """The box, the results and the experts, as a fragment: a search typed into the box
    reruns only this part first, and the browser redraws only it (redrawing the whole page
    made typed results about a quarter slower: docs/performance.md); a full run follows at
    once for the rest of the page (the filters' counts, the tab's title), unless this is
    that run."""
    said = render_results(kb)
    sync_url()
    mount_keys(announce=said)
    if not st.session_state.get(FULL_RUN):
        st.rerun(scope="app")


def render_results(kb: Facade) -> str:
    """The box and what it found; returns what a screen reader is told of it (keys.js says
    it in a live region once the results for the box's words are on screen: results that
    came as one typed were silent, an accessibility trial). The same words as on screen."""
    st.text_input(
        "Search",
        key="q",
        # Cut as a link's ?q= is, not by max_chars: its counter ("10/1000") sat in the box.
        on_change=_cut_query,
        placeholder="e.g. how do I get a laptop for a new starter?",
        label_visibility="collapsed",
    )
    render_unknown()
    shown = shown_search(kb)
    if shown is None:
        render_landing(kb, current_filters(kb))
        return ""
    found, filters, answers, closest = shown.found, shown.filters, shown.answers, shown.closest
    # The asker's side is theirs, not a filter: the same results, people across the divide.
    me = st.session_state.get("me") or ""
    experts, near, experts_ms = shown_experts(kb, shown)
    elapsed = shown.elapsed + experts_ms

    # Who has left or is leaving, read from the manifest once: a card marks its authors, and
    # when nothing answers the writers of a missing page and "who knows" leave them out.
    directory = Directory.recorded(kb.manifest)

    said = f"Showing results for {plain(found.corrected)}. " if found.corrected else ""
    results, people = st.columns([3, 2], gap="large")
    with results:
        render_who_knows_link(experts, other_side(me))
        if found.corrected:
            render_correction(found)
        named = named_in(found.query, kb.people())  # "what does Tomasz Nowak do"
        asks_about = about_people(found.query, named)
        for name in named:
            st.markdown(f"{person_link(name)} wrote pages here: their profile lists them.")
            if asks_about:
                render_their_pages(kb, name)
        if asks_about and found:
            st.caption(f"Pages that name {esc(spoken(named))}:")
        if not found:
            if filters.active:
                loosen = [FILTER_LABELS[f] for f in kb.loosen(shown.query, filters)]
                more = f" Loosen: {', '.join(loosen)}." if loosen else ""
                none = f"No results with these filters.{more}"
                st.warning(none)
                render_clear("clear-filters-empty")
            else:
                none = "No results. Try other words."
                st.warning(none)
            said += none
        elif not answers:
            # A question about a colleague alone is answered by their profile: no page is
            # missing, and no one should write it.
            said += render_no_answer(
                kb, found, closest, filters, elapsed, directory, gap=not asks_about
            )
        else:
            n = len(answers)
            # "likely": relevant means at least even odds, and the fold below is "less likely
            # to answer"; "8 pages answer" read as a promise (a trial). Under `WEAK` the
            # people panel says "weak evidence", so "likely" beside it read as a contradiction
            # (a trial: "company car policy", 59%).
            likely = max(hit.confidence for hit, _ in answers) >= WEAK
            if n == 1:
                verb = "page likely answers" if likely else "page may answer"
            else:
                verb = "pages likely answer" if likely else "pages may answer"
            st.caption(f"{n} {verb} “{esc(plain(found.searched))}” · {elapsed:.0f} ms")
            fold = f"; {len(closest)} more, less likely to answer" if closest else ""
            said += f"{n} {verb}{fold}."
            for i, (hit, more) in enumerate(answers):
                render_hit(hit, more, found.searched, i, directory)
            if closest:
                with st.expander(f"{len(closest)} more, less likely to answer"):
                    for i, (hit, more) in enumerate(closest, len(answers)):
                        render_hit(hit, more, found.searched, i, directory)
    with people:
        outside = found.elsewhere_note(filters) if not answers else ""
        unwritten = found.unwritten_note(NEAR_MISS, directory.left_on) if not answers else ""
        # Not "kb found no one who has written..." beside them, answered or not: "Grace
        # O'Connor" is answered by a "Contacts", which votes for no one.
        if asks_about:
            unwritten = f"{spoken(named)} wrote pages here: their profile lists them."
        render_experts(experts, me, near, outside, unwritten, sided=has_sides(kb))
    return said


def render_their_pages(kb: Facade, name: str, most: int = 5) -> None:
    """A search for a colleague alone leads to them: the pages they wrote, theirs most
    first, before the pages that name them. Searched, "Grace O'Connor" gave the Coupa
    page's "Contacts" first (her name is all its words): a page that sends readers to her,
    not one she wrote on (a trial). Search's ranking is unchanged; it follows, captioned."""
    profile = kb.profile(name)
    if profile is None or not profile.pages:
        return
    pages = profile.theirs_first()
    lines = [f"- [{esc(p.title)}]({page_link(p.path)}) ({p.share:.0%} theirs)" for p in pages]
    if len(pages) > most:
        lines[most:] = [f"- … and {len(pages) - most} more on their profile"]
    st.markdown("\n".join(lines))


def _cut_query() -> None:
    """A query longer than `MAX_QUERY` is cut, as a link's ?q= is; only then is it set: a
    value set is sent back to the browser, which puts it in the box and drops what was typed
    since it was sent (the query is sent as you type: under load, letters went missing)."""
    if len(st.session_state.q) > MAX_QUERY:
        st.session_state.q = st.session_state.q[:MAX_QUERY]


def _evidence_place(ev: Evidence) -> str:
    """ "Title › Heading › Subheading": a heading path's own " > " as a card's " › " (a
    new-user trial saw both in one line)."""
    return " › ".join((ev.title, *ev.heading.split(" > "))) if ev.heading else ev.title


def report_missing(kb: Facade, query: str, filters) -> None:
    """The button's callback: it runs once per click, before the run, and what it kept is
    remembered with the search (a message drawn in the click's own run would be gone after
    the full run that follows the search view's fragment, and a second click logs twice)."""
    kept = kb.report_missing(query, filters=filters)
    st.session_state["missing_reported"] = ((query, filters), kept)


def render_clear(key: str, label: str = "Clear filters") -> None:
    st.button(label, key=key, on_click=clear_filters, icon=":material/filter_alt_off:")


def render_correction(found: Results) -> None:
    """ "Showing results for *expense policy* — search instead for *expnse polcy*"."""
    st.markdown(f"Showing results for ***{esc(found.corrected)}***")
    st.button(
        f"Search instead for “{esc(found.query)}”",  # a button label is Markdown too
        key="exact",
        on_click=lambda: st.session_state.update(exact_for=found.query),
        type="tertiary",
        icon=":material/spellcheck:",
    )


def render_no_answer(
    kb: Facade,
    found: Results,
    closest: list[tuple[Hit, list[Hit]]],
    filters,
    elapsed: float,
    directory: Directory,
    *,
    gap: bool = True,
) -> str:
    """No page answers well: say so, fold the closest pages, and unless `gap` is False
    offer to record the gap. Returns the headline and its note, as plain text."""
    # With pages outside the filters that answer, the filters are what hide them: say so
    # first (a trial read "No page answers this well" over "2 Business pages do").
    headline = f"No page {filters.describe()} answers this well" if found.elsewhere else ""
    note = f"{found.elsewhere_pages()}, outside the filters." if found.elsewhere else ""
    headline = headline or "No page answers this well"
    # A page that uses every word of the question is open, not folded: one word the model
    # cannot read ("minibar") is answered by no page, yet one says it (a new-user trial).
    using = sum(1 for hit, _ in closest if hit.coverage >= 1.0)
    # A question of one word is named: "every word of it" read oddly of one (a new-user trial).
    searched = plain(found.searched)  # as shown, as the answered caption says it
    words = [w.strip("?!.,;:") for w in searched.split()]
    used = f"the word “{words[0]}”" if len(words) == 1 and words[0] else "every word of it"
    verb = "uses" if using == 1 else "use"
    if using and not note:
        note = f"{using} of the closest {verb} {used}: see below."
    st.info(
        f"**{esc(headline)}.** {esc(note)}",
        icon=":material/search_off:",
    )
    said = f"{headline}. {note}".strip()
    # The headline said it: "Nothing answers ... well" under it said it twice (a trial).
    st.caption(f"Searched “{esc(searched)}” · {elapsed:.0f} ms")
    label = f"The {len(closest)} closest pages (less likely to answer)"
    if using:
        label += f"; {using} of them {verb} {esc(used)}"
    with st.expander(label, expanded=bool(using)):
        for i, (hit, more) in enumerate(closest):
            render_hit(hit, more, found.searched, i, directory)
    if found.elsewhere:
        # The page exists, outside the filters: offer it, not a report of a missing page.
        render_clear("unfilter", "Search without the filters")
        return said
    if not gap:
        return said
    if unreadable(found.searched, found.hits):  # no page to start: "Xqzvbnm plorkt.md"
        st.caption(
            "None of its words is in these pages or in English, so no new page is suggested "
            "to write. Check the spelling, or ask in English."
        )
        return said
    # Only near misses say who could write its page, as in the gap report and the barcamp:
    # the closest pages to "xqzvbnm plorkt" or "canteen menu" are no one's field.
    # Never someone who has left (a review found the stub offered to one).
    may = directory.may_propose
    writers = main_authors([h for hit, more in closest for h in (hit, *more)], 3, NEAR_MISS, may)
    asked = (found.query, filters)
    reported = st.session_state.get("missing_reported")
    # Without a log a click could record nothing: no button then, rather than a dead one
    # that reads as broken to an employee (a trial); why comes last, small.
    keeps = bool(search_log() or on_api())
    if keeps and (reported is None or reported[0] != asked):
        st.button(
            "This page is missing",
            icon=":material/note_add:",
            key="missing",
            on_click=report_missing,
            args=(kb, found.query, filters),
        )
    elif keeps and reported[1]:
        st.success("Recorded for the gap report (Gaps › Unanswered searches).")
    elif keeps:
        st.warning("This kb keeps no search log (KB_SEARCH_LOG), so nothing was recorded.")
    if writers:
        st.caption(
            "Who could write it: "
            + ", ".join(esc(w) for w in writers)
            + " (they wrote the pages that come near)."
        )
    elif using:  # its words are there, in pages far from it in meaning: no one to ask
        st.caption("No one is suggested to write it.")
    else:
        # Not "no page comes near": a page at confidence 0.3 is near, not near enough (a trial).
        st.caption("No page is near enough to this question to suggest who could write it.")
    render_stub(found.query, closest, writers)
    if not keeps:
        # In an employee's words: a variable's name is for whoever runs kb (README).
        st.caption(MISSING_NOT_KEPT)
    return said


RELEVANCE_HELP = (
    "Each person's share of the pages that answer this (co-authors share a page, by how much "
    "each wrote of it), times how sure kb is that their best page answers. So two co-authors "
    "of one page can differ, and the first is never quite 100."
)

MISSING_NOT_KEPT = (
    "Questions nothing answers are not collected for the gap report here: this kb keeps no "
    "search log."
)


def render_stub(query: str, closest: list[tuple[Hit, list[Hit]]], writers: list[str]) -> None:
    """ "Start the page": the stub opens in place, under the click, to copy or download (a
    download alone showed nothing: a trial saw no stub after clicking)."""
    title = title_for(query)
    # The team of a page near enough to say who could write it, as `writers` are: the
    # closest page to what nothing answers is chance ("what does P2 priority mean for a
    # ticket" was filed under finance, the month-end close's team: a trial).
    near = (
        h.chunk.team
        for h, _ in closest
        if h.chunk.team and h.confidence >= NEAR_MISS and not h.says_whom
    )
    team = next(near, "")
    stub = stub_text(
        title, team=team, authors=tuple(writers[:1]), today=date.today(), question=query
    )
    name = f"{slug(title) or 'new-page'}.md"
    folder = f"content/{team}/" if team else "its team's folder under content/"
    with st.expander("Start the page", icon=":material/edit_document:"):
        st.caption(
            f"A page stub with front matter, for content/{team}/{name}: fill it in and commit it."
            if team
            else f"A page stub with front matter, {name}: no page is near enough to tell its "
            "team, so add `team:` and put it in that team's folder under content/."
        )
        st.code(stub, language="markdown", wrap_lines=True)
        st.download_button(
            f"Download {name}",
            stub,
            file_name=name,
            mime="text/markdown",
            icon=":material/download:",
            key="stub",
            help=f"The stub as a file, for {folder}.",
        )


def render_who_knows_link(experts: list[Expert], across: str) -> None:
    """On a phone the experts come after every result: a link to them, first thing (on a
    wide screen they sit beside the results, and the style shows it only while it has the
    keyboard's focus). None when no one knows, unless a side is picked (its control is
    there)."""
    count = len(experts)
    if not count and not across:
        return
    who = f"Who in {across} knows" if across else "Who knows about this"
    found = counted(count, "person", "people") if count else "no one yet"
    with st.container(key="who-knows-link"):
        st.markdown(f"[{who}: {found} ↓](#{EXPERTS_ANCHOR})")


def render_hit(hit: Hit, more: list[Hit], query: str, n: int, directory: Directory) -> None:
    # One Markdown block per card: every element costs the browser a render on each search.
    c = hit.chunk
    # The title opens the page at its top, the heading path at the section that answers
    # (no "Open page" button, repeated on every card under one name, any more). "Also in
    # this page" reads a path the same way (a trial saw " › " above and " > " under it).
    path = " › ".join(esc(h) for h in c.heading_path)
    heading = f" › [{path}]({page_link(c.path, c.heading)})" if path else ""
    # Authors link to their profiles, each who has left or is leaving says so (as an expert
    # card does: no one should write to a leaver); the file, line and score are for the
    # docs' maintainers.
    people = ", ".join(author_link(a.name, directory) for a in c.authors) or "unknown author"
    debug = st.query_params.get("debug") == "1"
    meta = [f"{esc(printable_name(c.path))}:{c.line}"] if debug else []
    meta.append(people)
    if c.updated:
        meta.append(f"updated {esc(unbroken(c.updated))}")
    if debug:  # a lookup's section is relevant by holding its codes, not by a percentage
        codes = hit.lookup or hit.named
        meta.append("holds the codes looked up" if codes else f"{hit.percent} match")
    # Only a hit that answers marks a sentence as the answer: in the closest pages of a
    # search nothing answers, it read as one (a new-user trial); their words stay bold.
    answer = hit.answer if hit.relevant else ()
    # The title line is a heading, in the text's size (kb/app/style.py): a screen reader
    # skims results by their headings, and the results view had one, "Who knows about this?".
    # Without Streamlit's "Link to heading" anchor: a Tab stop more on every card.
    with st.container(border=True, key=f"hit-{n}"):  # keys.js moves through these
        st.markdown(
            f"## **[{esc(c.title)}]({page_link(c.path)})**{heading} &nbsp; "
            f"{badges(c.department, c.team, c.review_by)}\n\n"
            f":gray[{' · '.join(meta)}]\n\n{highlighted(hit.snippet, query, answer)}"
            + (
                "\n\n:gray[Also in this page:] "
                + " · ".join(
                    f"[{' › '.join(map(esc, h.chunk.heading_path)) or 'Introduction'}]"
                    f"({page_link(h.chunk.path, h.chunk.heading)})"
                    for h in more[:4]
                )
                if more
                else ""
            ),
            anchors=False,
        )


def render_near(near: list[Expert], me: str) -> None:
    """With the asker's side set, a few people on that side who know the topic too: someone
    nearby to ask first, beside the bridge across."""
    if near:
        names = ", ".join(person_link(p.name) for p in near)
        st.markdown(f"In {esc(me)}, {names} {'knows' if len(near) == 1 else 'know'} this too.")


def _relevance_bar(share: float) -> Html:
    """A bar and its number out of 100; an author of an answering section whose page is far
    below the best reads "<1", not "0"."""
    return bar(share, f"{round(100 * share)}" if share >= 0.005 else "<1")


def render_experts(
    experts: list[Expert],
    me: str,
    near: list[Expert],
    outside: str = "",
    unwritten: str = "",
    *,
    sided: bool = True,
) -> None:
    """Who knows, or with the asker's side set (`me`), who on the other side knows, and a
    line for those `near` on the asker's side; then the control that sets the side, if the
    index has departments (`sided`). `outside`: what answers outside the filters, when
    nothing inside them does; `unwritten`: what to say when no one knows
    (`Results.unwritten_note`)."""
    across = other_side(me)
    title = f"Who in {across} knows?" if across else "Who knows about this?"
    # A level-2 heading as the results' titles are, in a subheader's size (kb/app/style.py).
    st.header(title, anchor=EXPERTS_ANCHOR)
    # Personal, not a filter: it changes who is listed, never which pages answer. Not on an
    # index without departments, where no one is on either side (a trial).
    if sided:
        st.segmented_control(
            "I work in",
            SIDES,
            key="me",
            help="Your side of the IT/business divide: kb then lists the colleagues on the "
            "other side who know this topic, for the same results. Remembered in the link.",
        )
    render_near(near, me)
    if not experts and outside:  # someone has, outside the filters (a trial read "yet")
        st.caption(f"{esc(outside)} Search without the filters to see who wrote them.")
        return
    if not experts:
        st.caption(
            f"kb found no one in {across} who has written about this; pick your side again "
            "to clear it and see everyone who has."
            if across
            else esc(unwritten or "kb found no one who has written about this.")
        )
        return
    if weakly_known(experts):  # the closest authors, not people known to know (a trial)
        best = max(p.confidence for p in [p for p in experts if not p.left] or experts)
        st.caption(
            f"**Weak evidence**: the best page is only {best:.0%} sure to answer this; "
            "these are its closest authors."
        )
    # Bars compare the people one may ask, scaled by how sure kb is that each one's best
    # page answers (`rated`): the best person's full bar over a page 55% sure read as
    # certain (a trial). A card says who has left.
    here = [p for p in experts if not p.left]
    if len(here) > 1:  # one bar compares nothing
        # Not "how likely their pages answer this": two co-authors of the one page that
        # answers read 97 and 49 under that (a trial); a bar is also their share of it.
        render_table(
            # Plain words, the formula in the help: "Relevance, out of 100: their share of
            # what answers this (co-authors share a page), times how sure kb is", in bold,
            # read as a formula to a non-technical reader (a trial).
            "Share of the answer each wrote, out of 100",
            ("Person", "Relevance"),
            ((p.name, _relevance_bar(p.relevance)) for p in here),
            help=RELEVANCE_HELP,
        )
    for n, person in enumerate(experts):
        with st.container(border=True):
            st.button(
                esc(person.name),  # a button label is Markdown too
                key=f"person-{n}",
                on_click=open_person,
                args=(person.name,),
                type="tertiary",
                icon=":material/person:",
            )
            evidence = "\n".join(
                f"- [{esc(_evidence_place(ev))}]({page_link(ev.path, ev.heading)})"
                for ev in person.evidence
            )
            # people.yaml's role, availability and contact, for people it lists.
            about = [esc(person.role)] if person.role else []
            if person.left:  # they wrote it, but no one is sent to them
                about.append(esc(f"left on {person.left}"))
            if person.leaves:  # still here: ask them before then
                about.append(esc(f"leaves on {person.leaves}"))
            if person.available_for:
                about.append(esc("available for " + ", ".join(person.available_for)))
            if person.contact:
                about.append(contact_markdown(person.contact))
            about_line = " · ".join(about)
            st.markdown(f"{badges(person.department, person.team)}  \n{about_line}\n\n{evidence}")
