"""Example questions for the start page: worded from titles and headings by rule, kept only
when a real search answers them with the page they came from."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from kb.models import Chunk, Page
from kb.search.examples import Examples, Words, candidates, names_subject, question

TEXT = (
    "Ask before you merge two records. To request access, reset the token. "
    "Your learning budget is yours: the learning budget resets in April. "
    "Set the flag, then restore it. We use the portal."
)
WORDS = Words([TEXT])


@pytest.mark.parametrize(
    ("heading", "asked"),
    [
        ("Which MFA factors are allowed", "Which MFA factors are allowed?"),
        ("What counts as a discount", "What counts as a discount?"),
        ("How backups are configured", "How are backups configured?"),  # asked, not named
        ("What we don't pay for", "What don't we pay for?"),
        ("Spotted something suspicious?", "Spotted something suspicious?"),
        ("How to request a review", "How do I request a review?"),
        ("Merging accounts", "How do I merge accounts?"),  # "merge" is the content's word
        ("Requesting VPN access", "How do I request VPN access?"),
        ("Setting up the queue", "How do I set up the queue?"),  # "set", not "sett"
        ("Restoring an RDS database (self-service)", "How do I restore an RDS database?"),
        ("Using the IT service portal", "How do I use the IT service portal?"),
    ],
)
def test_a_heading_that_asks_or_names_a_task_becomes_a_question(heading, asked):
    assert question(heading, WORDS) == asked


@pytest.mark.parametrize(
    "heading",
    [
        "Learning budget, tandems and mentoring",  # "the learning budget": a thing, no task
        "Pricing and framework agreements",  # a list of topics
        "Delegating while you are away",  # speaks to the reader
        "Rolling back",  # stop words only after the verb
        "Deploying to production",  # no "deploy" in the content: not guessed
        "What the build does",  # names something
        "Who to ask",
        "How long it takes",  # no verb to move
        "How to pay",  # nothing after the verb
        "Contacts",
        "Timeline",
    ],
)
def test_other_headings_are_left_out(heading):
    assert question(heading, WORDS) == ""


def test_a_section_its_title_names_is_a_topic_not_a_task():
    words = Words(["Meet in the lobby."])
    assert question("Meeting rooms", words, title="Printers and meeting rooms") == ""
    assert question("Meeting rooms", words) == "How do I meet rooms?"  # why the rule is there


@pytest.mark.parametrize(
    ("asked", "named"),
    [
        ("What gets created in NetSuite?", False),  # of what? (a trial's start page)
        ("Who can sign?", False),
        ("Who needs it?", False),
        ("What is covered?", False),
        ("What counts as a discount?", True),  # a noun phrase of its own
        ("What is the on-call allowance?", True),
        ("Which MFA factors are allowed?", True),
        ("When is Legal review needed?", True),
        ("How do I request VPN access?", True),
    ],
)
def test_a_question_names_its_subject_unless_its_question_word_is_all_of_it(asked, named):
    assert names_subject(asked) is named


def _page(path: str, title: str, team: str, department: str) -> Page:
    return Page(path=path, title=title, body="", team=team, department=department)


def _chunk(path: str, title: str, *heading: str) -> Chunk:
    return Chunk(id=f"{path}#{heading}", path=path, title=title, heading_path=heading,
                 text=TEXT, line=1)  # fmt: skip


PAGES = {
    "a/merge.md": _page("a/merge.md", "Merging accounts", "sales", "Business"),
    "a/quotes.md": _page("a/quotes.md", "Quotes", "sales", "Business"),
    "b/vpn.md": _page("b/vpn.md", "Requesting VPN access", "security", "IT"),
    "c/costs.md": _page("c/costs.md", "Costs", "finance", "Business"),
}
CHUNKS = [
    _chunk("a/quotes.md", "Quotes", "How to request a review"),
    _chunk("a/quotes.md", "Quotes", "Contacts"),
    _chunk("c/costs.md", "Costs", "How costs are allocated"),
]


def test_candidates_come_from_titles_then_headings_each_once():
    found = [(e.question, e.path, e.heading) for e in candidates(PAGES, CHUNKS)]
    assert found == [
        ("How do I merge accounts?", "a/merge.md", ""),
        ("How do I request VPN access?", "b/vpn.md", ""),
        ("How do I request a review?", "a/quotes.md", "How to request a review"),
        ("How are costs allocated?", "c/costs.md", "How costs are allocated"),
    ]


def test_the_most_specific_question_comes_first():
    words = "the service the service the service a count the schedule the schedule RDS"
    headings = ("Choosing the service", "Applying the schedule", "Restoring an RDS database")
    chunks = [_chunk("ops.md", "Ops", heading) for heading in headings]
    chunks = [replace(c, text=words + " choose apply restore") for c in chunks]
    pages = {"ops.md": _page("ops.md", "Ops", "ops", "IT")}
    assert [e.question for e in candidates(pages, chunks)] == [
        "How do I restore an RDS database?",  # "database" is nowhere else: most specific
        "How do I apply the schedule?",
        "How do I choose the service?",
    ]


def test_examples_take_turns_over_teams_and_keep_only_questions_answered_by_their_page():
    asked: list[str] = []

    def answers(q: str) -> str:
        asked.append(q)
        return "" if "review" in q else {e.question: e.path for e in candidates(PAGES, CHUNKS)}[q]

    examples = Examples(PAGES, CHUNKS, answers)
    # Teams by size, the departments taking turns: sales (Business, 2 pages), security (IT),
    # finance (Business); the review question does not find its page, so it is not offered.
    picked = [e.question for e in examples.pick(10)]
    assert picked == [
        "How do I merge accounts?",
        "How do I request VPN access?",
        "How are costs allocated?",
    ]
    assert [e.question for e in examples.pick(2)] == picked[:2]
    assert len(asked) == 4  # each question searched once, however often offered
    it_only = examples.pick(10, allowed=lambda page: page.department == "IT")
    assert [e.path for e in it_only] == ["b/vpn.md"]


def test_questions_that_name_their_subject_come_before_the_others_of_every_team():
    chunks = [*CHUNKS, _chunk("b/vpn.md", "Requesting VPN access", "Who needs it")]
    found = {e.question: e.path for e in candidates(PAGES, chunks)}
    examples = Examples(PAGES, chunks, lambda q: "" if "review" in q else found[q])
    picked = [e.question for e in examples.pick(10)]
    assert picked[-1] == "Who needs it?" and len(picked) == 4  # after every team's others
    assert "Who needs it?" not in [e.question for e in examples.pick(3)]


def test_every_bundled_example_is_a_question_its_page_answers(bundled_kb):
    examples = bundled_kb.overview(today=date(2026, 1, 1), top=8).examples
    assert len(examples) == 8
    teams = [bundled_kb.page(e.path).team for e in examples]
    assert len(set(teams)) == len(teams)  # one per team: they span the content
    departments = [bundled_kb.page(e.path).department for e in examples]
    assert all(a != b for a, b in zip(departments, departments[1:], strict=False))  # turns
    headings = {(c.path, c.heading) for c in bundled_kb.index.chunks}
    # Each names its subject: "What gets created in NetSuite?" did not (a trial).
    assert all(names_subject(e.question) for e in examples), [e.question for e in examples]
    assert "What gets created in NetSuite?" not in [e.question for e in examples]
    for e in examples:
        assert e.question.endswith("?")
        assert (e.path, e.heading) in headings or not e.heading  # its page's heading or title
        hits = bundled_kb.search(e.question, k=3)
        assert hits[0].relevant and hits[0].chunk.path == e.path, e.question
