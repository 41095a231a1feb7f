"""Typo correction of queries: misspelled words become the corpus's words, nothing else moves."""

from __future__ import annotations

import threading
import time

import pytest
from fakes import HashEmbedder
from helpers import CONTENT, QUESTIONS, top_pages, write

from kb import KnowledgeBase, build_index
from kb.config import Settings
from kb.content.chunk import chunk_document
from kb.content.discover import discover
from kb.content.pages import load_documents
from kb.search.spelling import Correction, Speller

PAGES = (
    "Expense policy. Submit every expense in Spendwise within 30 days. The expense policy "
    "sets limits for meals, hotels and travel; receipts are required above 25 EUR.",
    "Reimbursement. Approved expenses are reimbursed with the next payroll run. "
    "Reimbursement of mileage follows the travel policy.",
    "Data access. Analysts request the PII_READER role in the access portal; the data "
    "owner approves it. Spendwise exports go to the finance share.",
    "Leavers. Accounts are deprovisioning on the last day; laptops are provisioned again "
    "for the next starter.",
)


@pytest.fixture(scope="module")
def speller() -> Speller:
    return Speller(PAGES)


def test_misspelled_words_become_the_corpus_words(speller):
    fixed = speller.correct("expnse polcy")
    assert fixed == Correction(
        "expnse polcy", "expense policy", (("expnse", "expense"), ("polcy", "policy"))
    )
    assert fixed.changed


def test_a_typo_with_a_corpus_words_stem_becomes_that_word(speller):
    # BM25 stems "reimbursment" as "reimbursement" and finds its pages, but the model reads
    # the typo as noise: "recieve reimbursment" found no relevant page (a trial).
    fixed = speller.correct("recieve reimbursment")
    assert ("reimbursment", "reimbursement") in fixed.changes
    # Another ending is another form of a corpus word, not a slip ("favors", "mosquitos"
    # were corrected in SciFact and Cardano questions): "spendwises" stays.
    assert speller.correct("spendwises exports").changes == ()


def test_the_rest_of_the_query_stays_as_typed(speller):
    fixed = speller.correct("How do I file an Expnse  claim in Spendwise?")
    assert fixed.corrected == "How do I file an Expense  claim in Spendwise?"
    assert fixed.changes == (("Expnse", "Expense"),)


@pytest.mark.parametrize(
    "query",
    [
        "PII_READER",  # an identifier of the corpus
        "Spendwise spendwise",  # a product name of the corpus
        "canteen parking",  # English words no page uses
        "PII_READR role",  # identifiers are never corrected, even near a corpus one
        "SpendWize",  # CamelCase
        "SPENDWIZE",  # all capitals
        "expnse2",  # digits
        "polc",  # too short: one edit from too many words
        "deprovisioned",  # a form of a corpus word (same stem), not 'provisioned'
        "expense policy for travel",  # spelled right
        "",
    ],
)
def test_words_that_are_left_alone(speller, query):
    fixed = speller.correct(query)
    assert fixed == Correction(query, query)
    assert not fixed.changed


def test_long_words_may_be_two_edits_away_short_ones_one(speller):
    assert speller.correct("reimbrusment").corrected == "reimbursement"  # 2 edits, 12 letters
    assert speller.correct("xepnsee").corrected == "xepnsee"  # 2 edits, 7 letters


def test_seven_letters_may_be_two_edits_away_when_no_letter_is_replaced():
    # "forgot my paswrod" (a letter dropped, two swapped) was searched as typed: two edits,
    # and only words of 8 letters or more could be two away (a trial on the bundled pages).
    speller = Speller(["Reset your password in Okta.", "Contact the service desk."])
    assert speller.correct("forgot my paswrod").changes == (("paswrod", "password"),)
    assert speller.correct("pasword").changes == (("pasword", "password"),)
    # A second replaced letter reaches other words: a name the corpus lacks stays
    # ("Contabo" became "Contact" in a Cardano question when any two edits were allowed).
    assert speller.correct("Contabo hosting").changes == ()
    assert speller.correct("pazword").changes == ()  # one letter replaced, one dropped


def test_a_transposition_is_one_edit(speller):
    assert speller.correct("plociy").corrected == "plociy"  # two transpositions
    assert speller.correct("polciy").corrected == "policy"


def test_the_more_frequent_of_equally_near_words_wins():
    speller = Speller(["the carts", "a cards, another cards, the cards"])
    assert speller.correct("carxs").corrected == "cards"


def test_four_letter_words_only_get_back_a_dropped_letter(speller):
    # One substitution from too many words: "uber to the airport" became "user" (a trial).
    assert Speller(["the user logs in"]).correct("uber to the airport").changes == ()
    assert Speller(["your badge"]).correct("lost my bage").changes == (("bage", "badge"),)


def test_a_contraction_is_read_whole():
    # BM25's words split "couldn't" at the apostrophe: "couldn" became "could't" (a trial).
    speller = Speller(["we could not deliver, they would"])
    for query in ("I couldn't log in", "I couldn’t log in", "it wouldn't start"):
        assert speller.correct(query) == Correction(query, query)
    assert speller.correct("I couldn't delivr").changes == (("delivr", "deliver"),)


def test_a_first_letter_is_never_changed():
    # A name the corpus lacks is often one first letter from a word it has: "Binance" was
    # searched as "Finance", "Figma" as "Sigma" (a helper's measurement).
    speller = Speller(["Finance approves the budget", "sigma and bistable circuits"])
    for query in ("Binance withdrawal limits", "figma licence", "Airtable export"):
        assert speller.correct(query) == Correction(query, query)
    assert speller.correct("Finanse approvals").changes == (("Finanse", "Finance"),)


def test_correction_is_idempotent(speller):
    for query in ("expnse polcy", "Reimbrusment of meals", "spendwize exports"):
        once = speller.correct(query).corrected
        assert once != query
        assert speller.correct(once) == Correction(once, once)


def test_an_empty_corpus_corrects_nothing():
    assert Speller([]).correct("expnse polcy") == Correction("expnse polcy", "expnse polcy")


def test_words_learned_ahead_in_a_thread_are_learned_once_and_whole():
    # The texts are a generator (an index's chunks): read twice at once, one reader would get
    # what the other left. A query arriving while a server learns ahead must wait for it.
    def slow_texts():
        for n in range(200):
            time.sleep(0.001)
            yield f"expense policy receipts number{n}"

    speller = Speller(slow_texts())
    ahead = threading.Thread(target=speller.vocabulary)
    ahead.start()
    fixed = speller.correct("expnse polcy")
    ahead.join()
    assert fixed.corrected == "expense policy"
    assert speller.vocabulary() is speller.vocabulary()
    assert speller.vocabulary().knows("number199") and speller.vocabulary().knows("number0")


def test_a_query_typed_in_capitals_is_corrected_as_words():
    # With caps lock on, every word looked like an acronym and none was corrected: "LOST MY
    # RECIEPT" ranked the password page first (a trial).
    speller = Speller(["A lost receipt needs a declaration.", "Write the postmortem."])
    assert speller.correct("LOST MY RECIEPT").corrected == "LOST MY RECEIPT"
    assert speller.correct("POST MORTEM").corrected == "POSTMORTEM"
    # One word in capitals is an acronym or a name, and identifiers stay in any query.
    assert Speller(PAGES).correct("SPENDWIZE").changes == ()
    assert Speller(PAGES).correct("PII_READR ROLE EXPNSE").changes == (("EXPNSE", "EXPENSE"),)


def test_the_other_sides_spelling_becomes_the_corpus_spelling():
    # "catalog" is English, so it passed as typed, and BM25 never met "catalogue": "punch
    # out catalog coupa" ranked the preferred-suppliers page over the PO page (a trial).
    speller = Speller(["Punch-out catalogues have agreed prices.", "Colors of the logo."])
    assert speller.correct("punch out Catalog").changes == (("Catalog", "Catalogue"),)
    assert speller.correct("logo colours").changes == (("colours", "colors"),)
    # A corpus that writes both, or the typed word's stem, keeps the word as typed.
    for texts in (["the catalog and the catalogue"], ["catalogs and catalogues"]):
        assert Speller(texts).correct("catalog").changes == ()


def test_a_word_cut_short_of_an_ending_the_stemmer_drops_becomes_the_corpus_word():
    # "snowflak" and "netsuit" are the stems of "snowflake" and "netsuite": BM25 found the
    # pages, but the model and the card's highlighting read no word (a trial).
    speller = Speller(["Get access to Snowflake.", "Sync to NetSuite; okta groups; catalogs."])
    assert speller.correct("snowflak netsuit").changes == (
        ("snowflak", "snowflake"),
        ("netsuit", "netsuite"),
    )
    # A word the corpus writes as is stays, and so does one the corpus writes inflected:
    # "catalogs" is another form of "catalog", not what it was cut from.
    assert speller.correct("okta catalog").changes == ()


def test_a_word_cut_short_is_read_from_the_texts_that_hold_its_stem():
    # The keyword index says which texts hold "snowflak": the corpus's words stay unlearned
    # (learning them costs a cold search seconds on a large corpus), as for "approvers".
    read = []

    def texts():
        read.append(True)
        yield "Request Snowflake access. Okta groups."

    held = ["Request Snowflake access.", "Okta groups."]
    speller = Speller(texts(), known=lambda w: w in {"snowflak", "okta"}, holding=lambda w: held)
    assert speller.correct("snowflak okta").changes == (("snowflak", "snowflake"),)
    assert not read


def test_the_other_sides_spelling_the_corpus_writes_beats_another_form_of_the_word():
    # "request a new software license": the corpus holds its stem only in "licensed"
    # ("Docker Desktop is not licensed"), so it was searched as typed, and no page answered;
    # the pages write the noun "licence" (a trial on the bundled pages).
    speller = Speller(["Docker Desktop is not licensed.", "Software licence requests."])
    assert speller.correct("software license").changes == (("license", "licence"),)
    # A corpus that writes the typed word as is keeps it.
    assert Speller(["a license, a licence"]).correct("license").changes == ()


def test_a_compound_typed_apart_becomes_the_corpus_word():
    # "post mortem template" found the postmortem page fourth, none relevant (a trial).
    speller = Speller(["Write the postmortem within five days.", "The password is set up."])
    for typed in ("post mortem template", "post-mortem template"):
        assert speller.correct(typed).corrected == "postmortem template"
    assert speller.correct("Post mortem").corrected == "Postmortem"
    # Two words stay two when both are words ("pass word", "for the": "forthe" has the stem of
    # "forth"), and the joined word must be the corpus's very word, not one of its stem.
    assert Speller(["pass the word", "password"]).correct("pass word").changes == ()
    assert Speller(["back and forth"]).correct("for the record").changes == ()


@pytest.mark.parametrize(
    "typed, page",
    [
        ("LOST MY RECIEPT", "finance/expense-policy.md"),
        ("punch out catalog coupa", "procurement/purchase-orders-in-coupa.md"),
        ("post mortem template", "cloud-platform/on-call-and-postmortems.md"),
    ],
)
def test_messy_queries_find_the_page_meant(bundled_kb, typed, page):
    assert top_pages(bundled_kb, typed, n=1) == [page]


@pytest.mark.parametrize(
    "typed, corrected, page",
    [
        ("forgot my paswrod", "forgot my password", "service-desk/password-reset-and-mfa.md"),
        (
            "request a new software license",
            "request a new software licence",
            "service-desk/service-portal-guide.md",
        ),
        ("who can get snowflak access", "who can get snowflake access", "data/snowflake-access.md"),
    ],
)
def test_a_messy_query_is_answered_by_the_page_meant(bundled_kb, typed, corrected, page):
    # As typed, the password and licence pages came first but marked as no answer ("No page
    # answers this well"), and "snowflak" was searched and highlighted as no word.
    found = bundled_kb.search(typed, k=3)
    assert found.corrected == corrected
    assert found[0].chunk.path == page and found[0].relevant


def test_a_query_in_a_language_the_corpus_people_write_is_left_as_typed():
    pages = ["Raise the budget. Press the button. Pick a date. Access the warehouse."]
    # Without the directory's languages the German words are one slip from English ones.
    assert Speller(pages).correct("Reise Preis Daten").corrected == "Raise Press Date"
    german = Speller(pages, languages=["de", "en"])
    assert german.correct("Reise buchen").changes == ()
    assert german.correct("Preis Daten").changes == ()
    assert german.correct("press the buton").corrected == "press the button"  # English
    # A word of the language in an English query is a slip all the same (French "accès").
    french = Speller(pages, languages=["fr"])
    assert french.correct("how do I get acces").corrected == "how do I get access"


def test_a_colleagues_german_or_french_is_not_searched_as_english_words(bundled_kb):
    # people.yaml says colleagues write German and French. A trial: "Reise" (travel) was
    # searched as "Raise", "Daten" (data) as "Date", "Preis" (price) as "Press", "compte"
    # (account) as "compute", each shown as "Showing results for".
    for typed in ("Reise buchen", "Daten löschen", "Preis Laptop", "compte Salesforce"):
        assert bundled_kb.search(typed, k=3).corrected == "", typed
    found = bundled_kb.search("how do I get acces to snowflake", k=3)
    assert found.corrected == "how do I get access to snowflake"


@pytest.fixture(scope="module")
def bundled_speller() -> Speller:
    """The bundled content's chunks (chunked without the model: the same words)."""
    docs, _ = load_documents(CONTENT, discover(CONTENT))
    count = HashEmbedder().count_tokens
    return Speller.from_chunks([c for d in docs for c in chunk_document(d, count, Settings())[0]])


def test_no_bundled_question_is_changed(bundled_speller):
    # Unchanged queries search as before: correction cannot make a clean question worse.
    questions = [q["query"] for q in QUESTIONS["searches"] + QUESTIONS["experts"]]
    changed = [c for c in map(bundled_speller.correct, questions) if c.changed]
    assert changed == []


def test_bundled_names_stay_and_typos_of_them_are_fixed(bundled_speller):
    assert not bundled_speller.correct("PII_READER Spendwise NetSuite canteen parking").changed
    assert bundled_speller.correct("spendwize").corrected == "spendwise"
    assert bundled_speller.correct("expnse polcy").corrected == "expense policy"
    assert bundled_speller.correct("forgot my paswrod").corrected == "forgot my password"


def test_a_corrected_query_finds_the_page_meant(bundled_speller, bundled_kb):
    # As typed, "expnse polcy" has the expense policy nowhere in the top 3.
    fixed = bundled_speller.correct("expnse polcy")
    assert fixed.corrected == "expense policy"
    assert top_pages(bundled_kb, fixed.corrected)[0] == "finance/expense-policy.md"


@pytest.mark.parametrize("hidden", ["\u200b", "\u202e", "\u2066", "\ufeff", "\ufe0f", "\u034f"])
def test_invisible_characters_in_a_query_neither_split_words_nor_block_correction(
    bundled_kb, hidden
):
    # A zero-width space or a bidi control pasted inside a word: the reader sees "expense".
    typed = f"exp{hidden}ense pol{hidden}cy"
    found = bundled_kb.search(typed, k=3)
    assert found.corrected == "expense policy"
    assert found[0].chunk.path == "finance/expense-policy.md"
    assert all(hidden not in h.snippet for h in found)


def test_the_english_word_list_answers_as_the_set_of_its_words():
    from importlib import resources

    from kb.models import words as english

    package, name = english._ENGLISH
    words = resources.files(package).joinpath(name).read_text(encoding="utf-8").split()[::2]
    listed = english.english_words()
    assert len(listed) == len(set(words)) > 50_000
    assert all(w in listed for w in words)
    # Not in it: made-up words, prefixes and extensions of listed ones, non-ASCII, very long.
    for word in ("expnse", "polcy", "spendwise", "", "é", "naïve", "x" * 40, words[0] + "q"):
        assert (word in listed) == (word in set(words)), word
    longest = max(words, key=len)  # one letter past the array's width: never cut to fit
    assert longest in listed and longest + "x" not in listed


def test_a_very_long_word_is_looked_up_without_widening_the_list():
    # A 100,000-letter word made numpy widen all 83,000 words to its length: 8 GB for one
    # search from a shared link (a hostile trial). Now nothing the size of the list is made.
    import tracemalloc

    from kb.models import words as english

    listed = english.english_words()
    tracemalloc.start()
    try:
        assert "x" * 100_000 not in listed
        assert not Speller(PAGES).correct("expnse " + "q" * 100_000).changes[1:]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50_000_000, peak


def test_an_inflected_corpus_word_is_left_without_learning_the_corpus():
    # "approvers" is not its own stem, but the keyword index knows "approv": learning every
    # word of the corpus for it cost a cold search 2 s at 10,000 pages (a review).
    read = []

    def texts():
        read.append(True)
        yield "Approvers approve claims."

    speller = Speller(texts(), known=lambda word: word in {"approvers", "onboarded"})
    assert speller.correct("approvers onboarded").changes == () and not read


def test_correction_never_brings_back_a_hidden_name_or_a_drafts_words(tmp_path):
    # The speller learns the indexed chunks only: a hidden person's name is withheld from
    # them and a draft is not indexed, so a slip of either is no corpus word to correct to.
    content = tmp_path / "content"
    write(content / "people.yaml", "- name: Orla Quennerstedt\n  hide_from_expert_search: true\n")
    front = "---\ntitle: {}\nauthors: [Hannah Becker]\nteam: finance\n{}---\n"
    write(
        content / "finance/close.md",
        front.format("Close", "") + "# Close\n\nAsk Orla Quennerstedt about the Flumberwick.\n",
    )
    write(
        content / "finance/plan.md",
        front.format("Plan", "draft: true\n") + "# Plan\n\nThe Snorkelwhistle merger.\n",
    )
    build_index(content, tmp_path / "index", HashEmbedder(), Settings())
    kb = KnowledgeBase(tmp_path / "index", HashEmbedder(), Settings())
    assert kb.search("Flumberwik").corrected == "Flumberwick"  # the page's own word: corrected
    for typed in ("Quenerstedt", "Snorkelwhistl"):
        assert kb.search(typed).corrected == "", typed
