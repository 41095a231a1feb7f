"""What a round of pairs says, on the bundled content with the real model: a topic is named
only when both people write it in one sense, coffee is for people who do not yet write
together and sit-outs take turns, and reverse mentoring spans two levels. A user trial saw
"Both work on key accounts" for AWS accounts and sales' key accounts, co-authors sent for
coffee, the same person sitting out round after round with the wrong reason, and "senior
teaches lead" under "the junior teaches the senior"."""

from __future__ import annotations

import re

from kb.models import level_rank, person_key

ROUNDS = 4
# One word shared across senses, each of which named a pair before: AWS accounts and sales'
# key accounts, booking meeting rooms and booking carriers, Microsoft Office and office supplies.
HOMONYMS = {"key accounts", "booking", "office", "accounts"}


def rounds(kb, kind: str):
    for new in (True, False):
        for seed in range(ROUNDS):
            yield kb.pairs(kind, seed=seed, new=new)


def says(text: str, phrase: str) -> bool:
    """Whether `text` says each word of `phrase` (a plural as its singular) in one sentence."""
    words = [w.rstrip("s") for w in re.findall(r"\w+", phrase.lower())]
    return any(
        all(re.search(rf"\b{re.escape(w)}", sentence) for w in words)
        for sentence in re.split(r"[.;:!?\n]", text.lower())
    )


def text_of(chunk) -> str:
    """A section's title, headings and text, and its tags in words."""
    return "\n".join((chunk.embed_text, *(t.replace("-", " ") for t in chunk.tags)))


def test_a_named_topic_is_one_both_write_in_one_sense(bundled_kb):
    writing = bundled_kb.analysis.writing
    same_topic = 1 - bundled_kb.settings.topic_distance
    named = 0
    for kind in ("tandem", "mentoring", "coffee"):
        for pairing in rounds(bundled_kb, kind):
            for pair in pairing.pairs:
                assert not {t.lower() for t in pair.terms} & HOMONYMS, pair.reason
                # Nor a heading many pages have: "Both work on contacts" (a trial).
                assert not {t.casefold() for t in pair.terms} & writing.boilerplate, pair.reason
                if not pair.terms:
                    continue
                named += 1
                # The first section cited for each says the topic, and the two are as close
                # as two pages of one topic are (a long section is several chunks of a line).
                said = []
                for person in (pair.first.name, pair.second.name):
                    cited = next(
                        e
                        for e in pair.evidence
                        if person in {a.name for a in bundled_kb.page(e.path).authors}
                    )
                    rows = [
                        r
                        for r, c in enumerate(writing.chunks)
                        if (c.path, c.line) == (cited.path, cited.line)
                        and says(text_of(c), pair.terms[0])
                    ]
                    assert rows, pair.reason
                    said.append(rows)
                cosine = float((writing.vectors[said[0]] @ writing.vectors[said[1]].T).max())
                assert cosine >= same_topic, (pair.reason, cosine)
    assert named >= 20  # still most pairs: Leavers, Spendwise, security questionnaire ...


def test_who_shares_no_work_is_not_paired_and_told_why(bundled_kb):
    # Lena Fischer (cloud platform) and Noah Williams (sales) were a tandem on "key accounts".
    tandem = bundled_kb.pairs("tandem", seed=0)
    assert {"Lena Fischer", "Noah Williams"} <= set(tandem.unpaired)
    assert tandem.why_unpaired == "no one free across the divide writes close enough to their work"
    together = {(p.first.name, p.second.name) for p in tandem.pairs}
    assert ("Kenji Sato", "Chloe Martin") in together  # Leavers: shared work still pairs
    # A profile's colleagues across follow the same rule (a review: Lena's listed Ines
    # Moreau for "Booking carriers", meeting rooms against carriers).
    assert bundled_kb.partners("Lena Fischer") == ()
    assert "Chloe Martin" in {p.second.name for p in bundled_kb.partners("Kenji Sato")}


def test_who_lost_their_partners_to_earlier_rounds_is_told_so(bundled_kb):
    # A trial: a round with new pairs only said "no one ... writes close enough" of people
    # whose close colleagues earlier rounds had paired them with.
    first = bundled_kb.pairs("tandem", seed=0)
    taken = [(p.first.name, p.second.name) for p in first.pairs]
    again = bundled_kb.pairs("tandem", seed=1, avoid=taken)
    paired_before = {n for pair in taken for n in pair}
    assert paired_before & set(again.unpaired), again
    assert again.why_unpaired.endswith(", other than their partners of earlier rounds")
    assert first.why_unpaired == "no one free across the divide writes close enough to their work"


def test_coffee_never_sends_co_authors(bundled_kb):
    own = bundled_kb.analysis.writing.own_rows
    pages = bundled_kb.analysis.writing.page_numbers
    met = 0
    for pairing in rounds(bundled_kb, "coffee"):
        for pair in pairing.pairs:
            mine, theirs = (
                {int(pages[r]) for r in own[person_key(c.name)]} for c in (pair.first, pair.second)
            )
            assert not mine & theirs and "write together" not in pair.reason, pair.reason
            met += 1
    assert met >= 70  # ten pairs a round: no one else is left out for it


def test_coffee_sit_outs_take_turns_and_say_why(bundled_kb):
    out = [bundled_kb.pairs("coffee", seed=s, new=True) for s in range(ROUNDS)]
    sat = [name for r in out for name in r.unpaired]
    assert len(sat) == ROUNDS and len(set(sat)) == ROUNDS, sat  # one a round, never twice
    for r in out:
        assert r.why_unpaired == "sitting out in turn, as one side has more people"


def test_coffee_says_who_is_left_because_they_met_everyone_left_before(bundled_kb):
    analysis = bundled_kb.analysis
    everyone = [analysis.names[k] for k in analysis.available("coffee")]
    met = [("Kenji Sato", other) for other in everyone if other != "Kenji Sato"]
    pairing = analysis.pairs("coffee", seed=0, avoid=met)
    assert "Kenji Sato" in pairing.unpaired
    reasons = dict(part.split(": ", 1)[::-1] for part in pairing.why_unpaired.split("; "))
    assert reasons["everyone left was met in an earlier round"] == "Kenji Sato"
    # The one on the other side left over, and who sat out: not "in turn" while someone
    # else lacks a partner (session 36); Kenji Sato is the only one across, and met them.
    both = reasons["everyone left is on their team or side or was met in an earlier round"]
    assert both.split(", ") == ["Chloe Martin", "Samuel Adeyemi"]
    assert "sitting out in turn, as one side has more people" not in reasons


def test_reverse_mentoring_spans_two_levels_or_more(bundled_kb):
    directory = bundled_kb.directory
    made = 0
    for pairing in rounds(bundled_kb, "reverse-mentoring"):
        for pair in pairing.pairs:
            mentor, mentee = (directory.find(c.name).level for c in (pair.first, pair.second))
            assert level_rank(mentee) - level_rank(mentor) >= 2, pair.reason
            assert f"({mentor} teaches {mentee})" in pair.reason
            made += 1
    assert made and "two levels or more apart" in pairing.why_unpaired


def test_a_mentor_is_not_said_to_teach_the_mentee_the_topic_of_their_own_page(bundled_kb):
    # A trial: "Grace O'Connor can mentor Priya Raman on security questionnaire", the tag of
    # the security analyst's own assessment page (its title does not say it).
    pages = bundled_kb.index.pages
    checked = 0
    for pairing in rounds(bundled_kb, "mentoring"):
        for pair in pairing.pairs:
            own = [
                page
                for page in pages.values()
                if any(a.name == pair.second.name and a.share >= 0.5 for a in page.authors)
            ]
            for term in pair.terms:
                for page in own:
                    about = "\n".join((page.title, *(t.replace("-", " ") for t in page.tags)))
                    assert not says(about, term), (pair.reason, page.title)
                checked += 1
    assert checked >= 4  # topics are still named: Spendwise → NetSuite integration ...
