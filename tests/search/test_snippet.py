"""Snippets on hand-made section texts: what a reader sees of tables, code, data and lists,
which sentence is marked as the answer, and which words are highlighted."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kb.models import Chunk, Hit
from kb.search.cards import group_by_page, is_navigation, sections_shown
from kb.search.display import CODE, DATA, HEAD, ITEM, PROSE, ROW, TOC, parse_units
from kb.search.snippet import make_snippet, marked, matched_spans

TABLE = """The overnight rate covers meals for a full day.

| Destination | Per 24 hours | Breakfast included |
|---|---:|:---:|
| UK | £35 | £28 |
| **Germany** | €48 | €40 |
| France | €50 | €42 |

Ask finance about anywhere else."""


def words(text: str, query: str) -> list[str]:
    return [text[a:b] for a, b in matched_spans(text, query)]


def answer(snippet) -> str:
    return "".join(snippet.text[a:b] for a, b in snippet.answer)


def test_table_rows_read_cell_by_cell_without_pipes_or_rule_rows():
    found = parse_units(TABLE)
    assert [u.kind for u in found] == [PROSE, HEAD, ROW, ROW, ROW, PROSE]
    assert found[1].text == "Destination · Per 24 hours · Breakfast included"
    assert found[3].text == "Germany · €48 · €40"
    s = make_snippet(TABLE, "meals in germany", weights={"meal": 1.0, "germani": 3.0})
    assert "|" not in s.text and "---" not in s.text
    assert answer(s) == "Germany · €48 · €40"


def test_a_table_row_far_down_is_shown_under_its_header():
    rows = "\n".join(f"| City {n} | {n} days |" for n in range(40))
    text = "| City | Notice |\n|---|---|\n" + rows + "\n| Rotterdam | 90 days |"
    s = make_snippet(text, "rotterdam notice")
    assert s.text.startswith("City · Notice\nRotterdam · 90 days")
    assert answer(s) == "Rotterdam · 90 days"


def test_a_row_holds_what_its_header_names():
    # "per year" is in the header only: the first row under it answers, not prose that
    # shares one word with the query.
    text = (
        "| Who | Budget per calendar year |\n|---|---|\n| Everyone | £1,000 |\n"
        "| Managers | £1,500 |\n\nWhat it covers: courses and books for your learning."
    )
    s = make_snippet(text, "learning budget per year")
    assert answer(s) == "Everyone · £1,000"
    assert s.text.startswith("Who · Budget per calendar year\nEveryone · £1,000")


def test_of_rows_as_good_the_one_saying_least_else_answers():
    text = "| Destination | Per day |\n|---|---|\n| UK (outside London) | £35 |\n| London | £45 |"
    assert answer(make_snippet(text, "hotel in London")) == "London · £45"
    prose = "Book the hotel early. A hotel near the office is best."
    assert answer(make_snippet(prose, "hotel")) == "Book the hotel early."  # the first
    # A sentence saying the words answers before a row whose header names them (a review).
    vpn = "The VPN is owned by the network team.\n\n| Service | Owner |\n|---|---|\n| Jira | Al |"
    assert answer(make_snippet(vpn, "vpn service owner")).startswith("The VPN is owned")
    ticket = (
        "To request a laptop, open a ticket.\n\n| Item | How |\n|---|---|\n| Laptop | a ticket |"
    )
    assert answer(make_snippet(ticket, "laptop ticket")) == "To request a laptop, open a ticket."


def test_a_table_cut_by_the_chunker_still_reads_by_row():
    found = parse_units("| UK | £35 |\n| Germany | €48 |")
    assert [(u.text, u.kind) for u in found] == [("UK · £35", ROW), ("Germany · €48", ROW)]


def test_code_fences_are_lines_of_code_never_run_into_prose():
    text = (
        "Restore into a new instance:\n\n```bash\naws rds restore-db-instance \\\n"
        "  --source prod\n```\n\nThen copy the rows you need back."
    )
    found = parse_units(text)
    assert [u.kind for u in found] == [PROSE, CODE, CODE, PROSE]
    s = make_snippet(text, "copy rows back")
    assert "aws rds" not in s.text and "```" not in s.text
    assert answer(s) == "Then copy the rows you need back."
    s = make_snippet(text, "aws rds restore")
    assert s.text.startswith("… aws rds restore-db-instance \\\n--source prod")
    assert "Then copy" not in s.text  # code is not run on into prose


def test_a_fence_cut_by_the_chunker_is_still_code():
    assert [u.kind for u in parse_units("Run this:\n\n```yaml\nreplicas: 2\n")] == [PROSE, CODE]
    assert [u.kind for u in parse_units("replicas: 2\n```\n\nThat is all.")] == [CODE, PROSE]


# The same records in a fence, as bare lines and tab-separated.
DATA_TEXTS = (
    "Import them with the loader:\n\n```csv\nname,email,team,cost_centre\n"
    "Ana Ruiz,ana@x.example,it,CC-1\nBo Chen,bo@x.example,hr,CC-2\n```",
    "Import them with the loader:\n\nname,email,team,cost_centre\n"
    "Ana Ruiz,ana@x.example,it,CC-1\nBo Chen,bo@x.example,hr,CC-2",
    "Import them:\n\n```tsv\nname\temail\tteam\tcost_centre\n"
    "Ana Ruiz\tana@x.example\tit\tCC-1\nBo Chen\tbo@x.example\thr\tCC-2\n```",
)


@pytest.mark.parametrize("text", DATA_TEXTS)
def test_comma_separated_data_is_summarised_never_shown(text):
    found = parse_units(text)
    assert found[-1][:2] == (
        "(comma-separated data, 2 rows; columns name, email, team, cost_centre)",
        DATA,
    )
    s = make_snippet(text, "ana ruiz email team")
    assert "@" not in s.text and "Ana" not in s.text
    assert "comma-separated data" in s.text


@pytest.mark.parametrize("text", DATA_TEXTS)
def test_a_code_held_only_in_data_shows_the_record_holding_it(text):
    # A trial: "CC-3100" found the supplier template whose record holds it, and the card
    # showed only "(comma-separated data, 1 row; columns ...)". The record's first cell and
    # the cell holding the code are shown, each under its column's name; no other cell.
    for query in ("CC-2", "which team has cost centre cc-2"):
        s = make_snippet(text, query)
        assert s.text.endswith("name: Bo Chen · … · cost_centre: CC-2"), (query, s.text)
        assert s.answer and s.text[slice(*s.answer[0])].endswith("cost_centre: CC-2")
        assert "@" not in s.text and "Ana" not in s.text
    # A code the prose says is found there, as any word is; a code no record holds whole
    # ("CC-22", "C-2") is not looked up in the data.
    assert "Ruiz" not in make_snippet(text + "\n\nAsk for CC-1 at the desk.", "CC-1").text
    for query in ("CC-22", "C-2"):
        assert "Bo Chen" not in make_snippet(text, query).text, query


def test_prose_with_commas_is_not_data():
    for text in (
        "Budget: £1,200,000 for 2026, £1,500,000 for 2027 and £2,000,000 after.",
        "Bring a laptop, a badge, a charger, a notebook, and a pen.",
    ):
        assert parse_units(text)[0] == (text, PROSE)
    assert parse_units("Above.\n\n* * *\n\nBelow.") == (("Above.", PROSE), ("Below.", PROSE))


def test_a_list_of_email_addresses_is_summarised():
    text = "Copy in: ana@x.example, bo@x.example, cy@x.example, di@x.example"
    assert parse_units(text) == ((("(a list of 4 email addresses)", DATA)),)
    one = "Questions: Oliver Grant, ap@brightwater.example."
    assert parse_units(one)[0].kind == PROSE  # one address is a contact, shown


def test_markdown_marks_go_but_code_and_identifiers_stay():
    found = parse_units("**In Gmail:** open the message → **Report phishing**. Use `cost_center`.")
    assert found[0].text == "In Gmail: open the message → Report phishing."
    assert found[1].text == "Use cost_center."
    assert parse_units("snake_case_name and 2*3*4 stay")[0].text == "snake_case_name and 2*3*4 stay"
    assert [u.kind for u in parse_units("- one\n- two\n  more of two\n1. three")] == [ITEM] * 3
    assert parse_units("- two\n  more of two")[0].text == "two more of two"


def test_the_sentence_with_the_rarest_query_words_is_the_answer():
    text = (
        "Do not be embarrassed. Report it straight away. "
        "If you entered your password, change your Okta password immediately."
    )
    weights = {"type": 2.0, "password": 0.0, "report": 1.0}  # stem -> IDF
    s = make_snippet(text, "I typed my password, should I report it", weights=weights)
    assert answer(s) == "Report it straight away."  # 'password' weighs 0 here
    s = make_snippet(text, "I typed my password, should I report it")
    assert answer(s).startswith("If you entered your password")  # 2 x password beats 1 x report


STEPS = """1. Go to okta.example and click Forgot password?
2. Choose a new password of 14 characters.

Self-service reset does not work if you have lost your phone."""


def test_by_meaning_too_a_step_answers_before_a_caveat_holding_the_rarer_word():
    query, weights = "how do I reset my password", {"reset": 3.0, "password": 1.0}
    assert answer(make_snippet(STEPS, query, weights=weights)).startswith("Self-service reset")
    # The sentences' cosines to the query (kb.search.sentences), by their place in the units.
    meaning = {0: 0.51, 1: 0.58, 2: 0.25}
    s = make_snippet(STEPS, query, weights=weights, meaning=meaning)
    assert answer(s) == "Choose a new password of 14 characters."
    # Meaning is half the score: a sentence close in meaning but holding only the common
    # word does not outweigh one holding the rarer word and nearly as close.
    s = make_snippet(STEPS, query, weights=weights, meaning={0: 0.51, 1: 0.52, 2: 0.50})
    assert answer(s).startswith("Self-service reset")


def test_the_sentence_nearest_in_meaning_without_a_query_word_starts_the_snippet_unmarked():
    text = (
        "Use your own car only when it is cheaper than rail.\n\n"
        "- UK: 45p per mile for the first 10,000 business miles.\n"
        "- Netherlands: 0.23 EUR per km.\n\nDo not claim for your normal commute."
    )
    query = "how much can I claim for mileage"
    assert answer(make_snippet(text, query)) == "Do not claim for your normal commute."
    s = make_snippet(text, query, meaning={0: 0.26, 1: 0.61, 2: 0.31, 3: 0.34})
    assert s.answer == () and "45p per mile" in s.text  # marked words and mark agree


def test_the_rows_of_a_table_share_its_meaning_and_words_choose_among_them():
    # Rows read under one header come within noise of each other: their words decide.
    text = "| Destination | Per day |\n|---|---|\n| UK (outside London) | £35 |\n| London | £45 |"
    meaning = {1: 0.631, 2: 0.629}  # the header (0) is never the answer
    assert answer(make_snippet(text, "hotel in London", meaning=meaning)) == "London · £45"


def test_no_answer_is_marked_when_no_query_word_is_in_the_section():
    s = make_snippet("Erasure is done within a month. Backups age out.", "wipe my data")
    assert s.answer == () and s.text.startswith("Erasure")


def test_a_long_section_is_cut_around_the_answer():
    text = " ".join(f"Filler sentence number {n} says little." for n in range(30))
    text += " The VPN client needs Okta Verify. " + "More filler follows here. " * 20
    s = make_snippet(text, "vpn client okta")
    assert s.text.startswith("… ") and s.text.endswith(" …") and len(s.text) < 300
    assert answer(s) == "The VPN client needs Okta Verify."


def test_highlighting_matches_whole_words_by_stem():
    assert words("Claims and the claim, claimed", "claims") == ["Claims", "claim", "claimed"]
    assert words("Homebrew at home, homes", "home") == ["home", "homes"]  # no prefix
    assert words("the dodgy link", "a dodgy link, the") == ["dodgy", "link"]  # no stop words
    assert words("What is done with it", "what is it") == []  # the query is all stop words
    assert words("AWS and away", "aws") == ["AWS"]


def test_marked_pieces_flag_query_words_and_the_answer():
    text = "Intro. Report it now. Outro."
    pieces = marked(text, "report", ((7, 21),))
    assert pieces == [
        ("Intro. ", False, False),
        ("Report", True, True),
        (" it now.", False, True),
        (" Outro.", False, False),
    ]
    assert "".join(p for p, *_ in pieces) == text


def hit(path: str, heading: str, text: str) -> Hit:
    chunk = Chunk(
        id=f"{path}#{heading}",
        path=path,
        title=path,
        heading_path=(heading,) if heading else (),
        text=text,
        line=1,
    )
    return Hit(chunk=chunk, score=1.0)


def test_a_card_skips_a_contents_list_when_another_section_of_the_page_matched():
    overview = hit("a.md", "", "Contents: Setup; Access; Contacts")
    see_also = hit("b.md", "See also", "- Setup guide\n- Access requests")
    setup = hit("a.md", "Setup", "Install the client.")
    other = hit("b.md", "Access", "Ask your manager.")
    assert is_navigation(overview) and is_navigation(see_also)
    assert not is_navigation(setup) and not is_navigation(hit("c.md", "Steps", "- one\n- two"))
    cards = group_by_page([overview, see_also, setup, other])
    assert [(c.chunk.path, c.chunk.heading) for c, _ in cards] == [
        ("a.md", "Setup"),
        ("b.md", "Access"),
    ]
    assert cards[0][1] == [overview]
    alone = group_by_page([overview])
    assert alone[0][0] is overview  # nothing else matched: the overview is the card
    # `kb search` lists sections the same way: each in its place, the contents list's taken
    # by its page's other section.
    listed = sections_shown([overview, see_also, other, setup])
    assert listed == [setup, other] and sections_shown([overview]) == [overview]


def test_an_overview_shows_its_summary_not_its_contents():
    text = "How we onboard new starters.\nContents: Setup; Access; Contacts"
    assert [u.kind for u in parse_units(text)] == [PROSE, TOC]
    assert make_snippet(text, "payroll").text == "How we onboard new starters. …"
    assert make_snippet(text, "onboard").text == "How we onboard new starters. …"
    assert not is_navigation(hit("a.md", "", text))  # the summary can be the card


def test_text_holding_the_private_mark_for_code_spans_reads_as_written():
    text = "A \ue0009\ue000 mark and `code` and \ue000" + "9" * 5000 + "\ue000."
    assert parse_units(text)[0].text == text.replace("`", "")


@pytest.mark.parametrize(("confidence", "shown"), [(0.9996, "99%"), (0.5, "50%"), (0.0, "1%")])
def test_a_confidence_is_shown_as_a_percent_that_is_never_certain(confidence, shown):
    assert replace(hit("a.md", "", "Text."), confidence=confidence).percent == shown


def test_a_group_of_digits_in_a_larger_number_is_no_word_of_its_own():
    # A business trial: "£100,000" marked the "000" of "£250,000" (BM25 reads "£250,000" as
    # "250" and "000"), read as the amount asked.
    text = "up to £250,000: a director; above £100,000.50 and 12.5% or 2.5 days, 40 minutes"
    assert words(text, "a contract worth £100,000.50") == ["100", "000", "50"]
    assert words(text, "£250,000") == ["250", "000"]
    assert words(text, "2.5 days") == ["2", "5", "days"]  # not the 5 of 12.5
    assert words(text, "forty minutes") == ["40", "minutes"]  # a whole number, as its word
    assert words("Room 000 is on the ground floor", "000") == ["000"]


def test_a_mark_whose_band_holds_the_amount_asked_says_so():
    text = (
        "| Total discount | Approver |\n|---|---|\n| Up to 10% | Sales rep |\n"
        "| 10.01% – 15% | Regional sales manager |\n| Over 15% | Head of Sales |"
    )
    made = make_snippet(text, "who approves a 12% discount")
    assert made.text[made.answer[0][0] : made.answer[0][1]].startswith("10.01% – 15%")
    assert made.band
    assert not make_snippet(text, "who approves a discount").band  # no amount asked


def test_a_question_asking_how_to_do_something_marks_the_instruction_to_do_it():
    # A business trial: "how do I sign up for a tandem" marked what a tandem is.
    text = (
        "A tandem is two people from different departments who teach each other.\n\n"
        "- Sign up through the form linked in #learning; cohorts start in February.\n"
        "- Tell Samuel what you can offer."
    )
    nearer = {0: 0.60, 1: 0.40, 2: 0.30}  # the model's cosines put the definition first
    made = make_snippet(text, "how do I sign up for a tandem", meaning=nearer)
    assert answer(made).startswith("Sign up through the form")
    made = make_snippet(text, "what is a tandem", meaning=nearer)
    assert answer(made).startswith("A tandem is two people")
    # An imperative is the verb as asked: a noun of the same stem is no instruction.
    text = "Delegation does not move budget rights.\n\n- Set a delegate in Spendwise first."
    made = make_snippet(text, "how do I delegate approvals", meaning={0: 0.30, 1: 0.50})
    assert answer(made).startswith("Set a delegate")
