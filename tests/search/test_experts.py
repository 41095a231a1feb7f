"""Ranked pages -> ranked people: the absvote model (the default of `kb experts`).

The voting arithmetic on hand-made page scores and, with the fake embedder, through a
knowledge base; then the real model on the bundled content and on a page with a hidden author.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from fakes import HashEmbedder
from helpers import write

from kb import KnowledgeBase, Settings, build_index
from kb.config import EXPERT_MODELS
from kb.eval import baselines
from kb.eval.runs import EXPERT_CONFIGS, PREVIOUS, SHARP
from kb.models import Author, Chunk, Expert, Hit, person_key
from kb.search.boilerplate import Boilerplate
from kb.search.experts import combsum, page_votes, rank_by_pages, rank_by_profile

T = Settings().page_vote_temperature
AUTHORS = {
    "a.md": (Author("Ana", 1.0),),
    "b.md": (Author("Bo", 1.0),),
    "c.md": (Author("Bo", 1.0),),
    "d.md": (Author("Bo", 1.0),),
    "e.md": (Author("Ana", 0.25), Author("Cy", 0.75)),
}


def hit(path: str, *authors: Author) -> Hit:
    """A relevant section of `path` by `authors`."""
    chunk = Chunk(
        id=f"{path}#0", path=path, title=path, heading_path=(), text="", line=1, authors=authors
    )
    return Hit(chunk=chunk, score=0.9, similarity=0.6, relevant=True)


def test_a_page_far_above_the_rest_gives_its_authors_the_votes():
    # A title naming one page: its author comes first although Bo wrote three of the others.
    votes, names, weights = page_votes(
        [("a.md", 0.9), ("b.md", 0.5), ("c.md", 0.5), ("d.md", 0.5)], AUTHORS, T
    )
    assert votes["ana"] == pytest.approx(1.0) and weights["a.md"] == 1.0
    assert votes["bo"] == pytest.approx(3 * math.exp(-0.4 / T))
    assert names == {"ana": "Ana", "bo": "Bo"}


def test_pages_matching_about_equally_favour_who_wrote_more():
    # A long question matching many pages alike: the votes add up, as in CombSUM.
    votes, _, _ = page_votes(
        [("a.md", 0.30), ("b.md", 0.29), ("c.md", 0.29), ("d.md", 0.28)], AUTHORS, T
    )
    assert votes["bo"] > votes["ana"]


def test_a_vote_weighs_by_distance_to_the_best_page_and_splits_by_share():
    pages = [("e.md", 0.60), ("a.md", 0.55)]
    votes, _, _ = page_votes(pages, AUTHORS, T)
    assert votes["cy"] == pytest.approx(0.75)
    assert votes["ana"] == pytest.approx(0.25 + math.exp(-0.05 / T))
    sharper, _, _ = page_votes(pages, AUTHORS, T / 2)  # the lower page counts for less
    assert sharper["ana"] == pytest.approx(0.25 + math.exp(-0.1 / T))
    assert page_votes([], AUTHORS, T)[0] == {}
    assert page_votes([("unknown.md", 0.7)], AUTHORS, T)[0] == {}


def test_only_authors_of_relevant_sections_are_listed_ranked_by_the_page_votes():
    pages = [("b.md", 0.9), ("c.md", 0.9), ("e.md", 0.8), ("a.md", 0.3)]
    hits = [
        hit("a.md", Author("Ana", 1.0)),  # relevant, but its page is far down the votes
        hit("e.md", Author("Ana", 0.25), Author("Cy", 0.75)),
        hit("b.md", Author("Bo", 1.0)),
        hit("f.md", Author("Dee", 1.0)),  # relevant, outside the voting pages: listed last
    ]
    people = rank_by_pages(pages, hits, AUTHORS, temperature=T, k=10)
    assert [p.name for p in people] == ["Bo", "Cy", "Ana", "Dee"]
    assert people[0].score == round(2.0, 4)  # b.md and c.md, though only b.md is evidence
    ana = 0.25 * math.exp(-0.1 / T) + math.exp(-0.6 / T)
    assert people[2].score == pytest.approx(ana, abs=1e-4)
    # Evidence: the person's relevant pages, the one with the strongest vote first.
    assert [e.path for e in people[2].evidence] == ["e.md", "a.md"]
    assert people[3].score == 0.0
    assert rank_by_pages(pages, [], AUTHORS, temperature=T) == []  # nothing relevant: no one


def fake_kb(tmp_path) -> KnowledgeBase:
    content = tmp_path / "content"
    write(content / "it/vpn.md", vpn_page("VPN split tunnel", "Ana Ruiz, Bo Chen"))
    write(content / "it/vpn-okta.md", vpn_page("VPN okta sign in", "Bo Chen"))
    write(content / "it/printers.md", vpn_page("Printers toner", "Cy Diaz", words="toner paper"))
    build_index(content, tmp_path / "index", HashEmbedder(), Settings())
    return KnowledgeBase(tmp_path / "index", HashEmbedder(), Settings())


def test_profiles_equal_up_to_float_rounding_tie_and_go_by_name():
    # People who wrote the same pages have one profile, up to the rounding of their sums (an
    # index embedded by another encoder moves it by 1e-7): they must not swap places with it.
    rng = np.random.default_rng(7)
    keys = [f"person {i:02d}" for i in range(60)]
    shared = rng.normal(size=8)
    matrix = rng.normal(size=(60, 8))
    matrix[10:50] = shared  # forty co-authors of the same pages
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    query = shared / np.linalg.norm(shared)
    people = [Expert(k, 1.0) for k in keys]
    profiles = (keys, {k: k for k in keys}, matrix.astype(np.float32))
    ranked = [e.name for e in rank_by_profile(people, query, profiles, {}, combined=False)]
    assert ranked[:40] == keys[10:50]  # ties by name
    for seed in range(5):  # each person's row moved by float noise: the same order
        noise = np.random.default_rng(seed).normal(scale=1e-8, size=matrix.shape)
        moved = (keys, profiles[1], (matrix + noise).astype(np.float32))
        assert [e.name for e in rank_by_profile(people, query, moved, {}, combined=False)] == ranked


def vpn_page(title: str, authors: str, words: str = "vpn split tunnel okta sign in") -> str:
    return f"---\ntitle: {title}\nauthors: [{authors}]\n---\n## {title}\n{words} {words}\n"


def test_the_knowledge_base_votes_with_its_page_scores(tmp_path):
    kb = fake_kb(tmp_path)
    query = "vpn split tunnel okta sign in"
    pages = dict(kb.page_scores(query))
    assert set(pages) == {"it/vpn.md", "it/vpn-okta.md", "it/printers.md"}
    assert all(0.0 <= s <= 1.0 for s in pages.values())
    best = max(pages.values())

    def vote(path: str) -> float:
        return math.exp((pages[path] - best) / T)

    people = {p.name: p for p in kb.experts(query, k=10)}
    # The first of a page's two authors holds 2/3 of it (kb.content.parse); Bo also wrote
    # vpn-okta.md alone.
    shares = {a.name: a.share for a in kb.index.pages["it/vpn.md"].authors}
    assert shares == {
        "Ana Ruiz": pytest.approx(2 / 3, abs=1e-4),
        "Bo Chen": pytest.approx(1 / 3, abs=1e-4),
    }
    sharp = {
        "Ana Ruiz": shares["Ana Ruiz"] * vote("it/vpn.md"),
        "Bo Chen": shares["Bo Chen"] * vote("it/vpn.md") + vote("it/vpn-okta.md"),
        "Cy Diaz": vote("it/printers.md"),
    }
    # Blended, as two distributions of equal weight, with CombSUM over the pages' BM25 shares.
    pool, spread = kb.voting_pages(query)
    assert pool == kb.page_scores(query) and 0 < len(spread) <= len(pool)
    bm25 = dict(spread)
    summed = {
        "Ana Ruiz": shares["Ana Ruiz"] * bm25.get("it/vpn.md", 0.0),
        "Bo Chen": shares["Bo Chen"] * bm25.get("it/vpn.md", 0.0) + bm25.get("it/vpn-okta.md", 0.0),
        "Cy Diaz": bm25.get("it/printers.md", 0.0),
    }
    for name in ("Ana Ruiz", "Bo Chen"):
        blended = sharp[name] / sum(sharp.values()) + summed[name] / sum(summed.values())
        assert people[name].score == round(blended, 4)
    # The printer page is among the voting pages but answers nothing: its author is not listed.
    assert "Cy Diaz" not in people
    assert kb.experts(query, k=10) == kb.experts(query, k=10, model="absvote")


def test_the_smooth_vote_is_textbook_combsum_over_bm25(tmp_path):
    # The blend's second term is the baseline kb eval experts prints (kb.eval.baselines),
    # up to the per-query constant a distribution removes (a review: summing the hybrid
    # page scores instead passed every other test).
    kb = fake_kb(tmp_path)
    authors = {path: page.authors for path, page in kb.index.pages.items()}

    def shares(votes: dict[str, float]) -> dict[str, float]:
        return {k: v / sum(votes.values()) for k, v in votes.items()}

    for query in ("vpn split tunnel okta sign in", "okta toner"):
        ours = combsum(kb.voting_pages(query)[1], authors)
        pages = baselines.top_pages(kb, query, "bm25")
        theirs = {person_key(n): v for n, v in baselines.vote(pages, authors, "combsum")}
        assert shares(ours) == pytest.approx(shares(theirs)) and len(ours) >= 2


def test_the_blend_is_a_distribution_even_with_nothing_to_sum(tmp_path):
    kb = fake_kb(tmp_path)
    query = "vpn split tunnel okta sign in"
    pages, _ = kb.voting_pages(query)
    hits = [h for h in kb.search(query, k=40) if h.relevant]
    authors = {path: page.authors for path, page in kb.index.pages.items()}
    raw = rank_by_pages(pages, hits, authors, temperature=T, spread=None)
    alone = rank_by_pages(pages, hits, authors, temperature=T, spread=[])
    total = sum(page_votes(pages, authors, T)[0].values())
    assert [e.name for e in raw] == [e.name for e in alone]
    assert [e.score for e in alone] == [round(e.score / total, 4) for e in raw]
    # Settings.expert_spread off: the sharp votes alone, as before the blend.
    sharp = KnowledgeBase(tmp_path / "index", HashEmbedder(), Settings(expert_spread=False))
    assert [(e.name, e.score) for e in sharp.experts(query, k=10)] == [
        (e.name, e.score) for e in raw
    ]


def test_the_default_is_absvote_and_eval_measures_it_first():
    assert Settings().expert_model == "absvote" and "document" in EXPERT_MODELS
    assert EXPERT_CONFIGS[0] == (Settings().expert_model, Settings().retrieval)
    assert EXPERT_CONFIGS[1] == (PREVIOUS, "hybrid")  # the previous default, beside it
    assert EXPERT_CONFIGS[2] == (SHARP, "hybrid")  # and the one before it


def section(path: str, *headings: str, text: str = "Ask Dee O’Brien.") -> Chunk:
    return Chunk(
        id=f"{path}{headings}", path=path, title=path, heading_path=headings, text=text, line=1
    )


def test_a_repeated_heading_naming_someone_is_boilerplate_and_an_intro_never():
    # Five pages, each with an intro and "Contacts"; "Setup" on two, "Timeline" on three.
    chunks = [c for p in "abcd" for c in (section(p), section(p, "Contacts"))]
    chunks += [section("e"), section("e", "Contacts", text="One contact per real person.")]
    chunks += [section("a", "Setup"), section("b", "Setup")]
    chunks += [section(p, "Plan", "Timeline", text="Week 1: accounts.") for p in "cd"]
    chunks += [section("e", "Plan", "Timeline")]
    found = Boilerplate.of(chunks, ["Dee O'Brien", "Al", "Contact"])
    assert found.headings == {"contacts", "timeline"}  # 3 pages at least (and 5% of them)
    # Only the repeated sections that name someone kb knows: a "Contacts" on CRM records or
    # a "Timeline" of steps says what its page says ("Al" is no word of "real"; a one-word
    # name, "Contact", is as often a login or a bot as a person, and is no name here).
    assert found.rows == {1, 3, 5, 7, 14}
    assert all(found.holds(chunks[i]) for i in found.rows)
    assert not found.holds(section("a")) and not found.holds(chunks[9])
    assert Boilerplate.of(chunks).rows == frozenset()  # no one known, no one named


def test_a_contacts_section_naming_a_colleague_votes_for_no_one(bundled_kb):
    # A trial: "what does Grace O'Connor do" listed Oliver Grant, co-author of the Coupa page
    # whose "Contacts" names her ("AP: Oliver Grant" too), on that section alone.
    for query in ("what does Grace O'Connor do", "Grace O'Connor"):
        people = bundled_kb.experts(query, k=10)
        assert "Oliver Grant" not in [p.name for p in people], query
        assert not [e for p in people for e in p.evidence if e.heading == "Contacts"], query
    # Let it vote (as before 2026-12-07, eval's comparison row) and it does.
    settings = replace(bundled_kb.settings, boilerplate_votes=True)
    before = KnowledgeBase(
        bundled_kb.index_dir, bundled_kb.embedder, settings, backend=bundled_kb.index
    )
    people = before.experts("what does Grace O'Connor do", k=10)
    assert "Oliver Grant" in [p.name for p in people]
    assert {e.heading for p in people for e in p.evidence} == {"Contacts"}


def test_a_boilerplate_section_scores_no_page_in_the_vote(bundled_kb):
    pages = dict(bundled_kb.page_scores("Oliver Grant (AP) for invoice matching"))
    muted = KnowledgeBase(
        bundled_kb.index_dir,
        bundled_kb.embedder,
        replace(bundled_kb.settings, boilerplate_votes=True),
        backend=bundled_kb.index,
    )
    before = dict(muted.page_scores("Oliver Grant (AP) for invoice matching"))
    coupa = "procurement/purchase-orders-in-coupa.md"
    assert pages.get(coupa, 0.0) < before[coupa]  # its best match was its "Contacts"


# Questions in the bundled style that tests/bundled_questions.json does not hold.
MORE_EXPERTS = [
    ("who can tell me how to check a new supplier's bank details before we pay", "Oliver Grant"),
    ("who knows how we do code reviews and set up a laptop for development", "Emma Lindqvist"),
    (
        "who should I ask about tagging cloud costs and how our AWS accounts are laid out",
        "Lena Fischer",
    ),
    ("who knows about NDAs and reviewing contracts with suppliers", "Lucas Dubois"),
]


@pytest.mark.parametrize(("query", "person"), MORE_EXPERTS)
def test_the_default_ranks_the_writer_first_on_more_questions(bundled_kb, query, person):
    people = bundled_kb.experts(query, k=3)
    assert people and people[0].name == person, [p.name for p in people]


def test_the_answering_pages_co_author_is_listed_and_no_one_without_a_relevant_page(bundled_kb):
    query = "how do I reset my password and set up MFA on a YubiKey"
    relevant = [h for h in bundled_kb.search(query, k=40) if h.relevant]
    assert relevant and relevant[0].chunk.path == "service-desk/password-reset-and-mfa.md"
    listed = [p.name for p in bundled_kb.experts(query, k=50)]
    assert set(listed[:2]) == {"Sofia Alvarez", "Tomasz Nowak"}, listed  # the page's two authors
    wrote_a_relevant_page = {a.name for h in relevant for a in h.chunk.authors}
    assert set(listed) == wrote_a_relevant_page


@pytest.mark.parametrize("model", EXPERT_MODELS)
def test_a_hidden_co_author_never_appears(tmp_path, real_embedder, model):
    content = tmp_path / "content"
    write(content / "people.yaml", "- name: Ines Park\n  hide_from_expert_search: true\n")
    dock = "Dock firmware updates and external monitors on the laptop docks."
    write(
        content / "it/docks.md",
        f"---\ntitle: Laptop docks\nauthors: [Ines Park, Bo Chen]\n---\n## Docks\n{dock}\n",
    )
    write(
        content / "it/wifi.md",
        "---\ntitle: Wifi\nauthors: [Ines Park]\n---\n## Wifi\nRoaming between access points.\n",
    )
    build_index(content, tmp_path / "index", real_embedder, Settings())
    kb = KnowledgeBase(tmp_path / "index", real_embedder, Settings())
    for query in ("laptop dock firmware and monitors", "wifi roaming between access points"):
        names = [p.name for p in kb.experts(query, k=20, model=model)]
        assert "Ines Park" not in names
        evidence = [e.path for p in kb.experts(query, k=20, model=model) for e in p.evidence]
        if query.startswith("laptop"):
            assert names[:1] == ["Bo Chen"] and "it/docks.md" in evidence
        else:
            assert names == []  # her own page: no one else wrote it
