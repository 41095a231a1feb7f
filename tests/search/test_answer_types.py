"""The kind of answer a question asks for, and the sentences that hold one."""

from __future__ import annotations

import pytest

from kb.search.answer_types import (
    DURATION,
    FREQUENCY,
    NUMBER,
    PERCENT,
    ROLE,
    TIME,
    asked,
    asked_task,
    holds,
    naming,
)


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("How many weeks of maternity leave do I get?", NUMBER),
        ("how much is my yearly learning budget", NUMBER),
        ("How long until a deal I moved to Commit shows on the dashboard?", DURATION),
        ("How quickly is a credit note issued after a return?", DURATION),
        ("how far in advance do I submit a campaign brief", DURATION),
        ("How often are secrets rotated?", FREQUENCY),
        ("When is the weekly forecast call?", TIME),
        ("what time is the cut-off for next-day delivery", TIME),
        ("What percentage of the fee is accrued?", PERCENT),
        ("Who approves my expense claim?", ROLE),
        ("so, how many days before the start date", NUMBER),
        # Only the opening words ask: a "when" inside a question asks no time.
        ("What happens when a critical dbt test fails?", None),
        ("What do I do when I get paged out of hours?", None),
        ("What is the SLA for a P2 ticket?", None),
        ("how do I reset my password", None),
        ("whose laptop is this", None),
    ],
)
def test_a_question_asks_for_a_kind_of_answer_by_its_opening_words(query, kind):
    assert asked(query) == kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Maternity / adoption (primary carer) · Up to 52 weeks", NUMBER),
        ("Everyone (after probation) · £1,000 / €1,150", NUMBER),
        ("You get twelve days of leave.", NUMBER),
        ("it appears within about 1 hour 15 minutes", DURATION),
        ("P1 · 4 business hours", DURATION),
        ("at least a week before the event", DURATION),
        ("Database credentials are rotated every 90 days.", FREQUENCY),
        ("Twice a year", FREQUENCY),
        ("Quarterly", FREQUENCY),
        ("Leads are due 3 times per week", FREQUENCY),
        ("The call is at 09:30 on Monday.", TIME),
        ("Accruals are due by 12:00 on WD2.", TIME),
        ("no later than the 15th week before childbirth", TIME),
        ("Peak trading · Mid-November", TIME),
        ("15 working days before start", TIME),  # a span of time tells when, too
        ("topped up from 70% to 85%", PERCENT),
        ("Requests up to £500 are approved by your manager.", ROLE),
        ("the check is done by HR, never by the hiring manager", ROLE),
        ("needs CFO approval", ROLE),
    ],
)
def test_a_sentence_holds_an_answer_of_a_kind(text, kind):
    assert holds(text, kind)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Rotate it immediately — before investigating.", FREQUENCY),
        ("Right-to-work checks are mandatory and must be completed before the first day.", ROLE),
        ("Notice must be given in writing.", NUMBER),
        ("P2 – High", NUMBER),  # a code's digit is no amount
        ("Use SEV1 for a confirmed compromise.", NUMBER),
        ("You may ask your manager.", TIME),  # "may" is a verb, not a month
        ("Keep state files small.", DURATION),
        ("The annual review is one conversation.", FREQUENCY),
        ("We report the numbers.", PERCENT),
    ],
)
def test_a_sentence_without_one_does_not(text, kind):
    assert not holds(text, kind)


def test_a_colleague_named_in_full_answers_who():
    names = naming(["Grace O'Connor", "Tomasz Nowak", "Cher"])
    assert holds("Tomasz Nowak in security sends the questionnaire.", ROLE, names)
    assert holds("Ask Grace O’Connor first.", ROLE, names)  # whatever the apostrophe
    assert not holds("Tomasz sends it.", ROLE, names)  # a first name alone is no one
    assert not holds("There is a grace period.", ROLE, names)
    assert not holds("Tomasz Nowak in security sends the questionnaire.", ROLE)
    assert naming(["Cher"]) is None


@pytest.mark.parametrize(
    ("query", "verb"),
    [
        ("how do I sign up for a tandem", "sign"),
        ("How can we book a meeting room?", "book"),
        ("how to request VPN access", "request"),
        ("how long does a tender take", None),
        ("how much training budget does a manager get", None),
    ],
)
def test_a_question_asking_how_to_do_something_names_the_task_by_its_verb(query, verb):
    assert asked_task(query) == verb
