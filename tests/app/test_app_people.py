"""The app's people pages (people, pairs, team builder, gaps), driven by AppTest."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, quote

from helpers import all_text, html_tables, new_app, plain, result_paths, search, settle, write

from kb import Settings, build_index
from kb.people import searchlog


def test_people_page_lists_everyone_with_what_they_write_about(monkeypatch, bundled_index):
    at = new_app(monkeypatch, bundled_index, view="people")
    assert not at.exception
    (people, *_) = html_tables(at)
    assert len(people) == 22  # everyone, not the ten rows a grid showed
    # Each name links to the profile, in the same tab, with the way back to this view.
    for row in people:
        assert row["links"] == [f"?view=people&person={quote(row['Name'], safe='')}"]
    victor = next(row for row in people if row["Name"] == "Victor Petrov")
    assert victor["Department"] == "Business" and victor["Team"] == "operations"
    assert "Pick and pack process" in victor["Writes about"] and int(victor["Pages"]) >= 2
    names = [row["Name"] for row in people]
    assert names == sorted(names, key=str.casefold)
    assert at.query_params["view"] == "people"
    # A table a screen reader reads as one: a caption, column and row headers, its sort order.
    body = at.html[0].value
    assert "<caption><span>22 people</span></caption>" in body and '<th scope="row">' in body
    assert '<th scope="col" aria-sort="ascending">Name</th>' in body
    at.selectbox(key="people_sort").set_value("Pages").run()
    pages = [int(row["Pages"]) for row in html_tables(at)[0]]
    assert pages == sorted(pages, reverse=True) and len(pages) == 22
    assert 'aria-sort="descending"' in at.html[0].value
    # The order is in the URL, and a shared link sorts the same; an unknown order is by name.
    assert at.query_params["sort"] == "pages"
    for given, first_column in (("team", "Team"), ("nonsense", "Name")):
        shared = new_app(monkeypatch, bundled_index, view="people", sort=given)
        assert f'aria-sort="ascending">{first_column}</th>' in shared.html[0].value


def test_people_and_gaps_escape_hostile_names(monkeypatch, tmp_path, real_embedder):
    content = tmp_path / "content"
    hostile = "<script>alert(1)</script>"
    write(
        content / "it/vpn.md",
        f'---\ntitle: VPN setup\nauthors: ["{hostile}"]\n'
        "---\n## Setup\nHow to set up the VPN client on a laptop, with Okta sign-in.\n",
    )
    write(  # stale: its owner is in the gaps view's table
        content / "it/okta.md",
        f'---\ntitle: Okta groups\nauthors: ["{hostile}"]\nowner: "{hostile}"\n'
        "review_by: 2020-01-01\n---\n## Groups\nWho approves Okta group membership.\n",
    )
    write(
        content / "people.yaml",
        f'people:\n  - name: "{hostile}"\n    team: "<img src=x onerror=alert(2)>"\n'
        '    role: "<i>Engineer</i> & \\"friend\\""\n',
    )
    build_index(content, tmp_path / "index", real_embedder, Settings())
    for view in ("people", "gaps"):
        at = new_app(monkeypatch, tmp_path / "index", view=view)
        assert not at.exception
        bodies = "\n".join(h.value for h in at.html)
        assert "<script" not in bodies and "<img" not in bodies and "<i>" not in bodies
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in bodies
    at = new_app(monkeypatch, tmp_path / "index", view="people")
    rows = {row["Name"]: row for row in html_tables(at)[0]}
    assert list(rows) == [hostile]  # shown as written, as text
    assert rows[hostile]["links"] == [f"?view=people&person={quote(hostile, safe='')}"]
    assert rows[hostile]["Team"] == "<img src=x onerror=alert(2)>"
    assert rows[hostile]["Role"] == '<i>Engineer</i> & "friend"'


def test_pairs_page_shows_a_round_and_changes_with_kind_and_round(monkeypatch, bundled_index):
    at = new_app(monkeypatch, bundled_index, view="pairs")
    assert not at.exception
    text = all_text(at)
    assert "Kenji Sato" in text and "Chloe Martin" in text and "leavers" in text
    # Commands are for whoever runs kb, not for the HR lead reading this view (a trial).
    assert "--avoid" not in text.replace("\\", "")
    first = [m.value for m in at.markdown if "Both work on" in m.value]
    assert len(first) >= 5  # of 7 pairs; the 6th was "Both work on contacts", named no more
    at.radio(key="pair_kind").set_value("mentoring").run()
    assert "can mentor" in all_text(at)
    at.radio(key="pair_kind").set_value("coffee").run()
    before = [m.value for m in at.markdown if "by chance" in m.value]
    at.number_input(key="pair_round").set_value(5).run()
    after = [m.value for m in at.markdown if "by chance" in m.value]
    assert before and after and before != after
    assert at.get("download_button")
    # Kind and round are in the URL: a shared link opens the same round.
    assert at.query_params["kind"] == "coffee" and at.query_params["round"] == "5"
    again = new_app(monkeypatch, bundled_index, view="pairs", kind="coffee", round="5")
    assert [m.value for m in again.markdown if "by chance" in m.value] == after
    for hostile in ("-1", "1e9", "９", "99999999999", "abc"):  # the default round, no error
        at = new_app(monkeypatch, bundled_index, view="pairs", kind="<b>x</b>", round=hostile)
        assert not at.exception and at.number_input(key="pair_round").value == 0
        assert at.radio(key="pair_kind").value == "tandem"


def test_team_builder_page_shows_who_covers_what(monkeypatch, bundled_index):
    at = new_app(monkeypatch, bundled_index, view="team")
    at.text_area(key="team_description").input(
        "sync Spendwise expense claims into NetSuite, GDPR review of the customer data"
    )
    at.button(key="team_go").click().run()
    assert not at.exception
    (covers,) = html_tables(at)
    who = {row["Sub-topic"]: row["Covered by"] for row in covers}
    assert who["sync Spendwise expense claims into NetSuite"].startswith("Rafael Costa")
    # As kb experts ranks them: her data classification standard's customer data section.
    assert who["GDPR review of the customer data"].startswith("Priya Raman")
    # The project is in the URL and in every link, so "Back" proposes the same team.
    project = at.query_params["project"]
    assert project.startswith("sync Spendwise") and "size" not in at.query_params
    gdpr = next(row for row in covers if row["Sub-topic"].startswith("GDPR"))
    assert gdpr["links"][0] == (
        f"?view=team&project={quote(project)}&person={quote('Priya Raman')}"
    )
    assert "page=security" in gdpr["links"][-1]  # the evidence opens its page
    again = new_app(monkeypatch, bundled_index, view="team", project=project)
    assert who == {row["Sub-topic"]: row["Covered by"] for row in html_tables(again)[0]}
    smaller = new_app(monkeypatch, bundled_index, view="team", project=project, size="2")
    assert smaller.slider(key="team_size").value == 2 and smaller.query_params["size"] == "2"
    # A team smaller than asked says so in words: "3 of 4: no one else wrote on ..." was
    # read as a score (a new-user trial); the CLI says "Team of 3 (asked for 4; ...)".
    short = new_app(
        monkeypatch, bundled_index, view="team", project="GDPR review of the customer data"
    )
    said = plain(all_text(short))
    assert "A team of 3 (you asked for 4): " in said
    # The part as typed, and who else wrote on it (its one topic's label, a page title, was
    # "no one else wrote on 'Handling GDPR data subject requests'": a trial).
    assert "more wrote on 'GDPR review of the customer data' (Daniel Weber" in said
    at.text_area(key="team_description").input("quantum computing research lab")
    at.button(key="team_go").click().run()
    assert "No one kb can name has written about that" in all_text(at)
    for hostile in ("0", "11", "-1", "abc", "４"):  # the default size, no error
        at = new_app(monkeypatch, bundled_index, view="team", size=hostile)
        assert not at.exception and at.slider(key="team_size").value == 4


def test_gaps_page_charts_bus_factor_and_lists_unanswered_searches(
    monkeypatch, bundled_index, bundled_kb, tmp_path
):
    log = tmp_path / "log.jsonl"
    searchlog.record(log, "office dog policy", bundled_kb.search("office dog policy", k=5))
    monkeypatch.setenv("KB_SEARCH_LOG", str(log))
    at = new_app(monkeypatch, bundled_index, view="gaps")
    assert not at.exception
    assert len(at.get("vega_lite_chart")) == 3  # bus factor, sides, stale pages by owner
    # A bus factor is a number of people, not who (a business trial read the caption).
    assert any("how many people would have to leave" in m.value for m in at.markdown)
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Stale pages"]) > 0
    single, one_sided, stale, unanswered = html_tables(at)
    assert len(single) == int(metrics["Topics resting on one person"].split()[0])
    marcus = next(row for row in single if row["Who knows it"] == "Marcus Okafor (100%)")
    assert marcus["links"] == ["?view=gaps&person=Marcus%20Okafor"]
    # "n of all" beside "n of all", not a bare count (a trial read "15 of 40" beside "29").
    sided, of, total = metrics["Topics of one department only"].split()
    assert len(one_sided) == int(sided) and of == "of"
    assert total == metrics["Topics resting on one person"].split()[-1]
    assert len(stale) == int(metrics["Stale pages"])
    # What it counts, as `kb gaps` says it (a trial set it beside kb check's review-due).
    (counted,) = [m.help for m in at.metric if m.label == "Stale pages"]
    past = sum(1 for row in stale if row["Why"].startswith("review was due"))
    assert counted.startswith(f"{past} past their review date (what kb check warns of as")
    assert f", {len(stale) - past} unchanged for 365 days with no review date" in counted
    assert all(row["links"][0].startswith("?view=gaps&page=") for row in stale)
    assert [row["Search"] for row in unanswered] == ["office dog policy"]


def test_gaps_explain_at_risk_only_when_a_topic_is(monkeypatch, bundled_index):
    """ "At risk from a day: by then, everyone who knows most of it has left" headed the
    table on the bundled content, where no topic is at risk and no row says it (a trial)."""
    at = new_app(monkeypatch, bundled_index, view="gaps")
    single = html_tables(at)[0]
    assert single and not any("at risk" in row["Bus factor"] for row in single)
    (heading,) = [e.value for e in at.html if "Topics resting on one person" in e.value]
    assert "at risk" not in heading.lower()


def test_gaps_page_without_a_log_says_how_to_keep_one(monkeypatch, bundled_index):
    monkeypatch.delenv("KB_SEARCH_LOG", raising=False)
    at = new_app(monkeypatch, bundled_index, view="gaps")
    assert "Set KB_SEARCH_LOG" in all_text(at)


def test_only_the_search_settled_on_is_logged(monkeypatch, bundled_index, tmp_path):
    # The box searches at each pause in typing, and every pause was logged: "vpn", "vpn acc"
    # and "vpn access from home" filled the gap report, the barcamp and "most searched".
    log = tmp_path / "log.jsonl"
    monkeypatch.setenv("KB_SEARCH_LOG", str(log))
    at = new_app(monkeypatch, bundled_index)
    for typed in ("vpn", "vpn acc", "vpn access from home"):
        search(at, typed)
    assert not log.exists()  # typed, not settled
    settle(at)  # Enter, or a pause with the results on screen: logged
    at.run()  # a rerun of the same search is not a new search
    settle(at)  # nor is Enter again
    at.query_params["page"] = result_paths(at)[0]  # nor a result opened from it
    at.run()
    assert [s.query for s in searchlog.read(log)[0]] == ["vpn access from home"]
    del at.query_params["page"]  # back to the results
    at.run()
    search(at, "who approves expense claims")
    at.selectbox(key="dept").set_value("Business").run()  # a filter is part of the search
    at.query_params["person"] = "Oliver Grant"  # a person opened from the results settles it
    at.run()
    searches, _ = searchlog.read(log)
    assert [s.query for s in searches] == ["vpn access from home", "who approves expense claims"]
    assert json.loads(log.read_text().splitlines()[-1])["filters"] == {"department": "Business"}


def test_person_page_shows_colleagues_across_the_divide(monkeypatch, bundled_index):
    at = new_app(monkeypatch, bundled_index, person="Sofia Alvarez")
    assert not at.exception
    text = all_text(at)
    assert "Across the divide, working on the same things" in text
    across = text.split("Across the divide")[1]
    assert "Oliver Grant" in across and "Spendwise" in across
    assert "Kenji Sato" not in across  # her own department


def test_colleagues_across_say_what_they_share_apart_from_their_role(monkeypatch, bundled_index):
    # A trial read "Emma Lindqvist · Engineering manager: Spendwise → NetSuite integration"
    # on Hannah Becker's profile as Emma's job, and "Site reliability lead: related work" on
    # Ines Moreau's as no reason at all; the pairs view words it "Both work on ...".
    for person, role, shared in (
        ("Hannah Becker", "Engineering manager", "Both work on Spendwise"),
        ("Ines Moreau", "Site reliability lead", "Related work: "),
    ):
        at = new_app(monkeypatch, bundled_index, person=person)
        assert not at.exception
        across = all_text(at).split("Across the divide")[1].split("Pages by")[0]
        assert f"{role}: " not in across
        assert shared in across


def test_back_on_a_profile_says_where_it_goes(monkeypatch, bundled_index):
    # "← Back to results" on a profile opened from the People table went back to the table.
    victor = {"person": "Victor Petrov"}
    for came_from, label in (
        ({"view": "people"}, "← Back to people"),
        ({"view": "gaps"}, "← Back to gaps"),
        ({"view": "team", "project": "stock counts"}, "← Back to team builder"),
        ({"q": "stock counts"}, "← Back to results"),
        ({}, "← Back to search"),  # a shared link: back to the start page
    ):
        at = new_app(monkeypatch, bundled_index, **came_from, **victor)
        assert not at.exception
        (back,) = back_buttons(at)
        assert back.label == label, came_from
    back.click().run()  # the last: opened from a shared link
    assert "person" not in at.query_params and not back_buttons(at)
    at = new_app(monkeypatch, bundled_index, view="people", **victor)
    back_buttons(at)[0].click().run()
    assert dict(at.query_params) == {"view": "people"}
    assert html_tables(at)[0][0]["Name"] == "Aisha Khan"  # the table again


def test_a_page_opened_from_a_profile_shows_and_goes_back_to_the_profile(
    monkeypatch, bundled_index
):
    # A page in the profile's "Pages by" table opened the profile again: the person in its
    # link won over the page.
    at = new_app(monkeypatch, bundled_index, view="people", person="Victor Petrov")
    (pages,) = html_tables(at)
    pick = next(row for row in pages if row["Page"] == "Pick and pack process")
    href = pick["links"][0]  # the way back to this profile, and on to the People table
    assert href == "?view=people&person=Victor%20Petrov&page=operations%2Fpick-pack-process.md"
    at = new_app(monkeypatch, bundled_index, **{k: v[0] for k, v in parse_qs(href[1:]).items()})
    assert not at.exception
    assert [plain(h.value) for h in at.main.header] == ["Pick and pack process"]
    (back,) = back_buttons(at)
    assert back.label == "← Back to Victor Petrov"
    back.click().run()
    assert dict(at.query_params) == {"view": "people", "person": "Victor Petrov"}
    assert [plain(h.value) for h in at.main.header] == ["Victor Petrov"]
    assert back_buttons(at)[0].label == "← Back to people"


def started(at) -> list:
    """The "Start the page" stub, when the app offers it."""
    return [e for e in at.expander if e.label == "Start the page"]


def back_buttons(at):
    return [b for b in at.button if b.label.startswith("← Back")]


def test_no_good_match_says_so_and_records_the_missing_page(monkeypatch, bundled_index, tmp_path):
    log = tmp_path / "log.jsonl"
    monkeypatch.setenv("KB_SEARCH_LOG", str(log))
    at = new_app(monkeypatch, bundled_index)
    settle(search(at, "what is on the canteen menu on friday"))
    text = all_text(at)
    # Its closest page (the event playbook, 0.31) is chance, not a near miss: no one is named.
    assert "No page answers this well." in text and "Who could write it:" not in text
    assert "kb found no one who has written about this." in text  # no experts for it
    assert "Who knows" not in text  # and no link to an empty panel
    assert [b.label for b in at.button if b.key and b.key.startswith("person-")] == []
    # "Start the page": the stub with front matter, shown in place and as a file.
    (stub_panel,) = started(at)
    (stub,) = stub_panel.get("download_button")
    assert stub.proto.label.startswith("Download ") and "content/" in stub.proto.help
    (code,) = stub_panel.code
    assert code.value.startswith("---\ntitle:") and "canteen menu" in code.value.casefold()
    # Nor is its team guessed from that chance page (a trial: a service-desk question was
    # filed under finance): the stub asks for one.
    said = " ".join(c.value for c in stub_panel.caption)
    assert "\nteam:" not in code.value and "no page is near enough to tell its team" in said
    at.button(key="missing").click().run()
    # In the browser the click's run is the search view's fragment, and a full run follows
    # (kb/app/search.py): the message must outlast it, and the button must not be offered
    # again for the same search (a second click would log it twice).
    at.run()
    assert any("Recorded for the gap report" in s.value for s in at.success)
    assert not [b for b in at.button if b.key == "missing"]
    searches, _ = searchlog.read(log)
    assert [s.answered for s in searches] == [False, False]  # the search, then "missing"


def test_without_a_search_log_no_dead_button_but_what_the_reader_can_do(monkeypatch, bundled_index):
    # A trial: a disabled "This page is missing" over "This kb keeps no search log
    # (KB_SEARCH_LOG), so nothing can be recorded." read as broken to an employee. Without a
    # log there is no button; who could write it and "Start the page" stay, and the admin's
    # hint comes last, as a caption.
    monkeypatch.delenv("KB_SEARCH_LOG", raising=False)
    monkeypatch.delenv("KB_API_URL", raising=False)
    at = new_app(monkeypatch, bundled_index)
    settle(search(at, "sick leave policy"))  # a near miss: Chloe Martin could write it
    assert not [b for b in at.button if b.key == "missing"]
    text = plain(all_text(at))
    assert "nothing can be recorded" not in text and "Who could write it: Chloe Martin" in text
    assert started(at)
    captions = [plain(c.value) for c in at.main.caption]
    hint = (
        "Questions nothing answers are not collected for the gap report here: this kb keeps "
        "no search log."
    )
    assert "KB_SEARCH_LOG" not in text  # a variable's name is for whoever runs kb
    who = next(i for i, c in enumerate(captions) if c.startswith("Who could write it"))
    assert captions.index(hint) > who, captions  # after what the reader can do


def test_a_near_miss_names_who_could_write_the_page(monkeypatch, bundled_index):
    # Parental leave comes near "sick leave policy" (0.47, under the 0.5 of an answer).
    at = new_app(monkeypatch, bundled_index)
    settle(search(at, "sick leave policy"))
    text = all_text(at)
    assert "No page answers this well." in text and "Who could write it: Chloe Martin" in text
    # Its stub goes to the team of the page near enough to name her.
    (stub_panel,) = started(at)
    assert '\nteam: "hr"\n' in stub_panel.code[0].value
    assert "content/hr/sick-leave-policy.md" in stub_panel.caption[0].value


def test_gibberish_names_no_one_who_could_write_its_page(monkeypatch, bundled_index):
    # Its closest pages share no word with it: their authors are not its writers.
    at = new_app(monkeypatch, bundled_index)
    settle(search(at, "xqzvbnm plorkt"))
    text = all_text(at)
    assert "No page answers this well." in text and "Who could write it:" not in text
    # Nor is a page "Xqzvbnm plorkt" to be started, or a gap recorded (a trial).
    assert "None of its words is in these pages or in English, so no new page is suggested" in text
    assert not started(at) and not [b for b in at.button if b.key == "missing"]
    settle(search(at, "what is on the canteen menu on friday"))  # English: a missing page
    assert started(at)
    settle(search(at, "Figma"))  # a product the pages lack is a page to write (a review)
    assert started(at) and "None of its words" not in all_text(at)
    settle(search(at, "who knows about xqzvbnm"))  # the frame's words are not its topic
    assert "None of its words is in these pages or in English" in all_text(at)


def test_a_closest_page_using_every_word_is_open_not_folded(monkeypatch, bundled_index):
    # One word the model cannot read: no page answers it, yet the expense policy says it (a
    # new-user trial found it only by opening the fold).
    at = new_app(monkeypatch, bundled_index)
    settle(search(at, "minibar"))
    (fold,) = [e for e in at.expander if "closest pages" in e.label]
    # A question of one word names it: "every word of it" read oddly of one (a new-user trial).
    assert fold.label.endswith("1 of them uses the word “minibar”") and fold.proto.expanded
    (info,) = at.info  # said where it is read first
    assert "No page answers this well" in info.value
    assert "1 of the closest uses the word “minibar”: see below." in plain(info.value)
    # Nothing answers, so no sentence is marked as the answer (its word stays bold), and the
    # page that uses its words is not called far from it (a new-user trial).
    cards = [m.value for m in at.main.markdown if "**[Expense policy]" in m.value]
    assert cards and "**minibar**" in cards[0] and ":blue-background[" not in cards[0]
    text = plain(all_text(at))
    assert "No one is suggested to write it." in text and "No page comes near" not in text
    # Who knows does not deny what the card beside it shows (a trial read "No one has
    # written about this" next to the card by Hannah Becker).
    assert "kb found no one who has written about this" not in text
    assert (
        "No one has written about this as a topic; “Expense policy” uses its words, by "
        "Hannah Becker and Oliver Grant." in text
    )
    settle(search(at, "xqzvbnm plorkt"))
    (fold,) = [e for e in at.expander if "closest pages" in e.label]
    assert fold.label.endswith("(less likely to answer)") and not fold.proto.expanded


def test_a_search_naming_a_colleague_links_their_profile(monkeypatch, bundled_index):
    at = new_app(monkeypatch, bundled_index)
    at.text_input(key="q").input("what does tomasz nowak do").run()
    (line,) = [m.value for m in at.markdown if "wrote pages here" in m.value]
    assert line.startswith("[Tomasz Nowak](") and "person=Tomasz" in line
    # His profile answers it: no page is missing and no one is asked to write one, and
    # "who knows" does not say no one has written beside his name (a new-user trial).
    assert not started(at) and not [b for b in at.button if b.key == "missing"]
    text = all_text(at)
    assert "written about this" not in text
    assert "Tomasz Nowak wrote pages here: their profile lists them." in text
    at.text_input(key="q").input("Tomasz Nowak canteen menu").run()
    assert started(at)  # a topic beside his name: a page to write
    at.text_input(key="q").input("grace period for expense claims").run()
    assert not [m for m in at.markdown if "wrote pages here" in m.value]  # a first name alone


def test_a_search_for_a_colleague_leads_to_the_pages_they_wrote_first(monkeypatch, bundled_index):
    # A trial: "Grace O'Connor" gave the Coupa page's "Contacts" first, a page that sends
    # readers to her; her own pages were a profile's click away.
    at = settle(search(new_app(monkeypatch, bundled_index), "Grace O'Connor"))
    shown = [m.value for m in at.markdown]
    (mine,) = [i for i, v in enumerate(shown) if "% theirs)" in v]
    assert "- [Raising purchase orders in Coupa](" in shown[mine]
    assert "Vendor onboarding](" in shown[mine]
    captions = [plain(c.value) for c in at.caption]
    assert "Pages that name Grace O'Connor:" in captions
    # Who knows says where she is, not "kb found no one who has written about this".
    assert "Grace O'Connor wrote pages here: their profile lists them." in captions
    cards = [i for i, v in enumerate(shown) if "Contacts" in v]
    assert cards and mine < min(cards)  # hers before the pages that name her
    at = settle(search(at, "Grace O'Connor purchase orders"))  # a topic beside her name
    assert not [m for m in at.markdown if "% theirs)" in m.value]


def test_a_misspelled_query_is_corrected_with_a_way_back(monkeypatch, bundled_index):
    at = new_app(monkeypatch, bundled_index)
    at.text_input(key="q").input("expnse polcy").run()
    assert "Showing results for ***expense policy***" in all_text(at)
    assert "expnse polcy" in at.button(key="exact").label  # search instead for
    assert result_paths(at)[0] == "finance/expense-policy.md"
    at.button(key="exact").click().run()
    assert "Showing results for" not in all_text(at)  # searched as typed


def test_a_filter_hiding_the_answer_offers_to_drop_it(monkeypatch, bundled_index):
    at = new_app(monkeypatch, bundled_index)
    at.session_state["dept"] = "IT"
    at.text_input(key="q").input("how much can I spend taking a customer out for dinner").run()
    text = all_text(at)
    assert "No page in IT answers this well." in text and "3 Business pages do, outside" in text
    # Who knows says someone has, outside the filters (a trial read "No one has ... yet").
    assert "Nothing in IT answers this; 3 Business pages do. Search without the filters" in text
    assert "kb found no one who has written about this" not in text
    assert not [b for b in at.button if b.key == "missing"]  # the page is not missing
    at.button(key="unfilter").click().run()
    assert "finance/expense-policy.md" in result_paths(at)
