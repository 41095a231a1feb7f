"""A question about people is searched by its topic: "who knows about X" is X."""

from __future__ import annotations

import pytest

from kb.search.asking import about_people, topic
from kb.search.snippet import matched_spans


@pytest.mark.parametrize(
    ("query", "searched"),
    [
        ("who knows about supplier onboarding", "supplier onboarding"),
        ("Who can help me with the WMS", "the WMS"),
        ("who should I ask about maternity pay", "maternity pay"),
        ("who is the expert on Snowflake", "Snowflake"),
        ("who understands how the ERP sync works", "how the ERP sync works"),
        ("who knows best about SAP", "SAP"),  # a review found these cut oddly or not at all
        ("who would know about the WMS", "the WMS"),
        ("who is the expert on call this weekend", "who is the expert on call this weekend"),
        # The verb is the topic: searched whole.
        ("who approves expense claims in Spendwise", "who approves expense claims in Spendwise"),
        (
            "who can approve my purchase order for a laptop",
            "who can approve my purchase order for a laptop",
        ),
        ("who has to sign off a 20% discount", "who has to sign off a 20% discount"),
        ("who is the first aider on the night shift", "who is the first aider on the night shift"),
        # Nothing but the frame: kept, not searched as "about".
        ("who knows about", "who knows about"),
        ("who knows", "who knows"),
    ],
)
def test_the_frame_of_a_question_about_people_is_not_searched(query, searched):
    assert topic(query) == searched


def test_a_framed_question_finds_what_its_topic_finds_and_marks_no_frame_word(bundled_kb):
    framed = bundled_kb.search("who knows about supplier onboarding", k=5)
    plain = bundled_kb.search("supplier onboarding", k=5)
    assert [h.chunk.id for h in framed] == [h.chunk.id for h in plain]
    assert framed[0].chunk.path == "procurement/vendor-onboarding.md"
    text = "Ask someone who knows the supplier onboarding steps."
    marked = [text[a:b] for a, b in matched_spans(text, "who knows about supplier onboarding")]
    assert marked == ["supplier", "onboarding"]
    people = bundled_kb.experts("who knows about supplier onboarding", k=3)
    assert people[0].name == "Grace O'Connor"


def test_a_question_about_a_named_colleague_alone_is_about_people():
    grace = ["Grace O'Connor"]
    assert about_people("who is Grace O’Connor?", grace)  # the apostrophe as typed
    assert about_people("what does Tomasz Nowak do", ["Tomasz Nowak"])
    assert not about_people("Tomasz Nowak laptop policy", ["Tomasz Nowak"])  # and a topic
    assert not about_people("what does Grace do", [])  # no one named
