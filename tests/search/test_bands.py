"""An amount a question gives, and the band of a table that holds it."""

from __future__ import annotations

import pytest

from kb.search.bands import ANY, asked_amounts, holds
from kb.search.snippet import make_snippet


def test_a_question_gives_amounts_with_their_unit():
    assert asked_amounts("Do I need a purchase order for a £2,000 purchase?") == (("£", 2000.0),)
    assert asked_amounts("who approves a 20% discount on €1.5k") == (("%", 20.0), ("€", 1500.0))
    assert asked_amounts("how many weeks of leave in 2026") == ()  # a number is no amount


def test_thousands_with_no_currency_are_held_by_a_band_in_any_currency():
    assert asked_amounts("who approves a purchase of 12k") == ((ANY, 12000.0),)
    assert holds("£10,000.01 – £50,000", (ANY, 12000.0))
    assert holds("€10,000 – €50,000", (ANY, 12000.0))
    assert not holds("10% – 15%", (ANY, 12000.0))  # thousands are no percentage


def test_over_and_under_are_strict_in_a_question_as_in_a_band():
    # "over £2,500" is £2,500 and a penny: "Over £2,500" holds it, "£500.01 – £2,500" not.
    over = asked_amounts("who approves an expense claim over £2,500")
    assert over == (("£", 2500.01),)
    assert holds("Over £2,500", over[0]) and not holds("£500.01 – £2,500", over[0])
    assert holds("£10,000.01 – £50,000", asked_amounts("a purchase over 10k")[0])
    assert holds("Up to £500", asked_amounts("a claim under £500")[0])
    assert asked_amounts("at least £1,000") == (("£", 1000.0),)  # "at least" includes it
    # A band's own "over" and "under" leave out their bound; "up to", "from" and "≥" hold it.
    assert not holds("Over £2,500", ("£", 2500.0)) and holds("From £2,500", ("£", 2500.0))
    assert not holds("Under £500", ("£", 500.0)) and holds("≥ 22%", ("%", 22.0))


@pytest.mark.parametrize(
    ("cell", "amount", "held"),
    [
        ("£500 – £10,000", ("£", 2000.0), True),
        ("£10,000.01 – £50,000", ("£", 2000.0), False),
        ("£500.01 to £2,500", ("£", 2500.0), True),
        ("Up to £500 / €550", ("£", 500.0), True),
        ("Up to £500 / €550", ("£", 600.0), False),
        ("Over £150,000", ("£", 200000.0), True),
        ("Over £150,000", ("£", 2000.0), False),
        ("≥ 28%", ("%", 30.0), True),
        ("15.01% – 25%", ("%", 20.0), True),
        ("Over 25%, or margin below 22%", ("%", 20.0), False),  # the first amount is the band
        ("£500 – £10,000", ("%", 20.0), False),  # another unit
        ("€500 – €10,000", ("£", 2000.0), False),
        ("£2,000", ("£", 2000.0), False),  # an amount alone is no band
        ("Any amount", ("£", 2000.0), False),
    ],
)
def test_a_band_holds_an_amount_in_its_unit(cell, amount, held):
    assert holds(cell, amount) is held


SECTION = """| Order value | Quotes needed |
|---|---|
| £500 – £10,000 | 1 quote |
| £10,000.01 – £50,000 | 2 written quotes |

A purchase order value is the total commitment: £20,000 a year is a £60,000 purchase order.
"""


def test_the_row_whose_band_holds_the_amount_is_marked_over_a_wordier_sentence():
    query = "Do I need a purchase order for a £2,000 purchase?"
    made = make_snippet(SECTION, query)
    assert made.text[slice(*made.answer[0])] == "£500 – £10,000 · 1 quote"
    # Without an amount the words decide: the sentence holds more of them.
    made = make_snippet(SECTION, "Do I need a purchase order for a purchase?")
    assert made.text[slice(*made.answer[0])].startswith("A purchase order value")


def test_a_band_in_the_header_or_another_unit_marks_nothing_new():
    # A row is a band by its first cell only; an amount in a sentence chooses nothing.
    text = "Up to £5,000 of purchase orders are approved by the budget holder.\n\nSee the policy."
    made = make_snippet(text, "who approves a £2,000 purchase order")
    assert made.text[slice(*made.answer[0])].startswith("Up to £5,000")


def test_a_list_item_whose_label_is_a_band_holds_the_amount_as_a_row_does():
    # A trial: "who can sign a supplier contract worth £100,000" marked "above £250,000: CFO
    # and CEO." in a list of bands: a table written as a list.
    text = (
        "Signatories follow the delegated authority matrix:\n\n"
        "- up to £50,000 total value: head of department;\n"
        "- up to £250,000: a director or the CFO;\n"
        "- above £250,000: CFO and CEO.\n"
    )
    for amount, signs in (
        ("£100,000", "up to £250,000: a director or the CFO;"),
        ("£20,000", "up to £50,000 total value: head of department;"),
        ("£300,000", "above £250,000: CFO and CEO."),
    ):
        made = make_snippet(text, f"who can sign a supplier contract worth {amount}")
        assert made.text[slice(*made.answer[0])] == signs, amount
