"""Unit tests of the label chooser (kb/people/labels.py) on hand-made sections."""

from __future__ import annotations

from kb.models import Chunk, spoken
from kb.people.labels import Labeller, choose, phrases_in
from kb.people.terms import Vocabulary


def test_titles_and_headings_offer_phrases_without_numbers_asides_or_clauses():
    assert phrases_in("Deploying to Kubernetes (EKS)") == ["Deploying to Kubernetes"]
    assert phrases_in("WD2: accruals and prepayments") == ["accruals and prepayments"]
    assert phrases_in("Phase 1 – Triage (first 30 minutes)") == ["Triage"]
    assert phrases_in("Leavers – account deprovisioning") == [
        "Leavers – account deprovisioning",
        "Leavers",
        "account deprovisioning",
    ]
    assert phrases_in("Human access: IAM Identity Center")[1:] == [
        "Human access",
        "IAM Identity Center",
    ]
    for none in ("When a check fails", "How customers are matched", "WD1", "FAQ", "2024"):
        assert phrases_in(none) == [], none


def section(
    n: int, title: str, heading: str, text: str, tags: tuple[str, ...] = (), path: str = ""
) -> Chunk:
    return Chunk(f"c{n}", path or f"{title}.md", title, (heading,), text, 1 + n, tags=tags)


def test_a_topic_is_named_by_what_its_pages_share_and_one_page_by_its_title():
    chunks = [
        section(0, "Expense policy", "Limits", "Claims over the limit need approval.",
                ("expenses", "spendwise")),
        section(1, "Expense policy", "Receipts", "Photograph receipts in Spendwise.",
                ("expenses", "spendwise")),
        section(2, "Approving claims in Spendwise", "Deadlines", "Approve Spendwise claims.",
                ("spendwise", "approvals")),
        section(3, "Per diems and travel rates", "Day trips", "Per diems for day trips.",
                ("per-diem", "travel")),
        section(4, "Per diems and travel rates", "Overnight trips", "Overnight per diems.",
                ("per-diem", "travel")),
        section(5, "Printers", "Contacts", "Ask the service desk.", ()),
    ]  # fmt: skip
    vocabulary = Vocabulary([c.embed_text for c in chunks])
    labels = Labeller(chunks, vocabulary, boilerplate={"contacts"})
    # Three Spendwise sections: the tag all of them carry, as the content spells it.
    assert labels.label([(0, 1.0), (1, 1.0), (2, 1.0)]) == "Spendwise"
    # One page: its title, not "diems" or "trips".
    assert labels.label([(3, 1.0), (4, 1.0)]) == "Per diems and travel rates"
    # Boilerplate headings are no name; the title is.
    assert labels.describe([(5, 1.0)], 2) == ("Printers",)
    # A person's topics: every phrase that scores, most telling first, no stem twice.
    topics = labels.describe([(i, 1.0) for i in range(5)], 8, least=0.0, cover=False)
    assert {"Spendwise", "Per diems and travel rates"} <= set(topics)
    assert len({t.casefold() for t in topics}) == len(topics)


def test_the_chooser_weighs_support_against_the_weight_of_the_words():
    a, b, c = frozenset({"bank", "detail"}), frozenset({"supplier"}), frozenset({"fraud"})
    sections = [(1.0, {a | b}), (1.0, {a}), (1.0, {a, c})]
    weights = {"bank": 2.0, "detail": 2.0, "supplier": 1.0, "fraud": 3.0}
    # "bank details" is inside every section's phrases; the longer title only in one.
    assert choose(sections, weights, 1) == [a]
    # Nothing else covers what "bank details" leaves out, and no stem is used twice.
    assert choose(sections, weights, 3) == [a]
    assert choose(sections, weights, 3, cover=False, least=0.0) == [a, c]
    assert choose(sections, {}, 2) == []  # no weight: nothing to name them by
    assert choose([], weights, 2) == []


def test_a_phrase_with_a_name_in_it_is_never_offered():
    chunks = [
        section(0, "Coupa", "Ask Grace about Coupa", "Grace approves Coupa suppliers."),
        section(1, "Coupa", "Ask Grace about Coupa", "Grace onboards Coupa suppliers."),
        section(2, "Printers", "Queues", "Printer queues."),  # a corpus to stand out from
    ]
    rows = [(0, 1.0), (1, 1.0)]
    texts = [c.embed_text for c in chunks]
    seen = Labeller(chunks, Vocabulary(texts), ()).describe(rows, 3, least=0, cover=False)
    assert "Ask Grace about Coupa" in seen
    for vocabulary in (
        Vocabulary(texts, ignore=["Grace"]),  # an author's name
        Vocabulary(texts, hide=lambda w: w == "grace"),  # someone hidden
    ):
        shown = Labeller(chunks, vocabulary, ()).describe(rows, 3, least=0, cover=False)
        assert shown and not [p for p in shown if "Grace" in p]
    # A name outside A-Z, which no key term can hold, is checked all the same.
    chunks = [section(0, "Coupa", "Coupa tips from Zoë", "Coupa tips."), chunks[2]]
    texts = [c.embed_text for c in chunks]
    hidden = Labeller(chunks, Vocabulary(texts, hide=lambda w: w == "zoë"), ())
    assert hidden.describe([(0, 1.0)], 3, least=0, cover=False) == ("Coupa",)


def test_tags_read_as_words_spelled_as_the_content_spells_them():
    chunks = [
        section(0, "Setup", "Steps", "Use Okta Verify with the on-call phone. Okta.",
                ("okta-verify", "on-call")),
        section(1, "Other", "Notes", "The dbt models run nightly; dbt tests too.", ("dbt",)),
    ]  # fmt: skip
    labels = Labeller(chunks, Vocabulary([c.embed_text for c in chunks]), ())
    assert "Okta Verify" in labels.describe([(0, 1.0)], 5, least=0, cover=False)
    assert "on-call" in labels.describe([(0, 1.0)], 5, least=0, cover=False)


def test_phrases_read_as_one_line():
    assert spoken(()) == ""
    assert spoken(("Spendwise",)) == "Spendwise"
    assert spoken(("Spendwise", "NetSuite")) == "Spendwise and NetSuite"
    assert spoken(("a b", "c", "d")) == "a b, c and d"
    assert spoken(("Booking carriers and deliveries", "WMS")) == (
        "Booking carriers and deliveries; WMS"
    )
