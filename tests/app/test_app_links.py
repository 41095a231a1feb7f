"""A shared link's parameters the app cannot take are said over the view, with what it shows
instead, as `department=` and `since=` are; never silently replaced. A user trial opened
`?view=onboard&join=Nonexistent` and got the cloud-platform plan with no word of it. AppTest
on the bundled index with the real model."""

from __future__ import annotations

from helpers import new_app, plain


def warnings(at) -> list[str]:
    return [plain(str(w.value)) for w in at.warning]


def test_pairs_say_an_unknown_kind_and_round_and_read_the_views_own_names(
    monkeypatch, bundled_index
):
    at = new_app(monkeypatch, bundled_index, view="pairs", kind="banana", round="-5")
    assert not at.exception
    said = warnings(at)
    assert any(
        w.startswith("Kind: 'banana' is not one of tandem, mentoring,") and "showing tandems" in w
        for w in said
    ), said
    assert "Round: '-5' is not a whole number from 0 to 1,000,000; showing round 0." in said
    # Once the kind is picked, the note no longer applies.
    at.radio(key="pair_kind").set_value("coffee").run()
    assert not any(w.startswith("Kind:") for w in warnings(at))
    # The names the view shows, in any case, are the kinds they name.
    for given, kind in (("job-shadowing", "shadowing"), ("Coffee", "coffee")):
        at = new_app(monkeypatch, bundled_index, view="pairs", kind=given)
        assert at.radio(key="pair_kind").value == kind and not warnings(at), given


def test_onboarding_says_a_team_the_index_does_not_have(monkeypatch, bundled_index):
    at = new_app(monkeypatch, bundled_index, view="onboard", join="Nonexistent", name="Alex")
    assert not at.exception
    first = at.selectbox(key="onboard_team").value
    assert warnings(at) == [
        f"Team: 'Nonexistent' is not a team in this index; showing {first}. Pick the team below."
    ]
    typo = new_app(monkeypatch, bundled_index, view="onboard", join="finanse")
    assert typo.selectbox(key="onboard_team").value == "finance"
    assert warnings(typo) == [
        "Team: 'finanse' is not a team in this index; showing the closest, finance. "
        "Pick the team below."
    ]


def test_onboarding_opened_without_a_team_says_nothing(monkeypatch, bundled_index):
    """The Onboarding tab names no team: a trial saw "Team: '' is not a team in this index"
    on a plain click of it."""
    at = new_app(monkeypatch, bundled_index, view="onboard")
    assert not at.exception and not warnings(at), warnings(at)
    assert at.selectbox(key="onboard_team").value == at.selectbox(key="onboard_team").options[0]


def test_barcamp_view_and_unknown_parameters_are_said(monkeypatch, bundled_index):
    at = new_app(monkeypatch, bundled_index, view="barcamp", slots="30", rooms="20")
    assert not at.exception
    assert warnings(at)[:1] == ["Slots: '30' is not a whole number from 1 to 20; showing 4."]
    assert at.number_input(key="camp_rooms").value == 20  # as many as `kb barcamp` takes
    at = new_app(monkeypatch, bundled_index, view="bogus", kidn="coffee", me="Finance")
    said = warnings(at)
    assert "I work in: 'Finance' is not IT or Business; ignored." in said
    assert any(w.startswith("View: 'bogus' is not one of search, people,") for w in said)
    assert "The link's 'kidn=' is not a setting of this app; ignored." in said


def test_a_view_named_as_the_switcher_names_it_is_opened(monkeypatch, bundled_index):
    """`?view=People` (as the switcher says it) and `?view=team builder` were refused: "View:
    'People' is not one of search, people, ...; showing Search" (a session's screenshot of a
    link written by hand)."""
    for given, view in [("People", "people"), ("Team builder", "team"), (" GAPS ", "gaps"),
                        ("Onboarding", "onboard"), ("onboard", "onboard")]:  # fmt: skip
        at = new_app(monkeypatch, bundled_index, view=given)
        assert not at.exception and not warnings(at), (given, warnings(at))
        assert at.session_state.view == view, given


def test_a_link_reads_and_writes_its_parameters_by_one_table(monkeypatch, bundled_index):
    """`linked.PARAMS` names every parameter and the widget it sets: the app reads a link by
    it and writes the address back by it, and calls any other parameter unknown. A list of
    names kept by hand beside the reading could fall behind it."""
    from kb.app.linked import KNOWN, PARAM
    from kb.app.state import FILTER_KEYS, WIDGET_KEYS

    assert set(PARAM) <= {*WIDGET_KEYS, *FILTER_KEYS} and set(PARAM.values()) <= KNOWN
    link = {"view": "team", "project": "stock counts", "size": "3", "it": "1", "business": "1",
            "per_team": "1", "zone": "3", "mix": "1", "lang": "en",
            "balance": "private.gender", "team": ["finance", "sales"], "tag": "vpn"}  # fmt: skip
    at = new_app(monkeypatch, bundled_index, **link)
    assert not at.exception and not warnings(at), warnings(at)
    assert at.session_state["team_per_team"] == 1 and at.session_state["team_zone"] == 3
    assert at.session_state["team"] == ["finance", "sales"]
    assert dict(at.query_params) == link  # written back as read


def test_on_off_parameters_are_read_by_one_rule(monkeypatch, bundled_index):
    """`new=` (pairs) and `mix=` (team) are 1 or 0, as `linked.flag` reads them; anything
    else keeps the view's default and is said (they were two near-copies of the check)."""
    from kb.app.linked import flag

    assert flag({"new": " 0"}, "new", "New pairs only", True) == (False, "")
    assert flag({}, "mix", "A mix of levels", False) == (False, "")
    assert flag({"mix": "1"}, "mix", "A mix of levels", False) == (True, "")
    pairs = new_app(monkeypatch, bundled_index, view="pairs", new="yes")
    assert "New pairs only: 'yes' is not 1 or 0; on." in warnings(pairs)
    assert pairs.session_state["pair_new"] is True
    team = new_app(monkeypatch, bundled_index, view="team", project="stock counts", mix="2")
    assert "A mix of levels: '2' is not 1 or 0; off." in warnings(team)
    assert team.session_state["team_mix"] is False
    off = new_app(monkeypatch, bundled_index, view="pairs", new="0")
    assert off.session_state["pair_new"] is False and not warnings(off)
