"""User input checked once for every shell (kb.inputs): the CLI, the API and the app accept
and refuse the same values."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from kb.errors import UnknownPersonError
from kb.inputs import (
    MAX_QUERY,
    BlankQueryError,
    QueryTooLongError,
    UnknownValueError,
    checked_filters,
    day,
    one_called,
    query_text,
    similar_names,
    unknown_person,
)
from kb.models import Filters, PageInfo, person_key

FACETS = {
    "department": ["Business", "IT"],
    "team": ["finance", "security"],
    "tag": ["VPN"],
    "author": ["Grace O'Connor"],
}


class Index:
    """Answers `facets` and counts the calls; knows Grace O'Connor's profile, and her
    alias."""

    def __init__(self) -> None:
        self.asked = 0

    def facets(self) -> dict[str, list[str]]:
        self.asked += 1
        return FACETS

    def profile(self, name: str) -> SimpleNamespace | None:
        known = person_key(name) in ("grace o'connor", "goconnor")
        return SimpleNamespace(name="Grace O'Connor") if known else None


def test_values_are_trimmed_and_compared_as_names_are():
    got = checked_filters(
        Index(), department=" it ", team="Finance", tag="vpn", author="grace  o'connor",
        since=date(2026, 1, 31),
    )  # fmt: skip
    assert got == Filters("it", "Finance", "vpn", "grace  o'connor", "2026-01-31")


def test_an_unknown_value_names_its_field_and_the_closest_known_one():
    with pytest.raises(UnknownValueError) as err:
        checked_filters(Index(), team=" securty ")
    assert (err.value.field, err.value.value) == ("team", " securty ")
    assert str(err.value) == "'securty' is not in the index; did you mean 'security'? known: " + (
        "finance, security"
    )


def test_several_teams_are_any_of_them_and_a_department_named_as_a_team_says_so():
    """ "Who in finance or sales knows" (a trial): each team is checked, one is kept as a
    string, several as a tuple that passes a page of any of them."""
    got = checked_filters(Index(), team=["Finance ", "security", "finance"])
    assert got.team == ("Finance", "security") and got.describe() == "in Finance or security"
    page = PageInfo(team="security")
    assert got.allows(page) and not Filters(team=("finance",)).allows(page)
    assert checked_filters(Index(), team=["finance"]).team == "finance"
    with pytest.raises(UnknownValueError) as err:
        checked_filters(Index(), team=["finance", "securty"])
    assert err.value.value == "securty"
    with pytest.raises(UnknownValueError) as err:
        checked_filters(Index(), department="Finance")
    assert err.value.other == ("team", "finance")
    assert str(err.value).endswith("known: Business, IT; finance is a team: filter by team")


def test_an_author_is_named_as_kb_person_takes_one_and_an_unknown_one_hinted():
    # A trial: `/people/grace` showed her, `/search?author=grace` was refused.
    for given in ("grace", "O'Connor", " goconnor "):
        assert checked_filters(Index(), author=given).author == "Grace O'Connor", given
    with pytest.raises(UnknownValueError) as err:
        checked_filters(Index(), author="Grace OConor")
    assert err.value.close == "Grace O'Connor"
    with pytest.raises(UnknownValueError) as err:
        checked_filters(Index(), author="Zed")
    assert err.value.close == "" and "did you mean" not in str(err.value)


def test_no_values_ask_the_index_for_nothing():
    index = Index()
    assert checked_filters(index) == Filters() and index.asked == 0


# Invisible characters alone show nothing either: `/search?q=%E2%80%8B` answered 200 with no
# hits (and a search log line) where a blank query is refused (a hostile trial).
# So do variation selectors and the combining grapheme joiner (default ignorable, though
# marks: Mn, not Cf), which `?q=%EF%B8%8F` searched for.
@pytest.mark.parametrize(
    "text",
    ["", "   ", "\t\n", "\u200b", " \u00ad\u200d\ufeff ", "\ufe0f", "\u034f", "\U000e0101 \u180b"]
    # And control characters, which show nothing: `?q=%00` answered 200 with a page.
    + ["\x00", " \x01\x7f ", "\x9f\u200b"],
)
def test_a_blank_query_is_refused(text):
    with pytest.raises(BlankQueryError, match="the query is empty"):
        query_text(text)
    assert query_text(" vpn ") == " vpn "  # kept as written (the search log records it)
    assert query_text("v\u200bpn") == "v\u200bpn"
    assert query_text("vpn\x00") == "vpn\x00"


@pytest.mark.parametrize("text", ["\u2800", " \u2800\u3164 ", "\U0001d159", "\u2800?", "???", "—"])
def test_a_query_of_blank_symbols_or_punctuation_alone_has_nothing_to_look_for(text):
    """A hostile trial: a query of U+2800 (the braille pattern blank, a symbol by category,
    shown as a space) searched in every shell, and so did punctuation alone, which BM25
    reads no word of. A query needs a letter or a digit, of any script."""
    with pytest.raises(BlankQueryError, match="say what you are looking for"):
        query_text(text)
    for kept in ("C#", "2FA", "東京", "Ελλάδα", "½", "\u2800vpn"):
        assert query_text(kept) == kept


def test_a_query_longer_than_anyone_asks_is_refused():
    assert query_text("x" * MAX_QUERY) == "x" * MAX_QUERY
    with pytest.raises(QueryTooLongError, match="1,001 characters; ask in at most 1,000"):
        query_text("x" * (MAX_QUERY + 1))


def test_day_reads_iso_dates_and_refuses_others():
    assert day(" 2026-01-31 ") == date(2026, 1, 31) and day("  ") is None
    # As `kb search --since` reads a day: not ISO's other forms, which Python reads.
    for other in ("last week", "20260131", "2026-W05-6", "0"):
        with pytest.raises(ValueError, match="not a date like 2026-01-31"):
            day(other)


def test_an_unknown_person_is_told_the_closest_names():
    known = ["Grace O'Connor", "Fatima El-Amin", "Grace Hopper"]
    assert similar_names("grace", known) == ["Grace O'Connor", "Grace Hopper"]
    err = unknown_person("Fatma El-Amin", known)
    assert isinstance(err, UnknownPersonError)
    assert (
        str(err)
        == "no one called 'Fatma El-Amin' wrote in this index; did you mean Fatima El-Amin?"
    )
    assert (
        "; to find people, ask who knows a topic (kb experts, /experts or MCP's who_knows)"
        in str(unknown_person("Zed", known))
    )
    known = ["Tomasz Nowak", "Marcus Okafor", "Daniel Weber", "Hannah Becker"]
    assert similar_names("Tomas Novak", known) == ["Tomasz Nowak"]  # not also Marcus
    assert similar_names("Dan Weber", known) == ["Daniel Weber"]
    assert similar_names("marc", known) == ["Marcus Okafor"]  # a name begun
    assert similar_names("han beck", known) == ["Hannah Becker"]


def test_a_name_word_only_one_person_has_names_that_person():
    known = ["Grace O'Connor", "Grace Hopper", "Inés Park", "Tomasz Nowak"]
    assert one_called("ines", known) == "Inés Park"
    assert one_called("NOWAK tomasz", known) == one_called("tomasz", known) == "Tomasz Nowak"
    assert one_called("o'connor", known) == "Grace O'Connor"
    assert one_called("park, ines", known) == "Inés Park"  # as a list of names writes it
    assert one_called("grace", known) is None  # two Graces: kb asks which
    assert one_called("T. Nowak", known) == "Tomasz Nowak"  # an initial, as git writes it
    assert one_called("G. Park", known) is None
    assert one_called("tom", known) is None and one_called(" ", known) is None
    assert similar_names("ines", known) == ["Inés Park"]
