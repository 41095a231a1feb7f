"""Unit tests of the people-side stages: key terms, topics, pairing, team cover, gaps."""

from __future__ import annotations

import json
import random
import string
from datetime import date

import numpy as np

from kb.config import REDACTION_VERSION
from kb.models import (
    Author,
    Chunk,
    Directory,
    Expert,
    Hit,
    Page,
    PageCredit,
    Person,
    Profile,
    name_digest,
)
from kb.models.consent import names_hidden
from kb.people import searchlog
from kb.people.matching import ends
from kb.people.pairing import chance, closeness, one_round, overlap, score
from kb.people.profiles import introduced, ranked
from kb.people.stale import stale_pages
from kb.people.team import choose, subtopics
from kb.people.terms import Vocabulary
from kb.people.topics import bus_factor, group, shared_subjects


def test_key_terms_merge_spellings_prefer_phrases_and_skip_names():
    texts = [
        "Expense claims go to Spendwise with receipts. Ask Ana Ruiz.",
        "Submit expense claims in Spendwise before month end.",
        "The VPN client needs Okta Verify.",
        "Okta Verify resets: see the service desk.",
    ]
    v = Vocabulary(texts, ignore=["Ana", "Ruiz"])
    terms = v.key_terms([(0, 1.0), (1, 1.0)], 3)
    assert terms[0] == "expense claims"  # a phrase beats its words, and is shown once
    assert "Spendwise" in terms  # the content's own spelling
    assert not {"claim", "claims", "expense", "Ana", "Ruiz"} & set(terms)
    assert set(v.shared_weights([2], [3])) == {"okta", "verifi"}  # one-word stems both use
    # A phrase never spans a full stop: "Spendwise. Claims" is not one.
    assert "Spendwise Claims" not in v.key_terms([(0, 1.0)], 10)


def test_a_phrase_with_punctuation_never_runs_across_a_sentence_end():
    # "Spendwise → NetSuite integration" matched "Pay in Spendwise. NetSuite integration
    # runs ..." (a review): punctuation is a break a phrase may hold, a full stop is not.
    from kb.people.matching import _plain

    def says(text: str, phrase: str) -> bool:
        return f" {_plain(phrase)} " in f" {_plain(text)} "

    phrase = "Spendwise → NetSuite integration"
    assert says("The Spendwise → NetSuite integration runs nightly.", phrase)
    assert says("See Spendwise / NetSuite integrations: failures", phrase)
    assert not says("Pay in Spendwise. NetSuite integration runs at 02:00.", phrase)
    assert not says("Pay in Spendwise!  NetSuite integration", phrase)
    assert not says("Pay in Spendwise\nNetSuite integration", phrase)
    assert says("Spendwise v2.1 sends it.", "Spendwise v2.1")  # a dot inside a word
    assert not says("A KMS key. Accounts are ...", "key accounts")


def test_a_hidden_word_is_never_a_term():
    texts = ["Ask Grace. Coupa suppliers.", "Grace: Coupa onboarding.", "Printers.", "Laptops."]
    shown = Vocabulary(texts).key_terms([(0, 1.0), (1, 1.0)], 10)
    assert "Grace" in shown
    hidden = Vocabulary(texts, hide=lambda w: w == "grace").key_terms([(0, 1.0), (1, 1.0)], 10)
    assert not [t for t in hidden if "Grace" in t] and [t for t in hidden if "Coupa" in t]


def test_bus_factor_counts_people_who_would_have_to_leave():
    assert bus_factor([(10, {"ana": 1.0})]) == 1
    assert bus_factor([(10, {"ana": 0.5, "bo": 0.5})]) == 2  # both know all of it
    assert bus_factor([(10, {"ana": 1.0}), (10, {"bo": 1.0})]) == 2  # half each: not most
    assert bus_factor([(30, {"ana": 1.0}), (10, {"bo": 1.0})]) == 1  # ana alone holds most
    assert bus_factor([(10, {"ana": 0.95, "bo": 0.05})]) == 1  # a typo fix is not knowledge
    assert bus_factor([(10, {}), (5, {"ana": 1.0})]) == 0  # most of it already has no author


def test_grouping_keeps_unrelated_pages_apart_and_is_stable():
    rng = np.random.default_rng(1)
    a, b, c = (rng.normal(size=16) for _ in range(3))
    rows = [a, a + 0.05 * rng.normal(size=16), b, b + 0.05 * rng.normal(size=16), c]
    x = np.array([r / np.linalg.norm(r) for r in rows], dtype=np.float32)
    labels = group(x, 0.45)
    assert labels[0] == labels[1] and labels[2] == labels[3]
    assert len({labels[0], labels[2], labels[4]}) == 3
    assert list(group(x, 0.45)) == list(labels)


def test_overlap_ignores_pages_written_together():
    v = np.eye(4, dtype=np.float32)
    v[3] = v[0]  # row 3 says what row 0 says
    pages = np.array([0, 0, 1, 2])  # the page of each row
    assert overlap([0], [1], v, pages).score == 0  # same page only: nothing to learn
    close = overlap([0], [3], v, pages)
    assert close.score == 1.0 and close.pairs[0][:2] == (0, 3) and not close.coauthors
    assert overlap([0, 1], [1, 3], v, pages).coauthors
    # Two who wrote two near-identical pages together are not close by them: a page both
    # wrote counts on neither side (a trial saw them paired at 0.99 by their own pages).
    v = np.eye(4, dtype=np.float32)
    v[3], v[2] = v[0], v[1]  # page 1 says what page 0 says
    pages = np.array([0, 0, 1, 1])
    assert overlap([0, 2], [1, 3], v, pages).score == 0
    assert overlap([0, 2], [1, 3], v, pages).coauthors
    assert closeness([0, 2], [[1, 3]], v, pages)[0] == 0


def test_a_round_takes_each_person_once_strongest_first():
    chosen = one_round([(0.9, "a", "x"), (0.8, "a", "y"), (0.7, "b", "x"), (0.1, "b", "y")])
    assert chosen == [(0.9, "a", "x"), (0.1, "b", "y")]


def test_chance_is_fixed_by_seed_and_names_only():
    assert chance(3, "Ana", "Bo") == chance(3, "Bo", "Ana")
    assert chance(3, "Ana", "Bo") != chance(4, "Ana", "Bo")
    assert 0 <= chance(0, "a", "b") < 1
    assert score("coffee", 0.2, 0.9) > score("coffee", 0.6, 0.0)  # chance can win a coffee
    assert score("tandem", 0.6, 0.0) > score("tandem", 0.2, 1.0)  # but not a tandem


def test_team_cover_prefers_a_new_department_and_adds_backups():
    scores = [{"ana": 1.0, "bo": 0.9}, {"cy": 1.0}]
    sides = {"ana": "IT", "bo": "Business", "cy": "IT"}
    assert choose(scores, sides, 1) in (["ana"], ["cy"])
    team = choose(scores, sides, 3)
    assert set(team) == {"ana", "bo", "cy"}  # bo backs ana up, from the other department
    assert choose([{"ana": 1.0}], sides, 5) == ["ana"]  # no one else adds anything


def test_a_phrase_names_the_things_it_joins_with_and_of_two_words_or_more():
    from kb.people.team import _joined

    assert _joined("sync claims into NetSuite and a GDPR review") == [
        "sync claims into NetSuite",
        "a GDPR review",
    ]
    assert _joined("terms and conditions") == [] and _joined("replace the VPN") == []
    assert _joined("laptop and accounts on day one") == []  # "laptop": one word


def test_subtopics_split_on_commas_and_conjunctions():
    assert subtopics("sync claims into NetSuite, GDPR review and stock counts") == [
        "sync claims into NetSuite",
        "GDPR review",
        "stock counts",
    ]
    assert subtopics("replace the VPN") == ["replace the VPN"]
    assert subtopics("WMS replacement: warehouse picking, carrier booking") == [
        "warehouse picking",
        "carrier booking",
    ]
    assert subtopics("WMS replacement: picking") == ["WMS replacement: picking"]
    assert subtopics("see https://wiki/wms, carrier booking") == [
        "see https://wiki/wms",
        "carrier booking",
    ]
    assert subtopics("new starter laptop and accounts on day one") == [
        "new starter laptop and accounts on day one"  # one idea: "and" alone never splits
    ]
    assert subtopics("delete data; Snowflake and Salesforce access") == [
        "delete data",
        "Snowflake",
        "Salesforce access",
    ]


def test_stale_pages_are_past_review_or_long_unchanged():
    pages = [
        Page("a.md", "A", "", updated="2026-01-01", owner="Ana Ruiz <ana@x.org>"),
        Page("b.md", "B", "", updated="2024-01-01", authors=(Author("Bo Chen", 1.0),)),
        Page("c.md", "C", "", updated="2026-06-01", review_by="2026-02-01"),
        # Unchanged for two years, but reviewed to last until 2027: not stale.
        Page("d.md", "D", "", updated="2024-11-12", review_by="2027-05-01"),
        # "TBD" promises no review (a review found it silenced the age for good).
        Page("e.md", "E", "", updated="2019-01-01", review_by="TBD"),
    ]
    stale = stale_pages(pages, date(2026, 11, 25), 365)
    assert [(s.path, s.owner) for s in stale] == [("b.md", "Bo Chen"), ("e.md", ""), ("c.md", "")]
    assert "review was due 2026-02-01" in stale[2].reason


def test_hidden_names_in_logged_searches_are_recognised():
    salt = "s1"
    digests = frozenset({name_digest("tomasz nowak", salt), name_digest("tnowak", salt)})
    words = frozenset(name_digest(w, salt) for w in ("tomasz", "nowak"))
    for query in (
        "ask Tomasz Nowak about VPN",
        "Tomasz Nowak's dog",
        "is Tomasz Nowak?",
        "(Tomasz Nowak) parking",
        '"Tomasz Nowak" canteen',
        "Tomasz-Nowak lunch",
        "Mr. NOWAK, Tomasz: gym membership",
        "nowak parking",
        "T. Nowak cake recipe",
        "tnowak laptop",
        "mail tomasz.nowak@other.org about leave",
        "mail t.nowak@x.org",
        "nowak-tomasz cooking",
        "tomasz_nowak bicycle repair",
        "tomasznowak gardening tips",
        "ＴＯＭＡＳＺ ＮＯＷＡＫ karaoke",  # full-width letters
        "Nowa\u200bk desk",  # an invisible character inside
        "Nowakʼs coffee",  # a modifier-letter apostrophe
        "nowak1 printer",
        "tnowak123",
        "ask-tomasz",
        "Tomaszs laptop",
        "Nowaks' team",
        "Tómasz Nówak",
        "T̶o̶m̶a̶s̶z̶ N̶o̶w̶a̶k̶",  # combining strike-through
        "\u202ekawon zsamot",  # right-to-left override: shows as "tomasz nowak"
        "T o m a s z  N o w a k",
        "N.O.W.A.K. parking",
        "2024nowak",
        "tomasz2nowak",
        "drnowak",  # inside a longer word
        "kawon zsamot",  # reversed
        "T0m4sz N0w4k",  # leetspeak
        "Тomasz Nоwak",  # Cyrillic look-alike letters
        # small capitals
        "\u1d1b\u1d0f\u1d0d\u1d00\ua731\u1d22 \u0274\u1d0f\u1d21\u1d00\u1d0b salary",
        "Tomasz Nowa\u0138",  # kra
    ):
        assert names_hidden(query, digests, salt, words), query
    assert names_hidden("Tomasz Nowak", digests, salt)  # without the word fingerprints too
    for harmless in ("VPN access for contractors", "banana bread", "PR review process"):
        assert not names_hidden(harmless, digests, salt, words), harmless
    assert not names_hidden("Tomasz Nowak", frozenset(), salt)


def test_a_login_of_a_short_surname_in_a_logged_search_is_recognised():
    # A trial saw "ksato parking permit" in the gap report while Kenji Sato was hidden: a
    # surname of 4 letters is inside no stretch of five.
    salt = "s1"
    digests = frozenset({name_digest("kenji sato", salt)})
    words = frozenset(name_digest(w, salt) for w in ("kenji", "sato"))
    for query in ("ksato parking permit", "satok rota", "jksato laptop", "KSato@corp mail"):
        assert names_hidden(query, digests, salt, words), query
    for harmless in ("tomato soup", "data catalogue", "satisfaction survey", "kb setup"):
        assert not names_hidden(harmless, digests, salt, words), harmless
    # An English word is no login (a review: hidden Chan, Mark, Sage, Ruth withheld these).
    for name in ("chan", "mark", "sage", "ruth"):
        digests = frozenset({name_digest(f"ana {name}", salt)})
        words = frozenset(name_digest(w, salt) for w in ("ana", name))
        for harmless in ("password change", "market research", "vpn usage", "truth table"):
            assert not names_hidden(harmless, digests, salt, words), (name, harmless)


def test_search_log_records_and_reads_back_with_bad_lines_named(tmp_path):
    log = tmp_path / "logs" / "searches.jsonl"
    chunk = Chunk("c1", "a.md", "A", (), "text", 1)
    searchlog.record(log, "office dog policy", [Hit(chunk, 0.1, similarity=0.21)])
    searchlog.record(log, "Office dog  policy", [])
    searchlog.record(log, "vpn", [Hit(chunk, 0.9, similarity=0.8, relevant=True)])
    with open(log, "a") as fh:
        fh.write("not json\n")
        # Lines from before kb marked relevance are judged by their best similarity.
        old = {"time": "2026-01-01T00:00:00+00:00", "query": "parking", "results": 3}
        fh.write(json.dumps({**old, "best_similarity": 0.2}) + "\n")
        fh.write(json.dumps({**old, "query": "okta", "best_similarity": 0.7}) + "\n")
    searchlog.record(log, "vpn", [Hit(chunk, 0.9, similarity=0.8, relevant=True)], missing=True)
    searches, problems = searchlog.read(log)
    assert [s.query for s in searches] == [
        "office dog policy",
        "Office dog  policy",
        "vpn",
        "parking",
        "okta",
        "vpn",
    ]
    assert problems and problems[0].line == 4 and "searches.jsonl" in str(problems[0])
    groups = searchlog.nothing_good(searches, 0.35)
    # A page someone said is missing counts, whatever was found.
    assert [(q, len(g)) for q, g in groups] == [
        ("office dog policy", 2),
        ("parking", 1),
        ("vpn", 1),
    ]


def test_a_credential_in_a_search_never_reaches_the_log(tmp_path):
    log = tmp_path / "searches.jsonl"
    key = "AKIAZ3MSJV4WWNKWW5FG"  # an AWS access key ID, pasted into the box by mistake
    searchlog.record(log, f"s3 access denied {key}", [])
    searchlog.record(log, "vpn", [])
    assert key not in log.read_text()
    searches, problems = searchlog.read(log)
    assert problems == []
    assert searches[0].query.startswith("s3 access denied") and "redacted" in searches[0].query
    assert searches[1].query == "vpn"  # nothing else is touched


def test_a_credential_logged_before_kb_found_its_form_is_redacted_when_read(tmp_path):
    # A line from an older detector (no "redaction", or an older one) is read again; a
    # line from this one is trusted as written.
    log = tmp_path / "searches.jsonl"
    old = {"time": "2026-01-01T00:00:00+00:00", "results": 0, "best_similarity": 0.0}
    lines = [
        {**old, "query": "why does redis-cli -a Zq8Redis2024 fail"},
        {**old, "query": "pw: Xylo9Quartz", "redaction": 1},
        {**old, "query": "vpn setup", "redaction": 1},
    ]
    log.write_text("".join(json.dumps(line) + "\n" for line in lines))
    searches, problems = searchlog.read(log)
    assert problems == [] and [s.query for s in searches] == [
        "why does redis-cli -a [redacted] fail",
        "pw: [redacted]",
        "vpn setup",
    ]
    searchlog.record(log, "vpn setup", [])
    assert '"redaction"' in log.read_text().splitlines()[-1]


def test_a_password_or_token_typed_into_the_box_is_never_logged_in_clear(tmp_path):
    """An attack on the opt-in search log: a search holding a credential the page scanner
    finds only with a page's context (a label, a colon, quotes) was written in clear, and
    the gap report showed it and the `kb new` line it proposes: 'password Hunter2!', 'wifi
    password Sommer2024!', 'why does login fail with Tr0ub4dor&3', 'Bearer <token>', a PIN,
    a token pasted alone. A search is a few words with no label, so a value there is judged
    alone (`redact_typed`); a search without one is logged as typed, and a line written
    before is read again."""
    log = tmp_path / "searches.jsonl"
    typed = {
        "password Hunter2!": "password [redacted]",
        "wifi password Sommer2024!": "wifi password [redacted]",
        "why does login fail with Tr0ub4dor&3": "why does login fail with [redacted]",
        "Bearer 9fK2xQ7LmP4vR8tZ1wY6": "Bearer [redacted]",
        "my pin is 4711": "my pin is [redacted]",
        "Passwort (Sommer2024!)": "Passwort ([redacted])",
        "Kx9pQ2vLm7Zr4Tb8Wn3Jy6Hd": "[redacted]",
    }
    kept = (
        "GPT-4o api key rotation", "reset password for windows11", "password policy ISO27001",
        "Office365 licence", "commit 4f3c2a1b9e8d7c6b5a4f3c2a1b9e8d7c6b5a4f3c", "error code 4012",
        "token expiry 3600 seconds", "SHA256withRSA key", "UCP1-independent", "pin reset",
        "https://wiki.example/Login?Page=Tr0ub4dor", "secretion of Wnt3a-Fz8 in mice",
    )  # fmt: skip
    for query in (*typed, *kept):
        searchlog.record(log, query, [])
    written = log.read_text()
    for query in typed:
        assert query.split()[-1].strip("()") not in written, query
    searches, _ = searchlog.read(log)
    assert [s.query for s in searches] == [*typed.values(), *kept]
    old = {"time": "2026-01-01T00:00:00+00:00", "results": 0, "best_similarity": 0.0}
    line = {**old, "query": "password Hunter2!", "redaction": REDACTION_VERSION}
    log.write_text(json.dumps(line) + "\n")  # a line of the last kb, its redaction current
    assert [s.query for s in searchlog.read(log)[0]] == ["password [redacted]"]


def test_a_private_key_pasted_into_the_box_is_never_logged_in_clear(tmp_path):
    """An attack on the opt-in search log: a private key pasted into the box, on one line
    (a box has no line breaks) and cut at the 1,000 characters a search takes, so without
    its END line, was written with its BEGIN line redacted and its body in clear (an RSA
    key's private exponent follows its modulus within those characters): redacting that
    line took away the words naming a key, and a value is judged only in a search naming
    a credential. A line of the older rule is read again."""
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits + "+/"
    body = ["".join(rng.choice(alphabet) for _ in range(64)) for _ in range(24)]
    log = tmp_path / "searches.jsonl"
    pasted = [
        ("-----BEGIN RSA PRIVATE KEY----- " + " ".join(body))[:1000],
        "why does ssh reject -----BEGIN OPENSSH PRIVATE KEY----- " + " ".join(body[:3]),
    ]
    for query in pasted:
        searchlog.record(log, query, [])
    written = log.read_text()
    assert not [line for line in body if line[:16] in written]
    old = {"time": "2026-01-01T00:00:00+00:00", "results": 0, "best_similarity": 0.0}
    line = {**old, "query": pasted[1], "redaction": REDACTION_VERSION, "typed": 1}
    log.write_text(json.dumps(line) + "\n")  # written by the last rule, the key in clear
    (read,) = searchlog.read(log)[0]
    assert read.query.startswith("why does ssh reject ")
    assert not [line for line in body if line[:16] in read.query]


def test_a_key_body_pasted_without_its_begin_line_is_never_logged_in_clear(tmp_path):
    """An attack on the opt-in search log: a private key's body pasted without its BEGIN
    line, its lines apart (Firefox pastes line breaks into a box as spaces; `kb search
    "$(tail -n +2 key)"`), or from its second line, was written in clear: the body was read
    as a key only run together on one line starting with its DER header. Searches that only
    hold a long word are kept."""
    rng = random.Random(11)
    alphabet = string.ascii_letters + string.digits + "+/"
    body = ["".join(rng.choice(alphabet) for _ in range(64)) for _ in range(12)]
    body.append("k3Nq8Zx2Lw==")  # a body's last, short line
    log = tmp_path / "searches.jsonl"
    pasted = [
        " ".join(body),
        " ".join(body[1:]),
        "\n".join(body[3:]),
        "ssh refuses this " + " ".join(body[4:7]),
        " ".join(body) + " -----END PRIVATE KEY-----",
    ]
    for query in pasted:
        searchlog.record(log, query, [])
    written = log.read_text()
    assert not [line for line in body if line[:10] in written]
    kept = [
        "supercalifragilisticexpialidociousness and antidisestablishmentarianism",
        "commit 3f2c9a1b7e4d5c6a8b9f0e1d2c3b4a5f6e7d8c9b broke the build",
        "Windows11 upgrade for the Finance team",
    ]
    log.write_text("")
    for query in kept:
        searchlog.record(log, query, [])
    assert [s.query for s in searchlog.read(log)[0]] == kept


def test_closeness_for_everyone_at_once_equals_pair_by_pair():
    rng = np.random.default_rng(5)
    v = rng.normal(size=(60, 8)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    pages = rng.integers(0, 15, size=60)
    left = [0, 3, 7, 9]
    others = [[1, 2], [10, 11, 12, 13, 14], [], [20], [0, 30, 31], [7]]
    together = closeness(left, others, v, pages)
    one_by_one = [overlap(left, rows, v, pages).score for rows in others]
    assert np.allclose(together, one_by_one)


def test_names_hide_in_possessives_and_compounds_too():
    texts = [
        "Nowak's checklist for Okta admin handover.",
        "Tomasz's notes on the Nowak-approved handover of Okta admin.",
        "Printers.",
        "Laptops.",
    ]
    rows = [(0, 1.0), (1, 1.0)]
    shown = " ".join(Vocabulary(texts).key_terms(rows, 10))
    assert "Nowak" in shown
    by_name = " ".join(Vocabulary(texts, ignore=["Tomasz", "Nowak"]).key_terms(rows, 10))
    hidden = " ".join(
        Vocabulary(texts, hide=lambda w: w in {"tomasz", "nowak"}).key_terms(rows, 10)
    )
    for terms in (by_name, hidden):
        assert "Nowak" not in terms and "Tomasz" not in terms and "Okta" in terms


def test_people_left_out_for_capacity_are_named_and_a_hidden_one_is_not_counted():
    from types import SimpleNamespace

    from kb.config import Settings
    from kb.models import Directory, Person
    from kb.people.matching import Matchmaker

    people = (
        Person("Aisha Khan", available_for=("shadowing",), capacity=2),
        Person("Ines Park", available_for=("shadowing",), capacity=2, hidden=True),
        Person("Bo Chen", available_for=("shadowing",), capacity=20),
    )
    writing = SimpleNamespace(directory=Directory(people), homes={})
    assert Matchmaker(writing, Settings())._too_busy("shadowing") == ["Aisha Khan"]


def test_people_who_left_are_gone_from_the_start_of_the_bus_factor():
    pages = [(30, {"ana": 1.0}), (10, {"bo": 1.0})]
    assert bus_factor(pages) == 1
    assert bus_factor(pages, frozenset({"ana"})) == 0  # most of it rests on who has left
    assert bus_factor(pages, frozenset({"bo"})) == 1  # still ana: only those here count
    assert bus_factor([(10, {"ana": 0.5, "bo": 0.5})], frozenset({"ana"})) == 1
    thirds = [(10, {"ana": 1.0}), (10, {"bo": 1.0}), (10, {"cy": 1.0})]
    assert bus_factor(thirds) == 2
    assert bus_factor(thirds, frozenset({"cy"})) == 1  # one more and most of it is lost


def test_experts_who_left_come_after_the_k_still_here_without_contact():
    directory = Directory(
        (
            Person(
                "Ana Ruiz",
                role="Counsel",
                contact="@ana",
                available_for=("coffee",),
                left="2001-01-01",
            ),
            Person("Bo Chen", contact="@bo", available_for=("coffee",), left="2999-01-01"),
        )
    )
    experts = [Expert("Ana Ruiz", 3.0), Expert("Cy Diaz", 2.0), Expert("Bo Chen", 1.0)]
    shown = ranked(introduced(experts, directory), 2)
    assert [e.name for e in shown] == ["Cy Diaz", "Bo Chen", "Ana Ruiz"]  # votes order each part
    # k counts the people one may ask; she wrote more than the last of them, so is named.
    assert [e.name for e in ranked(introduced(experts, directory), 1)] == ["Cy Diaz", "Ana Ruiz"]
    less = [Expert("Cy Diaz", 2.0), Expert("Bo Chen", 1.0), Expert("Ana Ruiz", 0.5)]
    assert [e.name for e in ranked(introduced(less, directory), 2)] == ["Cy Diaz", "Bo Chen"]
    ana = shown[-1]
    assert (ana.role, ana.contact, ana.available_for, ana.left) == ("Counsel", "", (), "2001-01-01")
    assert (shown[1].contact, shown[1].left) == ("@bo", "")  # leaving in 2999: still here


def test_a_pairing_ends_its_months_later_on_the_same_day_or_the_months_last():
    assert ends("tandem", date(2026, 12, 6)) == date(2027, 3, 6)
    assert ends("mentoring", date(2026, 8, 31)) == date(2027, 2, 28)  # no 31 February
    assert ends("coffee", date(2026, 12, 6)) == date(2026, 12, 6)  # one meeting


def test_a_contact_finds_its_person_but_never_a_hidden_one():
    ana = Person("Ana Ruiz", contact="ana.ruiz@corp.example")
    hidden = Person("Ines Park", contact="ines.park@corp.example", hidden=True)
    directory = Directory((ana, hidden))
    assert directory.with_contact(" Ana.Ruiz@CORP.example ") is ana
    assert directory.with_contact("ines.park@corp.example") is None
    assert directory.with_contact("") is None


def test_a_topic_keeps_together_only_pages_that_share_a_section_close_enough():
    # Three pages the clustering put in one topic: a and b share a section at 0.8, c's
    # sections come no closer than 0.5 to any of theirs (one register, not one subject).
    x, y, z = np.eye(3)
    a = np.array([x])
    b = np.array([0.8 * x + 0.6 * y, z])
    c = np.array([0.5 * z + np.sqrt(0.75) * y])  # 0.5 with b's z, 0.52 with b's first
    sections = [a, b, c]
    labels = shared_subjects(np.array([0, 0, 0]), sections, 0.55)
    assert labels[0] == labels[1] != labels[2]
    # Pages of two topics never join, however close.
    assert len(set(shared_subjects(np.array([0, 1]), sections[:2], 0.55))) == 2
    # Numbered as topics are: the largest first.
    assert list(shared_subjects(np.array([0, 0, 0]), sections[::-1], 0.55)) == [1, 0, 0]


def test_their_pages_list_the_most_theirs_first_then_by_title():
    # What a search for a colleague alone lists, in the app and the CLI alike.
    pages = tuple(
        PageCredit(f"{t}.md", t, "hr", "2026-01-01", s)
        for t, s in (("b", 0.5), ("c", 1.0), ("a", 0.5))
    )
    profile = Profile("Ana Ruiz", "hr", "Business", pages, (), (), "")
    assert [p.title for p in profile.theirs_first()] == ["c", "a", "b"]


def test_a_logged_search_is_written_and_read_as_shown(tmp_path):
    """An attack on the opt-in search log: a search holding a bidi control or an escape
    sequence ('reset password at \u202emoc.elpmaxe.live', run twice) was written and read as
    typed, and the start page offers the searches run most to everyone: its button read
    the text reversed, as the searcher chose. Written as shown (`plain`), and a line written
    before is read so."""
    log = tmp_path / "searches.jsonl"
    crafted = "vpn help \u202emoc.elpmaxe.live\u202c \x1b[2J"
    searchlog.record(log, crafted, [])
    assert "\u202e" not in log.read_text() and "\\u001b" not in log.read_text()
    old = {"time": "2026-01-01T00:00:00+00:00", "results": 0, "best_similarity": 0.0}
    with log.open("a") as fh:
        fh.write(json.dumps({**old, "query": crafted}) + "\n")
    queries = [s.query for s in searchlog.read(log)[0]]
    assert queries == ["vpn help moc.elpmaxe.live [2J"] * 2, queries
