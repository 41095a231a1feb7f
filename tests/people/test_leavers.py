"""People who have left (people.yaml's `left:`): still credited for what they wrote, never
proposed to anyone. The bundled content through the real parser and model, with Lucas
Dubois (legal counsel, sole author of the NDA templates) marked as gone, Fatima El-Amin
leaving on a day to come, and, apart, Lucas's entry removed (the trial: "Team of 1: Lucas
Dubois")."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, timedelta

import anyio
import pytest
from click.testing import CliRunner
from e2e import serve_in_thread
from fakes import HashEmbedder
from helpers import CONTENT, all_text, html_tables, new_app, search, write
from mcp import Client

from kb import KnowledgeBase, Settings, build_index
from kb.cli import cli
from kb.people.pairing import KINDS
from kb.serve.api import create_app
from kb.serve.client import RemoteKnowledgeBase
from kb.serve.codec import dump
from kb.serve.mcp_server import create_mcp

GONE = "Lucas Dubois"
LEFT = "2025-01-31"  # in the past whenever the tests run
STAYING = "Fatima El-Amin"  # leaves on a day to come: still here
NDA = "NDA and supplier contract review"


def _rebuilt(content, index_dir, real_embedder, people: str):
    (content / "people.yaml").write_text(people, encoding="utf-8")
    report = build_index(content, index_dir, real_embedder, Settings())
    assert report.embedded == 0  # who is who changed, not a word of the pages
    return content, index_dir


@pytest.fixture(scope="module")
def left_index(tmp_path_factory, bundled_index, real_embedder):
    """The bundled content with Lucas Dubois left on 2025-01-31 and Fatima El-Amin leaving
    in 2999."""
    root = tmp_path_factory.mktemp("leavers")
    content, index_dir = root / "content", root / "index"
    shutil.copytree(CONTENT, content)
    shutil.copytree(bundled_index, index_dir)
    people = (content / "people.yaml").read_text(encoding="utf-8")
    for name, day in ((GONE, LEFT), (STAYING, "2999-12-31")):
        entry = f"  - name: {name}\n"
        assert entry in people
        people = people.replace(entry, f"{entry}    left: {day}\n")
    return _rebuilt(content, index_dir, real_embedder, people)


@pytest.fixture(scope="module")
def unlisted_index(tmp_path_factory, left_index, real_embedder):
    """As the trial had it: Lucas Dubois's entry removed from people.yaml."""
    root = tmp_path_factory.mktemp("unlisted")
    content, index_dir = root / "content", root / "index"
    shutil.copytree(left_index[0], content)
    shutil.copytree(left_index[1], index_dir)
    people = (content / "people.yaml").read_text(encoding="utf-8")
    start = people.index(f"  - name: {GONE}\n")
    end = people.index("  - name: ", start + 1)
    return _rebuilt(content, index_dir, real_embedder, people[:start] + people[end:])


def searched_for_ndas(folder):
    """A search log (lines written before kb marked relevance) of NDA questions no page
    answers: his NDA templates page comes nearest."""
    log = folder / "searches.jsonl"
    queries = (
        "mutual NDA for a joint venture partner",
        "NDA for a freelance designer",
        "signing an NDA with a new supplier",
    )
    line = {"time": "2026-11-20T10:00:00+00:00", "results": 5, "best_similarity": 0.2}
    log.write_text("".join(json.dumps(line | {"query": q}) + "\n" for q in queries))
    return log


def run(index_dir, *args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--index-dir", str(index_dir)])
    assert result.exit_code == 0, result.output
    return result.output


def test_an_expert_who_left_is_shown_last_without_contact_and_says_when(left_index):
    _, index_dir = left_index
    rows = json.loads(run(index_dir, "experts", "NDA templates", "--json"))
    names = [r["name"] for r in rows]
    assert names == [STAYING, GONE]  # he wrote the NDA page: votes put him first before
    lucas, fatima = rows[1], rows[0]
    assert (lucas["left"], lucas["contact"], lucas["available_for"]) == (LEFT, "", [])
    assert lucas["role"] == "Legal counsel" and lucas["evidence"]  # who wrote it stays true
    assert lucas["score"] > fatima["score"]
    # Leaving in 2999 is still here: her contact and availability are offered.
    assert fatima["left"] == "" and fatima["contact"] and fatima["available_for"]
    text = run(index_dir, "experts", "NDA templates")
    assert f"Legal counsel · left on {LEFT}" in text
    assert text.index(STAYING) < text.index(GONE)
    # k counts the people one may ask: with one place, a colleague still here takes it, and
    # he, who wrote more, is still named after her (a new-user trial saw the main author
    # who left dropped under four colleagues).
    one = json.loads(run(index_dir, "experts", "NDA templates", "--json", "-k", "1"))
    assert [r["name"] for r in one] == [STAYING, GONE]
    # The scores shown compare the colleagues one may ask, as sure as her best page; his is
    # not shown, and does not lower hers.
    shown = f"{round(min(fatima['confidence'], 0.99), 2):.2f}"
    assert fatima["relevance"] == round(min(fatima["confidence"], 0.99), 4)
    assert f"{STAYING} (legal, Business)  {shown}" in text
    assert f"{GONE} (legal, Business)\n" in text


def test_the_same_question_before_he_left_ranks_him_first_with_his_availability(bundled_kb):
    """What the test above changes: without `left:`, Lucas Dubois is first and offered."""
    first = bundled_kb.experts("NDA templates")[0]
    assert (first.name, first.left) == (GONE, "")
    assert first.available_for == ("coffee",)


def test_no_programme_proposes_someone_who_left(left_index, tmp_path):
    _, index_dir = left_index
    outputs = {}
    for kind in KINDS:
        for seed in ("0", "1", "2"):
            outputs[f"pairs {kind} {seed}"] = run(
                index_dir, "pairs", "--kind", kind, "--seed", seed
            )
    team = json.loads(run(index_dir, "team", NDA, "--json"))
    outputs["team"] = json.dumps(team["members"]) + json.dumps(team["covers"])
    log = str(searched_for_ndas(tmp_path))
    outputs["barcamp"] = run(index_dir, "barcamp", "--slots", "20", "--rooms", "3", "--log", log)
    outputs["partners of Marcus Okafor"] = json.dumps(
        json.loads(run(index_dir, "person", "Marcus Okafor", "--json"))["across"]
    )
    gaps = json.loads(run(index_dir, "gaps", "--json", "--top", "100", "--log", log))
    outputs["gaps across"] = json.dumps([o["across"] for o in gaps["one_sided"]])
    outputs["gaps could write"] = json.dumps([u["writers"] for u in gaps["unanswered"]])
    assert len(gaps["unanswered"]) == 3
    for what, output in outputs.items():
        assert GONE not in output, what
    assert team["members"] and team["left_out"] == [f"{GONE} (left on {LEFT})"]
    assert "NDA templates" in team["unstaffed"] and not team["uncovered"]
    text = run(index_dir, "team", NDA)
    assert f"Not staffed: {GONE} (left on {LEFT})" in text
    assert "NDA templates: written only by people kb does not staff" in text


def test_before_he_left_every_programme_above_proposed_him(bundled_kb, bundled_index, tmp_path):
    """The programmes the test above checks did name Lucas Dubois while he was here."""
    kb = bundled_kb
    assert "lucas dubois" in kb.analysis.available("coffee")
    assert GONE in [c.name for c in kb.team(NDA).members]
    assert GONE in [p.second.name for p in kb.partners("Marcus Okafor")]
    log = str(searched_for_ndas(tmp_path))
    camp = run(bundled_index, "barcamp", "--slots", "20", "--rooms", "3", "--json", "--log", log)
    assert GONE in json.dumps(json.loads(camp)["sessions"])
    gaps = json.loads(run(bundled_index, "gaps", "--json", "--log", log))
    assert GONE in json.dumps([u["writers"] for u in gaps["unanswered"]])
    assert GONE in json.dumps([o["across"] for o in gaps["one_sided"]])


def shifts(page: str) -> str:
    """Three sections on night shifts (the pairs' overlap is the mean of the three closest
    section pairs), under headings of this page's own (a heading on three pages is
    boilerplate, and counts for no one)."""
    return "".join(
        f"## {part} ({page})\n\nThe night shift {part.lower()}, written down step by step.\n\n"
        for part in ("Checklist", "Handover", "Alarms")
    )


@pytest.mark.parametrize(
    "left, today",
    [(True, date(2026, 12, 1)), (False, date(2026, 12, 1)), (True, date(2020, 1, 30))],
)
def test_onboarding_meets_people_still_here_for_pages_whose_authors_left(tmp_path, left, today):
    """A buddy and a system owner still here: the co-author of a page whose main author left
    (no bundled team's plan names Lucas Dubois, so a small content of its own). The plan's
    day (`kb onboard --today`) says who has left: the day before, no one had."""
    content, index_dir = tmp_path / "content", tmp_path / "index"
    pages = {
        "ops/a.md": ("ops", "Lu Gone, Ana Here", "Shift handover. See [contract](../legal/c.md)."),
        "ops/b.md": ("ops", "Lu Gone", shifts("b")),
        "legal/c.md": ("legal", "Cy Gone, Di Here", "Supplier contracts and their renewal."),
        # Across the divide, two IT people write what ops does: the first by name has left.
        "it/x.md": ("it", "Eve Gone", shifts("x")),
        "it/y.md": ("it", "Fay Here", shifts("y")),
    }
    for path, (team, authors, text) in pages.items():
        front = f"---\ntitle: {path}\nteam: {team}\nauthors: [{authors}]\n---\n\n"
        write(content / path, front + f"# {path}\n\n{text}\n")
    gone = "    left: 2020-01-31\n" if left else ""
    people = [("Lu Gone", "ops"), ("Ana Here", "ops"), ("Cy Gone", "legal"), ("Di Here", "legal")]
    people += [("Eve Gone", "it"), ("Fay Here", "it")]
    write(
        content / "people.yaml",
        "people:\n"
        + "".join(
            f"  - name: {name}\n    team: {team}\n"
            f"    department: {'IT' if team == 'it' else 'Business'}\n"
            + (gone if name.endswith("Gone") else "")
            for name, team in people
        ),
    )
    build_index(content, index_dir, HashEmbedder(), Settings())
    kb = KnowledgeBase(index_dir, HashEmbedder(), Settings())
    meet = kb.onboard("New Joiner", team="ops", today=today).people
    found = [(i.kind, i.colleague.name, i.why.split()[0]) for i in meet]
    if left and today >= date(2020, 1, 31):
        assert found == [
            ("buddy", "Ana Here", "wrote"),
            ("across the divide", "Fay Here", "works"),
            ("system owner", "Di Here", "co-wrote"),
        ]
    else:  # what `left:` changes: the main authors and the first by name, as before
        assert found == [
            ("buddy", "Lu Gone", "wrote"),
            ("across the divide", "Eve Gone", "works"),
            ("system owner", "Cy Gone", "owns"),
        ]


def test_his_profile_says_he_left_and_keeps_his_pages(left_index, bundled_kb):
    _, index_dir = left_index
    text = run(index_dir, "person", GONE)
    assert f"left on {LEFT}: no longer at the company" in text
    record = json.loads(run(index_dir, "person", GONE, "--json"))
    assert (record["left"], record["contact"], record["available_for"]) == (LEFT, "", [])
    # No hours for programmes, which never propose him (a new-user trial saw "8 hours").
    assert record["capacity"] is None and "capacity" not in text
    before = bundled_kb.profile(GONE)
    assert before.capacity == 2
    assert [p["path"] for p in record["pages"]] == [p.path for p in before.pages]
    assert before.available_for == ("coffee",) and before.left == ""
    assert json.loads(run(index_dir, "person", STAYING, "--json"))["left"] == ""


def test_a_topic_only_he_wrote_rests_on_people_who_have_left(left_index, bundled_kb):
    _, index_dir = left_index
    report = json.loads(run(index_dir, "gaps", "--json", "--top", "100"))
    nda = next(t for t in report["topics"] if t["label"] == "NDA templates")
    assert (nda["bus_factor"], nda["on_leavers"]) == (0, True)
    assert [(k["name"], k["left"]) for k in nda["knowers"]] == [(GONE, LEFT)]
    stale = [s for s in report["stale"] if s["owner"] == GONE]
    assert stale and all(s["owner_left"] == LEFT for s in stale)
    # Pages he wrote with a colleague still here do not rest on him alone.
    assert all(not t["on_leavers"] for t in report["topics"] if t["label"] != "NDA templates")
    topics = bundled_kb.gaps(today=date(2026, 12, 1)).topics
    before = next(t for t in topics if t.label == "NDA templates")
    assert (before.bus_factor, before.on_leavers) == (1, False)
    text = run(index_dir, "gaps")
    assert f"NDA templates  (1 page; {GONE} 100% (left on {LEFT})): rests on people" in text


def test_gaps_today_judges_who_has_left_as_of_that_day(left_index, tmp_path):
    """`kb gaps --today` moved the stale pages but not who had left: on a day before his
    `left:` he is still here for that run, and on the day itself he has gone."""
    _, index_dir = left_index
    log = str(searched_for_ndas(tmp_path))

    def gaps(day: str) -> dict:
        args = ("gaps", "--json", "--top", "100", "--log", log, "--today", day)
        return json.loads(run(index_dir, *args))

    before = gaps("2025-01-30")
    nda = next(t for t in before["topics"] if t["label"] == "NDA templates")
    assert (nda["bus_factor"], nda["on_leavers"]) == (1, False)
    assert [(k["name"], k["left"]) for k in nda["knowers"]] == [(GONE, "")]
    assert GONE in json.dumps([u["writers"] for u in before["unanswered"]])
    assert GONE in json.dumps([o["across"] for o in before["one_sided"]])
    gone = gaps(LEFT)
    nda = next(t for t in gone["topics"] if t["label"] == "NDA templates")
    assert (nda["bus_factor"], nda["on_leavers"]) == (0, True)
    assert GONE not in json.dumps([u["writers"] for u in gone["unanswered"]])
    assert GONE not in json.dumps([o["across"] for o in gone["one_sided"]])
    # A stale page's owner is judged on that day too: Fatima El-Amin, who leaves in 2999,
    # has left by then (her breach notification page is due 2026-12-31).
    later = gaps("2999-12-31")
    owned = [s["owner_left"] for s in later["stale"] if s["owner"] == STAYING]
    assert owned and set(owned) == {"2999-12-31"}


def test_an_author_the_directory_does_not_list_is_never_staffed(unlisted_index):
    """The trial: his entry removed, `kb team` staffed "Team of 1: Lucas Dubois"."""
    _, index_dir = unlisted_index
    team = json.loads(run(index_dir, "team", NDA, "--json"))
    assert GONE not in json.dumps(team["members"])
    assert team["left_out"] == [f"{GONE} (not in people.yaml)"]
    # He still wrote the NDA page: experts list him, with no role or contact to offer.
    rows = {r["name"]: r for r in json.loads(run(index_dir, "experts", "NDA templates", "--json"))}
    assert (rows[GONE]["role"], rows[GONE]["contact"], rows[GONE]["left"]) == ("", "", "")


def test_the_app_says_who_left_on_the_expert_card_and_the_profile(monkeypatch, left_index):
    _, index_dir = left_index
    at = search(new_app(monkeypatch, index_dir), "who knows about NDA templates")
    text = all_text(at)
    assert f"left on {LEFT}" in text
    at = new_app(monkeypatch, index_dir, person=GONE)
    assert f"Left on {LEFT}" in all_text(at)


def test_the_app_never_asks_someone_who_left_to_write_a_missing_page(
    monkeypatch, left_index, tmp_path, real_embedder
):
    # No page answers "trademark registration"; her brand guidelines come nearest, and
    # "Who could write it" and the page stub named her after she left (a review).
    content, index_dir = tmp_path / "content", tmp_path / "index"
    shutil.copytree(left_index[0], content)
    shutil.copytree(left_index[1], index_dir)
    people = (content / "people.yaml").read_text(encoding="utf-8")
    entry = "  - name: Mia Johansson\n"
    assert entry in people
    _rebuilt(content, index_dir, real_embedder, people.replace(entry, f"{entry}    left: {LEFT}\n"))
    at = search(new_app(monkeypatch, index_dir), "trademark registration")
    assert "Brand guidelines" in all_text(at)  # her page, among the closest
    assert "Mia Johansson" not in "".join(c.value for c in at.caption)
    (started,) = [e for e in at.expander if e.label == "Start the page"]
    (stub,) = started.get("download_button")
    assert "Mia Johansson" not in str(stub.proto) and "Mia Johansson" not in started.code[0].value


# Notice given: a `left:` day to come. Tomasz Nowak (security, sole author of the access
# reviews page, owner of the stale VPN page) leaves in 60 days; Grace O'Connor in 120 days.
NOTICE = "Tomasz Nowak"
LATER = "Grace O'Connor"


@pytest.fixture(scope="module")
def notice_index(tmp_path_factory, bundled_index, real_embedder):
    root = tmp_path_factory.mktemp("notice")
    content, index_dir = root / "content", root / "index"
    shutil.copytree(CONTENT, content)
    shutil.copytree(bundled_index, index_dir)
    people = (content / "people.yaml").read_text(encoding="utf-8")
    days = {NOTICE: date.today() + timedelta(days=60), LATER: date.today() + timedelta(days=120)}
    for name, day in days.items():
        entry = f"  - name: {name}\n"
        assert entry in people
        people = people.replace(entry, f"{entry}    left: {day.isoformat()}\n")
    _rebuilt(content, index_dir, real_embedder, people)
    return index_dir, {name: day.isoformat() for name, day in days.items()}


def test_someone_leaving_is_still_asked_and_says_when_they_leave(notice_index, monkeypatch):
    index_dir, leaves = notice_index
    day = leaves[NOTICE]
    rows = json.loads(run(index_dir, "experts", "quarterly access reviews", "--json"))
    tomasz = next(r for r in rows if r["name"] == NOTICE)
    assert rows[0] is tomasz  # still here: first, with contact and availability
    assert (tomasz["left"], tomasz["leaves"]) == ("", day) and tomasz["available_for"]
    assert f"leaves on {day}" in run(index_dir, "experts", "quarterly access reviews")
    profile = json.loads(run(index_dir, "person", NOTICE, "--json"))
    assert (profile["left"], profile["leaves"]) == ("", day) and profile["available_for"]
    assert f"leaves on {day}" in run(index_dir, "person", NOTICE)
    at = search(new_app(monkeypatch, index_dir), "who knows about quarterly access reviews")
    assert f"leaves on {day}" in all_text(at)
    assert f"Leaves on {day}" in all_text(new_app(monkeypatch, index_dir, person=NOTICE))


def test_no_pairing_is_started_that_would_end_after_someone_leaves(
    notice_index, bundled_kb, real_embedder
):
    """A tandem lasts 3 months and mentoring 6 (hr/learning-budget-and-tandems.md): leaving
    in 60 days is neither; in 120 days a tandem, not mentoring. Coffee is one meeting."""
    index_dir, leaves = notice_index
    kb = KnowledgeBase(index_dir, real_embedder, Settings())
    tomasz, grace = "tomasz nowak", "grace o'connor"
    for kind in ("tandem", "mentoring"):  # both were offered before notice
        assert {tomasz, grace} <= set(bundled_kb.analysis.available(kind)), kind
    assert tomasz not in kb.analysis.available("tandem") and grace in kb.analysis.available(
        "tandem"
    )
    mentoring = kb.analysis.available("mentoring")
    assert tomasz not in mentoring and grace not in mentoring
    assert tomasz in kb.analysis.available("coffee")
    note = kb.analysis.pairs("mentoring").note
    assert f"{NOTICE} (leaves on {leaves[NOTICE]})" in note and "6 months" in note
    assert NOTICE not in json.dumps(json.loads(run(index_dir, "pairs", "--json"))["pairs"])


def test_gaps_flag_what_rests_on_people_who_are_leaving(notice_index, monkeypatch):
    index_dir, leaves = notice_index
    report = json.loads(run(index_dir, "gaps", "--json", "--top", "100"))
    access = next(t for t in report["topics"] if t["label"].startswith("Access requests"))
    assert (access["bus_factor"], access["on_leavers"]) == (1, False)  # he is still here
    assert access["at_risk"] == leaves[NOTICE]  # and from that day, it rests on no one
    assert [(k["name"], k["leaves"]) for k in access["knowers"]] == [(NOTICE, leaves[NOTICE])]
    vpn = next(s for s in report["stale"] if s["path"] == "security/vpn-access.md")
    assert (vpn["owner"], vpn["owner_leaves"]) == (NOTICE, leaves[NOTICE])
    # Bus factor 2 on the suppliers' pages, but half of them rest on him and Grace O'Connor:
    # at risk from her day. Topics others still know are not at risk.
    at_risk = {
        t["label"]: (t["bus_factor"], t["at_risk"]) for t in report["topics"] if t["at_risk"]
    }
    assert at_risk == {access["label"]: (1, leaves[NOTICE]), "Suppliers": (2, leaves[LATER])}
    text = run(index_dir, "gaps", "--top", "40")
    assert f"{NOTICE} 100% (leaves on {leaves[NOTICE]})): at risk from {leaves[NOTICE]}" in text
    assert f"{NOTICE} (leaves on {leaves[NOTICE]}): Requesting VPN access" in text
    app = new_app(monkeypatch, index_dir, view="gaps")
    single, _, stale = html_tables(app)  # no log
    row = next(r for r in single if r["Topic"] == access["label"])
    shown = {k: v.replace("\u2011", "-") for k, v in row.items() if k != "links"}  # unbroken
    assert shown["Bus factor"] == f"1: at risk from {leaves[NOTICE]}"
    (heading,) = [e.value for e in app.html if "Topics resting on one person" in e.value]
    assert "“at risk from” a day: by that day, everyone who knows most of it" in heading
    assert shown["Who knows it"] == f"{NOTICE} (100%, leaves on {leaves[NOTICE]})"
    vpn = next(r for r in stale if r["Page"] == "Requesting VPN access")
    assert vpn["Owner"].replace("\u2011", "-") == f"{NOTICE} (leaves on {leaves[NOTICE]})"


def test_a_search_card_marks_authors_who_left_or_are_leaving(left_index, monkeypatch):
    """A card named its authors only: a reader wrote to Lucas Dubois, who had left. Now `kb
    search`, its JSON and the app's card say who left and who leaves, as the expert card
    does."""
    _, index_dir = left_index
    hits = json.loads(run(index_dir, "search", "NDA templates", "--json"))
    nda = next(h for h in hits if h["path"] == "legal/nda-templates.md")
    assert nda["authors"] == [GONE]
    assert (nda["authors_left"], nda["authors_leaving"]) == ({GONE: LEFT}, {})
    hers = next(h for h in hits if STAYING in h["authors"])  # she leaves in 2999
    assert hers["authors_leaving"] == {STAYING: "2999-12-31"}
    assert all(set(h["authors_left"]) <= set(h["authors"]) for h in hits)
    text = run(index_dir, "search", "NDA templates")
    assert f"legal · {GONE} (left on {LEFT})" in text
    assert f"{STAYING} (leaves on 2999-12-31)" in text
    at = search(new_app(monkeypatch, index_dir), "NDA templates")
    cards = all_text(at).replace("\u2011", "-")  # dates on cards do not break at hyphens
    for name, said in ((GONE, f"left on {LEFT}"), (STAYING, "leaves on 2999-12-31")):
        # The name links to the profile; the day follows the link.
        assert re.search(rf"\[{name}\]\([^)]*\) \({said}\)", cards), name


def test_the_page_view_marks_authors_who_left_or_are_leaving(left_index, monkeypatch):
    """The page view named its authors with their shares only, where the search card says
    who has left: a reader who opened the NDA page wrote to Lucas Dubois."""
    _, index_dir = left_index
    for path, name, said in (
        ("legal/nda-templates.md", GONE, f"left on {LEFT}"),
        ("legal/contract-review-for-suppliers.md", STAYING, "leaves on 2999-12-31"),
    ):
        shown = all_text(new_app(monkeypatch, index_dir, page=path)).replace("\u2011", "-")
        assert re.search(rf"\[{name}\]\([^)]*\) \(\d+%, {said}\)", shown), (path, shown)
    shown = all_text(new_app(monkeypatch, index_dir, page="finance/expense-policy.md"))
    assert re.search(r"\[[^]]+\]\([^)]*\) \(\d+%\)", shown)  # no one there is leaving


def test_barcamp_date_judges_who_has_left_on_the_day_of_the_event(notice_index):
    """`kb barcamp --date` dated the calendar only: Tomasz Nowak, who leaves in 60 days,
    was proposed to speak at a barcamp held after his last day."""
    index_dir, leaves = notice_index

    def camp(*day: str) -> tuple[list, set[str]]:
        """The sessions, and who speaks or is invited."""
        args = ("barcamp", "--slots", "20", "--rooms", "3", "--json", *day)
        sessions = json.loads(run(index_dir, *args))["sessions"]
        people = {s["speaker"]["name"] for s in sessions}
        return sessions, people | {c["name"] for s in sessions for c in s["audience"]}

    assert NOTICE in camp()[1]  # today he is here: the access reviews rest on him
    assert NOTICE in camp("--date", (date.today() + timedelta(days=59)).isoformat())[1]
    sessions, proposed = camp("--date", leaves[NOTICE])
    assert NOTICE not in proposed and LATER in proposed  # she leaves later: still here
    # Who wrote a topic stays true, and says he is gone by then.
    assert f"{NOTICE} 14% (left on {leaves[NOTICE]})" in json.dumps([s["why"] for s in sessions])


def test_the_mcp_barcamp_takes_the_day_of_the_event_as_the_cli_does(notice_index, real_embedder):
    """`plan_barcamp` took no date: an assistant planning a barcamp after Tomasz Nowak's
    last day was given him as a speaker."""
    index_dir, leaves = notice_index
    server = create_mcp(lambda: KnowledgeBase(index_dir, real_embedder, Settings()))

    async def camp(day: str | None = None):
        async with Client(server, read_timeout_seconds=120) as client:
            given = {"date": day} if day is not None else {}
            return await client.call_tool("plan_barcamp", {"slots": 20, "rooms": 3, **given})

    def proposed(result) -> set[str]:
        assert not result.is_error, result.content
        sessions = json.loads(result.content[0].text)["sessions"]
        return {s["speaker"]["name"] for s in sessions} | {
            c["name"] for s in sessions for c in s["audience"]
        }

    on_his_day = anyio.run(camp, leaves[NOTICE])
    args = ("barcamp", "--slots", "20", "--rooms", "3", "--json", "--date", leaves[NOTICE])
    assert json.loads(on_his_day.content[0].text) == json.loads(run(index_dir, *args))
    assert NOTICE not in proposed(on_his_day) and NOTICE in proposed(anyio.run(camp))
    for wrong in ("31.01.2026", "2026-02-30", "next friday"):  # what the CLI refuses too
        refused = anyio.run(camp, wrong)
        assert refused.is_error and "date must be a day like 2026-01-31" in refused.content[0].text


def test_the_api_client_starts_pairs_on_the_day_asked(notice_index, real_embedder):
    """The client the app uses on `KB_API_URL` dropped `today` (`kb pairs --today`): the
    round was judged as of the server's day, with Tomasz Nowak paired on his last day."""
    index_dir, leaves = notice_index
    url, server = serve_in_thread(create_app(index_dir))
    try:
        remote = RemoteKnowledgeBase(url)
        local = KnowledgeBase(index_dir, real_embedder, Settings())
        gone = date.fromisoformat(leaves[NOTICE])
        on_his_day = remote.pairs("coffee", today=gone)
        assert on_his_day == local.pairs("coffee", today=gone)
        assert NOTICE in json.dumps(dump(remote.pairs("coffee")))
        assert NOTICE not in json.dumps(dump(on_his_day))
    finally:
        server.should_exit = True


def test_pairs_today_judges_left_on_that_day(notice_index):
    """`kb pairs --today`, as `kb gaps --today`: a round started that day. Tomasz Nowak
    leaves in 60 days: a tandem (3 months) started 40 days ago would have ended before;
    on his day he is gone, even for coffee."""
    index_dir, leaves = notice_index

    def pairs(kind: str, *day: str) -> dict:
        return json.loads(run(index_dir, "pairs", "--kind", kind, "--json", *day))

    def named(round_: dict) -> str:
        return json.dumps([round_["pairs"], round_["unpaired"]])

    now = pairs("tandem")
    assert NOTICE not in named(now) and "started today" in now["note"]
    earlier = (date.today() - timedelta(days=40)).isoformat()
    before = pairs("tandem", "--today", earlier)
    assert NOTICE in named(before) and NOTICE not in before["note"]
    assert NOTICE in named(pairs("coffee"))
    gone = pairs("coffee", "--today", leaves[NOTICE])
    assert NOTICE not in named(gone) + gone["note"]
    later = pairs("tandem", "--today", (date.today() + timedelta(days=10)).isoformat())
    assert f"{NOTICE} (leaves on {leaves[NOTICE]})" in later["note"]
    assert f"started on {(date.today() + timedelta(days=10)).isoformat()}" in later["note"]
