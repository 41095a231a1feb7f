"""Consent attacks (issue 13, items 5 and 18): a hidden person must not come back through an
invisible character or a look-alike letter, nor be read back out of the index's files."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from helpers import chunks_naming, page, write
from hypothesis import given, settings
from hypothesis import strategies as st

from kb import KnowledgeBase, Settings, build_index
from kb.cli import cli
from kb.models import fold_name
from kb.serve.api import create_app

# "Ines Park" run together by an invisible character (no space left once it is removed), or
# written with a Cyrillic capital I.
SPELLINGS = {
    "zero-width-space": "Ines\u200bPark",
    "zero-width-non-joiner": "Ines\u200cPark",
    "word-joiner": "Ines\u2060Park",
    "soft-hyphen": "Ines\u00adPark",
    "cyrillic-i": "\u0406nes Park",
    "cyrillic-i-joined": "\u0406nes\u200bPark",
    # Small capitals, which Unicode's confusables table does not map; a small L for the I
    # (one stroke in most fonts); kra for k (it maps only to small capital K).
    "small-capitals": "\u026a\u0274\u1d07\ua731 \u1d18\u1d00\u0280\u1d0b",
    "small-l": "lnes Park",
    "kra": "Ines Par\u0138",
    "initial": "I. Park",  # a name shortened to an initial
}
PEOPLE = """\
- name: Ines Park
  hide_from_expert_search: true
- name: Bo Chen
  team: it
"""
KEY = "correct horse battery staple"


def looks_like_her(text: str) -> bool:
    """Whether `text` shows "Ines" or "Park", however it is written."""
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    text = unicodedata.normalize("NFKC", text).casefold().replace("\u0456", "i")
    spelt = ("\u026a\u0274\u1d07\ua731", "\u1d18\u1d00\u0280\u1d0b", "lnes", "par\u0138")
    return "ines" in text or "park" in text or any(w in text for w in spelt)


def hidden_content(root, author: str):
    """A small content folder: Ines Park hidden; one page by `author`, one shared, one by Bo."""
    write(root / "people.yaml", PEOPLE)
    write(root / "it/wifi.md", page("Wifi roaming", author, "Roaming between access points"))
    shared = page("Laptop docks", f'"{author}", Bo Chen', "Dock firmware", "Dock monitors")
    write(root / "it/docks.md", shared)
    write(root / "it/vpn.md", page("VPN", "Bo Chen", "Split tunnel", "Okta sign-in"))
    return root


@pytest.fixture(scope="module")
def spelt_indexes(tmp_path_factory, real_embedder):
    """One index per spelling, built with the real model."""
    out = {}
    for label, spelling in SPELLINGS.items():
        root = tmp_path_factory.mktemp(label)
        content = hidden_content(root / "content", spelling)
        build_index(content, root / "index", real_embedder, Settings())
        out[label] = root / "index"
    return out


@pytest.mark.parametrize("label", SPELLINGS)
def test_invisible_or_lookalike_spelling_of_a_hidden_author_is_never_shown(label, spelt_indexes):
    index_dir = spelt_indexes[label]
    spelling = SPELLINGS[label]
    where = ["--index-dir", str(index_dir)]
    runner = CliRunner()
    for query in ("wifi roaming between access points", "laptop dock firmware"):
        experts = runner.invoke(cli, ["experts", query, *where, "-k", "20", "--json"])
        assert experts.exit_code == 0, experts.output
        assert not looks_like_her(experts.output), experts.output
        assert "Bo Chen" in experts.output or query.startswith("wifi")
    for name in ("Ines Park", spelling):
        result = runner.invoke(cli, ["person", name, *where])
        assert result.exit_code != 0, result.output
        # The message repeats what was asked; what follows it must not offer her.
        hint = result.output.split("wrote in this index", 1)[-1]
        assert not looks_like_her(hint), result.output
    client = TestClient(create_app(index_dir))
    for name in ("Ines Park", spelling):
        assert client.get(f"/people/{name}").status_code == 404
    shown = [
        client.get("/experts", params={"q": "wifi roaming", "k": 20}).text,
        client.get("/app/people").text,
        client.get("/app/facets").text,
        client.get("/app/experts", params={"q": "laptop dock firmware", "k": 20}).text,
        client.get("/search", params={"q": "laptop dock firmware"}).text,
    ]
    for body in shown:
        assert not looks_like_her(json.dumps(json.loads(body), ensure_ascii=False)), body


def test_a_hidden_persons_contact_is_never_shown(tmp_path, real_embedder):
    content = hidden_content(tmp_path / "content", "Ines Park")
    people = PEOPLE.replace(
        "  hide_from_expert_search: true\n",
        "  hide_from_expert_search: true\n  contact: https://intranet.example/u/ipark-q7x\n",
    )
    people += "  contact: bo.chen@brightwater.example\n"  # Bo's own: shown
    people += '- name: Cy Diaz\n  contact: "@ines.park"\n'  # hers, given as someone else's
    write(content / "people.yaml", people)
    index_dir = tmp_path / "index"
    build_index(content, index_dir, real_embedder, Settings())
    where = ["--index-dir", str(index_dir)]
    client = TestClient(create_app(index_dir))
    shown = [
        CliRunner().invoke(cli, ["experts", "laptop dock firmware", *where, "--json"]).output,
        CliRunner().invoke(cli, ["experts", "laptop dock firmware", *where]).output,
        CliRunner().invoke(cli, ["search", "wifi roaming", *where, "--json"]).output,
        client.get("/experts", params={"q": "laptop dock firmware", "k": 20}).text,
        client.get("/app/experts", params={"q": "laptop dock firmware", "k": 20}).text,
        client.get("/search", params={"q": "wifi roaming"}).text,
        client.get("/people/Bo Chen").text,
        client.get("/app/people").text,
    ]
    for i in (0, 1, 3, 4, 6):  # the experts and Bo's profile show his contact
        assert "bo.chen@brightwater.example" in shown[i], shown[i]
    files = [f for f in index_dir.rglob("*") if f.is_file()]
    for text in shown + [f.read_bytes().decode("utf-8", "replace") for f in files]:
        # Letters no build id, time or hash holds (4711 once matched a build at 15:47:11).
        assert "ipark-q7x" not in text and not looks_like_her(text), text[:300]


def old_digest(key: str, salt: str) -> str:
    """How consent digests were made before: a SHA-256 salted with a value stored beside it."""
    return hashlib.sha256(f"{salt}\0{key}".encode()).hexdigest()[:20]


@pytest.mark.parametrize("consent_key", ["", KEY], ids=["no-key", "key"])
def test_index_files_hold_no_hidden_name_nor_reversible_digest(
    tmp_path, real_embedder, consent_key
):
    content = hidden_content(tmp_path / "content", "Ines Park <ines.park@example.org>")
    write(content / "it/wifi.md", page("Wifi roaming", "Ines Park", "Roaming between aps"))
    write(content / "it/rota.md", page("Rota", "Ines Park", "Weekend cover"))  # hers alone
    index_dir = tmp_path / "index"
    settings = Settings(consent_key=consent_key)
    first = build_index(content, index_dir, real_embedder, settings)
    # An incremental run resolves the kept pages from the stored sources: the same authors.
    write(content / "it/vpn.md", page("VPN", "Bo Chen", "Split tunnel", "Full tunnel"))
    again = build_index(content, index_dir, real_embedder, settings)
    assert again.reread == 1 and again.problems == first.problems
    pages = KnowledgeBase(index_dir, real_embedder, settings).index.pages
    assert [(a.name, a.share) for a in pages["it/docks.md"].authors] == [("Bo Chen", 1.0)]
    assert pages["it/rota.md"].authors == ()
    files = [p for p in index_dir.rglob("*") if p.is_file()]
    assert any(p.name.startswith("sources-") for p in files)
    blob = b"\n".join(p.read_bytes() for p in files)
    for word in (b"ines", b"park"):
        assert word not in blob.lower(), word
    # Whatever is stored, a list of candidate names hashed the old way finds nothing in it.
    candidates = ["ines park", "ines", "park", "ines.park@example.org", "inespark"]
    candidates += ["lnes park", "lnes", "lnes.park@example.org", "lnespark"]  # as folded
    stored = set(re.findall(rb"[0-9a-f]{16,64}", blob))
    salts = {s.decode() for s in stored} | {""}
    old_key = hashlib.sha256(b"ines park").hexdigest()[:16]
    assert old_key.encode() not in stored
    for salt in salts:
        for name in candidates:
            assert old_digest(name, salt).encode() not in stored, name


def write_log(path, queries: list[str]) -> None:
    path.write_text(
        "".join(
            json.dumps(
                {"time": "2026-11-20T10:00:00+00:00", "query": q, "results": 5}
                | {"best_similarity": 0.1, "best_path": ""}
            )
            + "\n"
            for q in queries
        ),
        encoding="utf-8",
    )


def test_barcamp_without_the_key_says_which_searches_it_withheld(tmp_path):
    """The barcamp reads answered searches people repeat as well as unanswered ones, so it
    withholds more of a log than the gap report: it said "to list unanswered searches; 4
    withheld" where the gap report said 1 of the same log (an L&D trial)."""
    from fakes import HashEmbedder

    content = hidden_content(tmp_path / "content", "Ines Park")
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings())
    log = tmp_path / "searches.jsonl"
    write_log(log, ["company car leasing policy"])
    answered = json.dumps(
        {"time": "2026-11-20T10:00:00+00:00", "query": "vpn setup", "results": 5}
        | {"best_similarity": 0.9, "best_path": "it/vpn.md"}
    )
    with log.open("a", encoding="utf-8") as out:
        out.write((answered + "\n") * 3)
    kb = KnowledgeBase(index_dir, HashEmbedder(), Settings())
    gaps, camp = kb.gaps(today=dt.date(2026, 12, 1), log=log), kb.barcamp(slots=2, rooms=1, log=log)
    assert gaps.withheld == 1 and "to list unanswered searches; 1 withheld" in gaps.note
    assert "unanswered and repeated searches); 4 withheld" in camp.note, camp.note
    assert "to list unanswered searches" not in camp.note


def test_gap_report_without_the_key_withholds_every_logged_search_and_says_why(
    tmp_path, real_embedder
):
    content = hidden_content(tmp_path / "content", "Ines Park")
    index_dir = tmp_path / "index"
    build_index(content, index_dir, real_embedder, Settings())
    log = tmp_path / "searches.jsonl"
    write_log(log, ["Ines Park phone number", "company car leasing policy"])
    where = ["--index-dir", str(index_dir)]
    result = CliRunner(env={"KB_CONSENT_KEY": None}).invoke(
        cli, ["gaps", "--log", str(log), *where]
    )
    assert result.exit_code == 0, result.output
    assert "company car" not in result.output and not looks_like_her(result.output)
    assert "set KB_CONSENT_KEY when indexing and reporting" in result.output
    assert "2 withheld because people are hidden" in result.output
    # With the key at both ends, only the search naming her is withheld.
    build_index(content, index_dir, real_embedder, Settings(consent_key=KEY))
    kb = KnowledgeBase(index_dir, real_embedder, Settings(consent_key=KEY))
    report = kb.gaps(today=dt.date(2026, 12, 1), log=log)
    assert [u.query for u in report.unanswered] == ["company car leasing policy"]
    assert report.withheld == 1 and not report.note
    # Another key at report time cannot check the digests: everything is withheld again.
    other = KnowledgeBase(index_dir, real_embedder, Settings(consent_key="another key"))
    report = other.gaps(today=dt.date(2026, 12, 1), log=log)
    assert report.unanswered == () and report.withheld == 2 and "KB_CONSENT_KEY" in report.note
    cli_run = CliRunner(env={"KB_CONSENT_KEY": KEY}).invoke(
        cli, ["gaps", "--log", str(log), *where]
    )
    assert "company car leasing policy" in cli_run.output and not looks_like_her(cli_run.output)


def test_gap_report_with_no_one_hidden_is_unchanged_without_a_key(tmp_path, real_embedder):
    content = hidden_content(tmp_path / "content", "Ines Park")
    write(content / "people.yaml", PEOPLE.replace("true", "false"))
    index_dir = tmp_path / "index"
    build_index(content, index_dir, real_embedder, Settings())
    log = tmp_path / "searches.jsonl"
    write_log(log, ["company car leasing policy"])
    report = KnowledgeBase(index_dir, real_embedder, Settings()).gaps(
        today=dt.date(2026, 12, 1), log=log
    )
    assert [u.query for u in report.unanswered] == ["company car leasing policy"]
    assert report.withheld == 0 and not report.note


@pytest.mark.parametrize("label", ["zero-width-space", "cyrillic-i"])
def test_directory_entry_spelling_a_hidden_name_another_way_is_not_recorded(
    tmp_path, real_embedder, label
):
    content = hidden_content(tmp_path / "content", "Bo Chen")
    entry = f"- name: {SPELLINGS[label]}\n  role: Network lead\n"
    entry += "- name: Cy Diaz\n  aliases: [InesPark]\n"  # her name run together
    write(content / "people.yaml", PEOPLE + entry)
    index_dir = tmp_path / "index"
    report = build_index(content, index_dir, real_embedder, Settings())
    recorded = json.dumps(report.manifest.as_dict()["people"], ensure_ascii=False)
    assert not looks_like_her(recorded) and "Cy Diaz" in recorded
    app = TestClient(create_app(index_dir))
    assert not looks_like_her(app.get("/app/people").text)


@settings(max_examples=500, derandomize=True, deadline=None)
@given(st.text(max_size=200))
def test_name_normaliser_on_any_text_never_raises_and_is_stable(text):
    folded = fold_name(text)
    assert fold_name(folded) == folded
    assert not any(unicodedata.category(c) == "Cf" for c in folded)


def test_index_from_before_keyed_digests_is_rewritten_without_them(tmp_path, real_embedder):
    content = hidden_content(tmp_path / "content", "Ines Park")
    index_dir = tmp_path / "index"
    build_index(content, index_dir, real_embedder, Settings())
    # The manifest and sources as the previous version wrote them.
    manifest_file = index_dir / "manifest.json"
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    old_key = hashlib.sha256(b"ines park").hexdigest()[:16]
    manifest.pop("consent_key_id")
    manifest |= {"consent": old_key, "consent_digests": [old_digest("ines park", old_key)]}
    manifest_file.write_text(json.dumps(manifest), encoding="utf-8")
    sources = index_dir / manifest["segments"][0]["sources"]
    lines = sources.read_text(encoding="utf-8").replace('"name": ""', '"name": "Ines Park"')
    sources.write_text(lines, encoding="utf-8")
    report = build_index(content, index_dir, real_embedder, Settings())
    assert report.reread == 3  # who is hidden may have changed: every page read again
    blob = b"\n".join(p.read_bytes() for p in index_dir.rglob("*") if p.is_file())
    assert b"ines" not in blob.lower() and old_key.encode() not in blob


def test_fingerprints_folded_the_old_way_leave_reports_blind_until_the_next_build(
    tmp_path, real_embedder
):
    # Names are folded differently since 2026-12-05: fingerprints made before cannot be
    # compared with a search folded now, so a report withholds every search until a build
    # writes them again. So too before the fingerprints of short surnames (key id "3"): a
    # report would show "jlee" for a hidden Jo Lee.
    from kb.models import Manifest
    from kb.models.consent import IndexConsent, name_digest

    content = hidden_content(tmp_path / "content", "Ines Park")
    index_dir, settings = tmp_path / "index", Settings(consent_key=KEY)
    build_index(content, index_dir, real_embedder, settings)
    manifest_file = index_dir / "manifest.json"
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    for before in ("kb consent key id", "kb consent key id 3"):
        manifest["consent_key_id"] = name_digest(before, KEY)[:16]
        assert IndexConsent.read(Manifest.from_dict(manifest), KEY).blind, before
    manifest_file.write_text(json.dumps(manifest), encoding="utf-8")
    build_index(content, index_dir, real_embedder, settings)
    again = json.loads(manifest_file.read_text(encoding="utf-8"))
    assert not IndexConsent.read(Manifest.from_dict(again), KEY).blind


# Her name as author lists and git write it, with more between or around her two names.
VARIANTS = {
    "middle-initial": "Ines M. Park",
    "middle-name": "Ines Maria Park",
    "nickname": "Ines 'Izzy' Park",
    "surname-first-middle": "Park, Ines M.",
    "letter-spaced": "I n e s P a r k",
    "letter-dotted": "I.n.e.s. P.a.r.k.",
    "right-to-left-override": "\u202ekraP senI",  # shows as "Ines Park"
    "login": "iPark",
    "login-email": "ipark@corp.example",
    "login-digits": "InesPark42",
}


@pytest.mark.parametrize("label", VARIANTS)
def test_hidden_name_with_a_middle_name_spacing_or_reversal_is_hidden(tmp_path, label):
    from fakes import HashEmbedder

    from kb.models import Directory, Person

    spelling = VARIANTS[label]
    assert Directory((Person("Ines Park", hidden=True),)).hides(spelling)
    content = hidden_content(tmp_path / "content", spelling)
    text = (content / "it/vpn.md").read_text(encoding="utf-8")
    write(content / "it/vpn.md", text.replace("team: it", f"team: it\nowner: {spelling}"))
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings())
    blob = b"\n".join(p.read_bytes() for p in index_dir.rglob("*") if p.is_file())
    for form in (spelling, json.dumps(spelling)[1:-1]):
        assert form.encode() not in blob


def test_her_name_reversed_by_an_override_after_its_start_is_hidden_everywhere(tmp_path):
    """A right-to-left override shows what follows it reversed, up to its pop or the line's
    end: 'Ines \u202ekraP' shows 'Ines Park'. Consent read a name reversed only when the
    override came first, so written so she was an author, a tag, a value of the facets
    /facets and MCP's list_facets serve, named in kb check's warning and in a colleague's
    text (a hostile trial). An override that names no one stays as written."""
    from fakes import HashEmbedder

    from kb.models import Directory, Person

    directory = Directory((Person("Ines Park", hidden=True),))
    shown_as_her = (
        "Ines \u202ekraP", "Ines\u202ekraP", "\u202ekraP\u202c, Ines", "I\u202esen\u202c Park",
        "\u202esenI\u202c Park", "Ines \u202ekraP\u202c (she/her)",
    )  # fmt: skip
    for name in shown_as_her:
        assert directory.hides(name), ascii(name)
    for name in ("Ines \u202ekra\u202cP", "Ines \u2067kraP", "\u202ekraP"):  # 'arkP', 'kraP'
        assert not directory.hides(name), ascii(name)
    content = tmp_path / "content"
    write(content / "people.yaml", PEOPLE)
    front = 'authors: [Bo Chen, "Ines \u202ekraP"]\ntags: ["Ines \u202ekraP", vpn]'
    text = page("VPN", "Bo Chen", "Tunnels").replace("authors: [Bo Chen]", front)
    note = "Contacts: \u202ekraP senI\u202c for tunnels. Or ask Ines \u202ekraP\u202c."
    write(content / "it/vpn.md", text + note + " \u202eolleh\u202c\n")
    index_dir = tmp_path / "index"
    report = build_index(content, index_dir, HashEmbedder(), Settings())
    assert not [str(p) for p in report.problems if "kraP" in str(p) or "senI" in str(p)]
    kb = KnowledgeBase(index_dir, HashEmbedder(), Settings())
    assert kb.facets()["author"] == ["Bo Chen"]
    assert kb.facets()["tag"] == ["vpn"]
    (chunk,) = [h.chunk for h in kb.search("contacts tunnels", k=5) if "Contacts" in h.chunk.text]
    assert "kraP" not in chunk.text and "senI" not in chunk.text
    assert chunk.text.count("[hidden person]") == 2 and "\u202eolleh\u202c" in chunk.text


def test_other_people_sharing_one_of_her_names_are_shown():
    from kb.models import Directory, Person

    directory = Directory((Person("Ines Park", hidden=True),))
    for name in ("Ines Lopez", "Bo Park", "Parker Ines", "Pines Ark", "Ines Parks", "Bo I. Park"):
        assert not directory.hides(name), name


def test_a_hidden_name_in_other_letters_or_shortened_is_hidden():
    # A hostile trial: "Joerg Mueller" and "Ana García-López" were shown as experts.
    from kb.models import Directory, Person

    hidden = ("Jörg Müller", "Ana María García-López", "Иван Петров", "Ines Park", "Ole Sørensen")
    directory = Directory((*(Person(n, hidden=True) for n in hidden), Person("Wang Li")))
    directory = Directory((*directory.people, Person("王伟", hidden=True)))
    for name in (
        *("Joerg Mueller", "JOERG MUELLER", "Jorg Muller", "J. Müller", "Müller, Jörg"),
        *("Ana García-López", "Ana Garcia", "Garcia-Lopez, Ana", "Ivan Petrov", "Wang Wei"),
        *("I. Park", "Park, I.", "Ines P.", "Ole Soerensen"),
    ):
        assert directory.hides(name), name
    # Initials and left-out names together (a review: "Ines M. Park" showed).
    three = Directory(
        (Person("Ines Maria Park", hidden=True), Person("Mary Ann Smith", hidden=True))
    )
    for name in (
        "Ines M. Park",
        "I. M. Park",
        "I. Park",
        "Park, Ines M.",
        "M. Smith",
        "Mary A. Smith",
    ):
        assert three.hides(name), name
    for name in ("I. M.", "Bo I. Park", "A. Smith", "Ann Smith", "Maria Park"):
        assert not three.hides(name), name
    # And the other way: hidden as written in Latin letters, named in the original.
    other = Directory((Person("Joerg Mueller", hidden=True), Person("Ivan Petrov", hidden=True)))
    assert other.hides("Jörg Müller") and other.hides("Иван Петров")
    for name in (
        "Bo I. Park",
        "Ines Lopez",
        "Maria Garcia",
        "Ivan Ivanov",
        "Wang Li",
        "Joe Mueller",
    ):
        assert not directory.hides(name), name


def test_a_stroke_read_as_another_letter_hides_only_names():
    # "lnes", "1nes", "|nes" read "Ines" and "EIIa" reads "Ella"; but "Lan" and "Elia" are
    # other people, and a logged "LAN setup" names no hidden Ian.
    from kb.models import Directory, Person
    from kb.models.consent import Hidden, name_digest, names_hidden

    hidden = (Person("Ines Park", hidden=True), Person("Ella Stone", hidden=True))
    directory = Directory((*hidden, Person("Ian Fischer", hidden=True)))
    directory = Directory((*directory.people, Person("Ines McIntyre", hidden=True)))
    for name in ("lnes Park", "1nes Park", "|nes Park", "\u05c0nes Park", "EIIa Stone"):
        assert directory.hides(name), name
    # Each word read its own way (review: reading every stroke at once showed these).
    for name in ("lnes McIntyre", "Ines Mclntyre", "lNES PARK", "PARK, lnes", "l n e s P a r k"):
        assert directory.hides(name), name
    assert directory.hides("Someone", "lnes.mcintyre@x.org")
    for name in ("Elia Stone", "ELIA STONE", "Lan Fischer", "Ines Parker"):
        assert not directory.hides(name), name
    keys = Hidden(directory.people).keys
    words = frozenset(name_digest(w, "k") for k in keys for w in k.split())
    digests = frozenset(name_digest(k, "k") for k in keys)
    for query in ("LAN setup for the office", "wireless lan password", "list all servers"):
        assert not names_hidden(query, digests, "k", words), query
    assert names_hidden("ian fischer's laptop", digests, "k", words)


def test_a_hidden_persons_email_under_another_name_is_hidden(tmp_path, real_embedder):
    # kb joins every spelling that shares an email into one person; consent must ask of
    # each of them, not only of the name it shows ("Izzy" is hidden "Inés Park").
    import subprocess

    repo = tmp_path / "docs"
    content = hidden_content(repo, "Bo Chen")
    write(content / "it/proxy.md", page("Proxy", "Izzy <izzy@example.org>", "Proxy allow list"))
    fw = page("Firewall", '"Inés Park <izzy@example.org>"', "Firewall rule change ticket")
    write(content / "it/fw.md", fw)
    dns = "# DNS records\n\nDNS record change tickets go to the network team.\n"
    write(content / "it/dns.md", dns)  # no front matter: git credits its committer
    who = ["-c", "user.name=Izzy", "-c", "user.email=izzy@example.org"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "pages"]):
        subprocess.run(["git", *who, *args], cwd=repo, check=True, capture_output=True)
    index_dir = tmp_path / "index"
    build_index(content, index_dir, real_embedder, Settings())
    kb = KnowledgeBase(index_dir, real_embedder, Settings())
    authors = {p: [a.name for a in kb.index.pages[p].authors] for p in kb.index.pages}
    assert authors["it/proxy.md"] == authors["it/fw.md"] == authors["it/dns.md"] == [], authors
    assert authors["it/vpn.md"] == ["Bo Chen"]
    runner, where = CliRunner(), ["--index-dir", str(index_dir)]
    for query in ("firewall rule change ticket", "proxy allow list", "dns record change"):
        shown = runner.invoke(cli, ["experts", query, *where, "-k", "20", "--json"]).output
        assert "izzy" not in shown.lower() and not looks_like_her(shown), shown
    assert runner.invoke(cli, ["person", "Izzy", *where]).exit_code != 0


def test_a_hidden_persons_directory_email_under_another_name_is_hidden(tmp_path):
    from fakes import HashEmbedder

    content = hidden_content(tmp_path / "content", "Bo Chen")
    people = PEOPLE.replace(
        "  hide_from_expert_search: true\n",
        "  hide_from_expert_search: true\n  contact: ip@example.org\n",
    )
    write(content / "people.yaml", people)
    write(content / "it/proxy.md", page("Proxy", "Izzy <ip@example.org>", "Proxy allow list"))
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings())
    pages = KnowledgeBase(index_dir, HashEmbedder(), Settings()).index.pages
    assert pages["it/proxy.md"].authors == ()
    assert [a.name for a in pages["it/vpn.md"].authors] == ["Bo Chen"]


def test_a_hidden_name_as_a_login_or_an_emails_first_part_is_hidden():
    # A hostile trial: "ipark", "goconnor" and "lvbeethoven" were shown as experts.
    from kb.models import Directory, Person

    hidden = ("Ines Park", "Grace O'Connor", "Ludwig van Beethoven", "Maximilian Schmidt")
    directory = Directory((*(Person(n, hidden=True) for n in hidden), Person("Bo Chen")))
    directory = Directory((*directory.people, Person("Иван Петров", ("I. P.",), hidden=True)))
    for name in (
        *("ipark", "iPark", "IPARK", "ipark@corp.example", "InesPark42", "parkines"),
        *("goconnor", "lvbeethoven", "lbeethoven", "mschmidt", "ipetrov", "ipetrov@x.org"),
        *("Izzy <ipark@corp.example>", "Izzy <i.park@corp.example>"),
    ):
        assert directory.hides(name), name
    assert directory.hides("Izzy", "ipark@corp.example")
    assert directory.hides("Izzy", "i.park@corp.example")
    # Never a first name or surname alone, nor another's login.
    for name in ("Ines", "Park", "ines@corp.example", "park42", "bpark", "ipar", "iparks", "Pi"):
        assert not directory.hides(name), name
    assert not directory.hides("Bo Park", "bpark@corp.example")
    # A login is no common name (a review): "ali" for hidden Ana Li, "adam" for Anna Dam.
    short = Directory(tuple(Person(n, hidden=True) for n in ("Ana Li", "Anna Dam", "Kate Lee")))
    for name in ("Ali", "Ali Hassan", "adam@corp.example", "klee@corp.example", "ali@corp.example"):
        assert not short.hides(name), name
    assert not short.hides("Ali Hassan", "ali@corp.example") and short.hides("Ana Li")


def test_a_login_or_email_with_rn_written_for_m_is_hidden():
    # A review: "rnia.chen@" was shown for a hidden Mia Chen. Unicode's confusables read
    # "rn" as "m" (`read_runs`), as in a whole name ("Torn Berg" for Tom Berg): in a login,
    # an email's first part, a handle, an author's name, a tag, either way round.
    from kb.models import Directory, Person

    hidden = ("Mia Chen", "Tom Berg", "Pat Tern", "Wes Tem")
    directory = Directory((*(Person(n, hidden=True) for n in hidden), Person("Bo Chen")))
    for name in (
        *("rniachen", "rnia.chen@corp.example", "rnchen", "Rnia Chen", "Chen, Rnia"),
        *(
            "tornberg",
            "torn.berg@x.org",
            "tberg",
            "Izzy <torn.berg@x.org>",
            "pattem",
            "pat.tem@x.org",
        ),
        "wes.tern@x.org",
    ):
        assert directory.hides(name), name
    assert directory.hides("Izzy", "rnia.chen@corp.example")
    assert directory.in_label("rnia-chen") and directory.in_label("tornberg")
    # An English word as written is a word ("western" is no "westem" of Wes Tem), a guess
    # at an English first name's login none ("tornb": "tomb" is no login of Tom Berg); a
    # name or login the directory lists is that person's, not a hidden one's otherwise.
    for name in ("torn", "modern", "western", "western@x.org", "corn", "rnia", "tornb"):
        assert not directory.hides(name), name
    listed = Directory((Person("Tom Berg", hidden=True), Person("Torn Berg")))
    for name in ("tornberg", "torn.berg@x.org", "Torn Berg", "tberg@x.org"):
        assert listed.hides(name) == (name == "tberg@x.org"), name


def test_a_login_with_the_surname_first_or_of_several_words_is_hidden():
    # A review: "zhangw", "zhang.w@" and "avanderberg" were shown for hidden Wei Zhang and
    # Anna van der Berg: a login may put the surname first, and a surname may be of words.
    from kb.models import Directory, Person

    hidden = ("Wei Zhang", "Anna van der Berg", "José Álvarez", "Ludwig van Beethoven")
    directory = Directory((*(Person(n, hidden=True) for n in hidden), Person("Bo Chen")))
    directory = Directory((*directory.people, Person("Alice Paul", hidden=True)))
    for name in (
        *("zhangw", "ZhangW", "zhang.w@corp.example", "zhangw42", "zhang_w", "zhang.wei"),
        *("wzhang", "Dr. Wei Zhang", "Zhang, Wei", "ZHANG Wei", "Izzy <zhang.w@corp.example>"),
        *("avanderberg", "a.vanderberg@corp.example", "vanderberga", "AVanDerBerg"),
        *("Anna Van Der Berg", "Anna vanderberg", "Vanderberg, Anna", "anna.vanderberg@x.org"),
        *("Jose Alvarez", "JOSE ALVAREZ", "Alvarez, Jose", "jalvarez", "alvarezj@corp.example"),
        *("lvanbeethoven", "vanbeethovenl", "lvbeethoven"),
    ):
        assert directory.hides(name), name
    assert directory.hides("Izzy", "zhangw@corp.example")
    # Never a surname alone, nor a surname and a letter that is a name of its own ("paula"
    # for Alice Paul: a login of 6 letters at least, as a whole name run together).
    for name in ("zhang", "vanderberg", "van der Berg", "alvarez", "paula", "chenb", "zhangl"):
        assert not directory.hides(name), name


def test_a_first_name_and_the_surnames_initial_as_a_login_is_hidden():
    # A review: "weiz" (Wei Zhang's login) was shown as an author and in the gap report.
    from kb.models import Directory, Person
    from kb.models.consent import IndexConsent

    hidden = ("Wei Zhang", "Mark Smith", "Pete Rowe", "Ines Park")
    directory = Directory((*(Person(n, hidden=True) for n in hidden), Person("Bo Chen")))
    for name in (
        "weiz",
        "WeiZ",
        "weiz42",
        "wei.z",
        "weiz@corp.example",
        "inesp",
        "Izzy <weiz@x.org>",
    ):
        assert directory.hides(name), name
    assert directory.hides("Izzy", "wei.z@corp.example")
    # Never an English word or a name of its own ("marks" for Mark Smith, "peter" for Pete
    # Rowe), a first name alone, nor another's login.
    for name in ("marks", "marks@corp.example", "peter", "Peter", "wei", "weir", "bochen", "boc"):
        assert not directory.hides(name), name
    log = IndexConsent(
        frozenset(directory.digests("k")), frozenset(directory.word_digests("k")), "k"
    )
    for query in ("weiz vpn", "ask wei.z", "WeiZ laptop", "weiz@corp.example"):
        assert log.withholds(query), query
    for query in ("weird vpn error", "weir fishing", "weigh the options"):
        assert not log.withholds(query), query


def test_an_english_word_is_no_login_of_a_hidden_name_read_either_way():
    # A review: "java" was withheld for a hidden Ava Lin: read reversed, "avaj" is her first
    # name and an initial, and the English-word check read only the reversed word. A word is
    # read as written: "change" is no login of a hidden Chan, nor "java" nor "lava" of Ava.
    from kb.models import Directory, Person
    from kb.models.consent import IndexConsent

    directory = Directory((Person("Ava Lin", hidden=True), Person("Bo Chen")))
    log = IndexConsent(
        frozenset(directory.digests("k")), frozenset(directory.word_digests("k")), "k"
    )
    for query in ("java", "Java heap size", "JAVA21 upgrade", "lava lamp", "javas"):
        assert not log.withholds(query), query
    # Her name, her login, each reversed, and a word that is no English one still are.
    for query in ("ava's laptop", "ask Ava", "Ava Lin", "aval", "lava aval", "nil ava"):
        assert log.withholds(query), query
    for query in ("avaj", "ava-l printer", "AvaL42", "nilava"):
        assert log.withholds(query), query


def test_an_initial_before_a_hidden_first_name_of_three_letters_is_no_login():
    # A review: "jira" was withheld for a hidden Ira Katz, read as an initial and her first
    # name. An initial goes before a surname ("jlee" for Jo Lee), as `_initial_logins` has
    # it; before a first name it is no login, and "jira" is no English word to be spared so.
    from kb.models import Directory, Person
    from kb.models.consent import IndexConsent

    directory = Directory((Person("Ira Katz", hidden=True), Person("Jo Lee", hidden=True)))
    log = IndexConsent(
        frozenset(directory.digests("k")), frozenset(directory.word_digests("k")), "k"
    )
    for query in ("jira", "Jira ticket workflow", "JIRA board", "kira", "arij"):
        assert not log.withholds(query), query
    for query in (
        *("Ira Katz", "IraKatz", "ira.katz@corp.example", "ask Ira about VPN", "ira's desk"),
        *("ztak ari", "katz, ira", "ikatz", "irak", "ira-k", "katzi"),
        *("jlee", "JLee42", "leej", "eelj", "jo.lee@corp.example", "lee parking"),
    ):
        assert log.withholds(query), query
    # Written surname first, her first name is last: a surname, on the safe side.
    katz = Directory((Person("Katz, Ira", hidden=True),))
    assert IndexConsent(
        frozenset(katz.digests("k")), frozenset(katz.word_digests("k")), "k"
    ).withholds("jira")


def test_a_hidden_name_written_surname_first_is_withheld_word_by_word_in_a_log():
    # Found beside a review: the words of a hidden "Park, Ines" were fingerprinted with the
    # comma ("park,"), which no logged word has: "park laptop", "InesPark" and "ipark" were
    # shown, and "jlee" for "Lee, Jo" (her surname is first, not last).
    from kb.models import Directory, Person
    from kb.models.consent import IndexConsent

    directory = Directory((Person("Park, Ines", hidden=True), Person("Lee, Jo", hidden=True)))
    log = IndexConsent(
        frozenset(directory.digests("k")), frozenset(directory.word_digests("k")), "k"
    )
    for query in ("park laptop", "InesPark", "ipark", "Ines Park", "kraP", "jlee", "lee desk"):
        assert log.withholds(query), query
    for query in ("parking permit", "kb setup", "jira"):
        assert not log.withholds(query), query
    assert log.hides_word(["x"])("park")  # nor a key term


def test_a_part_of_a_double_barrelled_name_is_withheld_as_a_word_of_it():
    """A logged search naming one part of a hidden person's double-barrelled surname was
    written and reported ('ask Müller about vpn' for a hidden Zoë Müller-Łukasz, 'garcia
    laptop' for Ana María García-López), and the part could be a key term: a word of her
    name is withheld, but her words were fingerprinted whole ('muller-lukasz'), as no
    search writes them (a hostile trial of the search log). Each part of three letters or
    more is a word of her name too; a login's organisation is not ('GSA travel card')."""
    from kb.models import Directory, Person
    from kb.models.consent import IndexConsent

    hidden = ("Zoë Müller-Łukasz", "Ana María García-López", "alam-gsa")
    directory = Directory((*(Person(n, hidden=True) for n in hidden), Person("Bo Chen")))
    log = IndexConsent(
        frozenset(directory.digests("k")), frozenset(directory.word_digests("k")), "k"
    )
    for query in ("ask Müller about vpn", "muller", "Mueller laptop", "garcia laptop", "lópez vpn"):
        assert log.withholds(query), query
    for query in ("GSA travel card", "vpn setup", "Bo Chen laptop"):
        assert not log.withholds(query), query
    assert log.hides_word(["x"])("müller") and log.hides_word(["x"])("garcia")


def test_a_logins_organisation_is_no_part_of_her_name():
    # A review: a hidden "alam-gsa" (18F's GitHub logins add the agency) hid "A GSA" in
    # prose, as if "GSA" were her surname and "A" her initial.
    from kb.models import Directory, Person
    from kb.models.consent import IndexConsent

    hidden = ("alam-gsa", "kate-ext", "eileen-nava", "Jo Smith-admin")
    directory = Directory((*(Person(n, hidden=True) for n in hidden), Person("Bo Chen")))
    for name in ("alam-gsa", "Alam", "ALAM-GSA", "alamgsa", "Alam (GSA)", "alam-gsa@x.org"):
        assert directory.hides(name), name
    for name in ("kate-ext", "Kate", "Jo Smith", "J. Smith", "E. Nava", "Eileen N."):
        assert directory.hides(name), name  # a name's own words still shorten
    for name in ("A GSA", "GSA", "the GSA", "A. G.", "K. Ext", "Ext", "Admin", "J. Admin"):
        assert not directory.hides(name), name
    log = IndexConsent(
        frozenset(directory.digests("k")), frozenset(directory.word_digests("k")), "k"
    )
    assert log.withholds("ask alam-gsa") and log.withholds("alam travel")
    assert not log.withholds("GSA travel card") and not log.withholds("ext admin rights")


def test_a_transliterated_name_in_the_other_order_is_hidden():
    # A hostile trial: hidden "Wei Zhang" showed as "张伟", which anyascii reads "ZhangWei".
    from kb.models import Directory, Person

    latin = Directory((Person("Wei Zhang", hidden=True), Person("Minjun Gim", hidden=True)))
    assert latin.hides("张伟") and latin.hides("Zhang Wei") and latin.hides("김민준")
    written = Directory((Person("张伟", hidden=True),))
    for name in ("Wei Zhang", "Zhang Wei", "ZhangWei", "WeiZhang", "Zhang, Wei"):
        assert written.hides(name), name
    for directory in (latin, written):
        for name in ("王伟", "Wang Wei", "张丽", "Zhang Li", "Wei Wang"):
            assert not directory.hides(name), name


def test_a_hidden_first_name_cut_short_is_hidden():
    # A hostile trial: hidden "Christopher Johnson" showed as "Chris Johnson".
    from kb.models import Directory, Person

    hidden = ("Christopher Johnson", "Maximilian Schmidt", "Sam Lee", "Дмитрий Смирнов")
    directory = Directory((*(Person(n, hidden=True) for n in hidden), Person("Bo Chen")))
    directory = Directory((*directory.people, Person("Mary Ann Smith", hidden=True)))
    for name in (
        *("Chris Johnson", "Johnson, Chris", "Chris M. Johnson", "Max Schmidt", "Maxi Schmidt"),
        *("Dmitri Smirnov", "Mar Smith", "Mary A. Smith"),
    ):
        assert directory.hides(name), name
    for name in (
        *("Ch Johnson", "Christina Johnson", "Chris Jones", "Chris Johnsen", "Johnson Bo Chris"),
        *("Sa Lee", "Sean Lee", "A. Smith", "Ann Smith", "Max Smith", "Bo Schmidt"),
        # Only the hidden name is cut (a review): "Samuel Lee" is not hidden "Sam Lee" (who
        # lists "Samuel Lee" as an alias if the pages write it so).
        *("Samuel Lee", "Lee, Samantha"),
    ):
        assert not directory.hides(name), name
    # Someone who consents keeps their people.yaml entry beside a hidden name they extend.
    from kb.models.consent import visible

    near = (("Daniel Lee", "Danielle Lee"), ("Chris Johnson", "Christina Johnson"))
    near += (("Max Mustermann", "Maxine Mustermann"),)
    for hidden_name, shown in near:
        kept = visible((Person(hidden_name, hidden=True), Person(shown)))
        assert [p.name for p in kept if not p.hidden] == [shown], (hidden_name, shown)
    # An email's first part is a name too (a review): "chris.johnson@" was shown.
    for email in ("chris.johnson@corp.example", "johnson.chris@corp.example"):
        assert directory.hides("C. J.", email) and directory.hides(email), email
    assert not directory.hides("X", "christina.johnson@corp.example")
    assert not directory.hides("X", "chris@corp.example")
    # Spelt out, a name is not cut short: "Joe" is not "Jörg" ("Joerg").
    joerg = Directory((Person("Jörg Müller", hidden=True),))
    assert joerg.hides("Jörg Mueller") and not joerg.hides("Joe Mueller")


def test_a_cut_the_directory_lists_is_someone_else():
    # A review: a listed "Eva Ng" lost her entry and her pages beside a hidden "Evan Ng".
    from kb.models import Directory, Person
    from kb.models.consent import visible

    kept = visible((Person("Evan Ng", hidden=True), Person("Eva Ng", team="it")))
    assert [p.name for p in kept] == ["Evan Ng", "Eva Ng"]
    listed = Directory(tuple(kept))
    assert not listed.hides("Eva Ng") and not listed.hides("Ng, Eva")
    assert listed.hides("Evan Ng") and listed.hides("E. Ng") and listed.hides("evan.ng@x.org")
    # With a middle initial she is still the one listed, as "Ines M. Park" is Ines Park (a
    # review asked); but not beside a hidden "Evan M. Ng", whose cut keeps his "M." too.
    assert not listed.hides("Eva M. Ng") and not listed.hides("Ng, Eva M.")
    assert listed.hides("Evan M. Ng")
    evan_m = Directory(tuple(visible((Person("Evan M. Ng", hidden=True), Person("Eva Ng")))))
    assert evan_m.hides("Eva M. Ng") and not evan_m.hides("Eva Ng")
    # Not listed, a cut is hidden, on the safe side.
    assert Directory((Person("Evan Ng", hidden=True),)).hides("Eva Ng")


def test_a_nickname_with_the_hidden_surname_is_hidden():
    # A review: "Bob Miller" was shown for hidden Robert Miller. Nicknames are the
    # `nicknames` package's table of English names.
    from kb.models import Directory, Person
    from kb.models.consent import visible

    hidden = ("Robert Miller", "William Hayes", "Katherine O'Brien", "Sam Lee")
    directory = Directory((*(Person(n, hidden=True) for n in hidden), Person("Bo Chen")))
    for name in (
        *("Bob Miller", "Miller, Bob", "BOBBY MILLER", "Bob J. Miller", "Bill Hayes"),
        *("Will Hayes", "Kate O'Brien", "Kathy O’Brien"),
    ):
        assert directory.hides(name), name
    assert directory.hides("B. M.", "bob.miller@corp.example")
    # Never a nickname alone or with another surname; a hidden nickname is not a long name
    # ("Sam" may be Samuel or Samantha), as a first name cut short is not (a review).
    for name in ("Bob", "Bobby", "Bob Smith", "Bob Millers", "Kate", "Samuel Lee", "Sammy"):
        assert not directory.hides(name), name
    # The table also lists a few the other way round: no nickname is longer than the name.
    short = Directory((Person("Bob Stone", hidden=True), Person("Emil Stone", hidden=True)))
    for name in ("Robert Stone", "Emily Stone"):
        assert not short.hides(name), name
    assert not directory.hides("X", "bob@corp.example")
    # Someone in the directory under that name is someone else: a nickname is a guess.
    both = visible((Person("Robert Miller", hidden=True), Person("Bob Miller")))
    assert [p.name for p in both] == ["Robert Miller", "Bob Miller"]
    listed = Directory(tuple(both))
    assert not listed.hides("Bob Miller") and not listed.hides("Miller, Bob")
    assert listed.hides("Bobby Miller") and listed.hides("Robert Miller")


def test_a_first_name_spelt_another_way_with_the_hidden_surname_is_hidden():
    # A review: "Dmitri Volkov", "Alexander Petrov" and "Yousef Khan" were shown for hidden
    # Dmitry Volkov, Aleksandr Petrov and Yusuf Khan: another transliteration or spelling.
    from kb.models import Directory, Person
    from kb.models.consent import visible

    hidden = ("Dmitry Volkov", "Aleksandr Petrov", "Yusuf Khan", "Дмитрий Смирнов")
    directory = Directory((*(Person(n, hidden=True) for n in hidden), Person("Bo Chen")))
    for name in (
        *("Dmitri Volkov", "Dimitri Volkov", "Dmitriy Volkov", "Dmitrii Volkov", "Volkov, Dmitri"),
        *("DIMITRI VOLKOV", "Dimitri A. Volkov", "Alexander Petrov", "Aleksander Petrov"),
        *("Alexandr Petrov", "Yousef Khan", "Youssef Khan", "Yousuf Khan", "Khan, Yousef"),
        *("Dmitry Smirnov", "Dmitrii Smirnov"),
    ):
        assert directory.hides(name), name
    assert directory.hides("D. V.", "dimitri.volkov@corp.example")
    # Never the first name alone, nor with another surname ("Volkova" is another person's,
    # a relative's most likely); nor another name of the same sounds: a name's ending tells
    # "Aleksandra" from "Aleksandr", 3 sounds "Jon" from "Jan", and a Jaro-Winkler similarity
    # of 0.8 "Ronald" from "Reynold".
    others = ("Dimitri", "Dmitry Volkova", "Dmitri Volkova", "Daria Volkova", "Dennis Volkov")
    others += ("Alexandra Petrov", "Aleksandra Petrov", "Yusuf Khanna", "Joseph Khan")
    for name in others:
        assert not directory.hides(name), name
    near = Directory(
        tuple(Person(n, hidden=True) for n in ("Jon Berg", "Reynold Ross", "Daniel Lee"))
    )
    for name in ("Jan Berg", "Ronald Ross", "Danielle Lee", "Dana Lee"):
        assert not near.hides(name), name
    # Someone the directory lists is someone else, however alike: "Dmitri Volkov" beside a
    # hidden "Dmitry Volkov" keeps his entry and his pages ("Carol Jensen" beside "Carl").
    for hidden_name, shown in (("Dmitry Volkov", "Dmitri Volkov"), ("Carl Jensen", "Carol Jensen")):
        kept = visible((Person(hidden_name, hidden=True), Person(shown)))
        assert [p.name for p in kept] == [hidden_name, shown]
        assert not Directory(tuple(kept)).hides(shown), shown
    volkov = Directory(
        tuple(visible((Person("Dmitry Volkov", hidden=True), Person("Dmitry Volkova"))))
    )
    assert [p.name for p in volkov.people] == ["Dmitry Volkov", "Dmitry Volkova"]
    assert volkov.hides("Dimitri Volkov") and not volkov.hides("Dimitri Volkova")


def test_a_surname_transliterated_another_way_with_her_first_name_is_hidden():
    # A review: "Dmitri Wolkow" (a German transliteration) was shown for hidden Dmitry Volkov.
    from kb.models import Directory, Person
    from kb.models.consent import visible

    hidden = ("Dmitry Volkov", "Aleksandr Petrov", "Дмитрий Смирнов", "Christopher Johnson")
    directory = Directory((*(Person(n, hidden=True) for n in hidden), Person("Bo Chen")))
    for name in (
        *("Dmitry Wolkow", "D. Wolkow", "Dmitri Wolkow", "Wolkow, Dmitri", "Dmitry Volkoff"),
        *("Dimitri A. Wolkow", "Aleksandr Petrow", "Alexander Petrow", "Dmitry Smirnow"),
    ):
        assert directory.hides(name), name
    assert directory.hides("D. W.", "dmitri.wolkow@corp.example")
    # Never the surname alone, nor with another first name; not another surname of like
    # sounds ("Wolff"), a relative's ("Wolkowa"), nor one of other vowels ("Johnsen").
    for name in ("Wolkow", "Daria Wolkow", "A. Wolkow", "Dmitry Wolff", "D. Wolff"):
        assert not directory.hides(name), name
    for name in ("Dmitry Wolkowa", "Dmitri Volkova", "Chris Johnsen", "Aleksandr Petrova"):
        assert not directory.hides(name), name
    # Someone the directory lists is someone else: "Dmitri Wolkow", and "Dmitry Wolff".
    for shown in ("Dmitri Wolkow", "Dmitry Wolff"):
        kept = visible((Person("Dmitry Volkov", hidden=True), Person(shown)))
        assert [p.name for p in kept] == ["Dmitry Volkov", shown]
        assert not Directory(tuple(kept)).hides(shown), shown


def test_a_surname_transliterated_another_way_in_a_logged_search_is_withheld():
    # The gap report showed "Dmitri Wolkow" while Dmitry Volkov was hidden: a logged search
    # has only keyed fingerprints, so each surname's sounds are kept as one.
    from kb.models import Directory, Person
    from kb.models.consent import IndexConsent

    hidden = ("Dmitry Volkov", "Christopher Johnson", "Ines Park")
    directory = Directory((*(Person(n, hidden=True) for n in hidden), Person("Bo Chen")))
    log = IndexConsent(
        frozenset(directory.digests("k")), frozenset(directory.word_digests("k")), "k"
    )
    for query in ("Dmitri Wolkow", "ask Wolkow about VPN", "volkoff laptop", "WOLKOW"):
        assert log.withholds(query), query
    for query in ("wolff printer", "folk music", "wolves", "johnsen report", "bo chen"):
        assert not log.withholds(query), query


def test_a_logged_search_in_another_script_or_with_rn_for_m_is_withheld():
    # A review: "Инес Парк" and "rniachen" were in the gap report while Ines Park and Mia
    # Chen were hidden; a logged search is read as a name is, in Latin letters and with
    # "rn" as "m".
    from kb.models import Directory, Person
    from kb.models.consent import IndexConsent

    directory = Directory((*(Person(n, hidden=True) for n in ("Ines Park", "Mia Lund")),))
    log = IndexConsent(
        frozenset(directory.digests("k")), frozenset(directory.word_digests("k")), "k"
    )
    for query in ("Инес Парк", "ask Инес about VPN", "rnialund", "RniaLund laptop"):
        assert log.withholds(query), query
    for query in ("modern laptop", "return the printer", "Принтер не печатает"):
        assert not log.withholds(query), query


def hart_log():
    from kb.models import Directory, Person
    from kb.models.consent import IndexConsent

    directory = Directory((Person("Sam Hart", hidden=True), Person("Bo Chen")))
    return IndexConsent(
        frozenset(directory.digests("k")), frozenset(directory.word_digests("k")), "k"
    )


def test_a_hidden_surname_that_is_an_english_word_is_withheld_however_written():
    # "hart" is an English word too: written, it is her name all the same.
    log = hart_log()
    for query in (
        *("ask Hart about drives", "Hart's laptop", "HART", "hart", "Sam Hart", "trah"),
        *("sam.hart@corp.example", "shart", "samhart", "hartsam", "Hartt"),
    ):
        assert log.withholds(query), query


@pytest.mark.xfail(strict=True, reason="a word that sounds like a hidden surname is withheld")
def test_an_english_word_that_sounds_like_a_hidden_surname_is_shown():
    # A review: "hard drive" is withheld for a hidden Hart, as "wolkow" is for a hidden
    # Volkov: a logged search keeps only how a surname sounds (`_surname_key`, "sounds HRT
    # a"), not its letters. The English word list cannot tell "hard" from a name spelt
    # another way: it has "jonson" (Johnson), "philips", "hoffman", "stephens", "rodgers".
    assert not hart_log().withholds("hard drive")


def test_a_whole_name_is_read_without_a_title_pronouns_or_an_email_beside_it():
    # A review: "Chris Johnson (he/him)" (as git histories write it), "Dr. Bob Miller" and
    # "Dimitri Volkov <dv@x.org>" were shown: the rules of a whole name read only the name.
    from kb.models import Directory, Person

    hidden = ("Christopher Johnson", "Robert Miller", "Dmitry Volkov", "Ines Maria Park")
    directory = Directory((*(Person(n, hidden=True) for n in hidden), Person("Bo Chen")))
    for name in (
        *("Chris Johnson (he/him)", "Chris Johnson — he/him", "Chris Johnson (@cjohnson)"),
        *("Dr. Bob Miller", "Bob Miller (finance)", "Prof. Dimitri Volkov", "Dr. I. Park"),
        *("Dimitri Volkov <dv@x.org>", "Dr. Chris M. Johnson [IT]", "I. Park (she/her)"),
    ):
        assert directory.hides(name), name
    for name in ("Dr. Bo I. Park", "Bob (Miller)", "Dr. Bob", "Chris (Johnson)", "Wm. Miller"):
        assert not directory.hides(name), name


# A hidden person written another way (a review), as front matter credits them: the build's
# authors and owners, and so every expert list, profile and search result.
OTHER_WAYS = {
    "login-surname-first": ("Wei Zhang", "zhangw"),
    "login-particles": ("Anna van der Berg", "avanderberg"),
    "nickname": ("Robert Miller", "Bob Miller"),
    "spelling": ("Dmitry Volkov", "Dimitri Volkov"),
    "pronouns": ("Christopher Johnson", "Chris Johnson (he/him)"),
}


@pytest.mark.parametrize("label", OTHER_WAYS)
def test_a_hidden_person_written_another_way_is_credited_nowhere(tmp_path, label):
    from fakes import HashEmbedder

    hidden, spelling = OTHER_WAYS[label]
    content = tmp_path / "content"
    people = f"- name: {hidden}\n  hide_from_expert_search: true\n- name: Bo Chen\n  team: it\n"
    write(content / "people.yaml", people + "- name: Dmitri Volkov\n  team: it\n")
    write(content / "it/wifi.md", page("Wifi", f'"{spelling}"', "Roaming between access points"))
    docks = page("Docks", f'"{spelling}", Bo Chen', "Dock firmware")
    write(content / "it/docks.md", docks.replace("team: it", f'team: it\nowner: "{spelling}"'))
    # Someone the directory lists, alike a hidden name, is credited: "Dmitri Volkov".
    write(content / "it/vpn.md", page("VPN", "Dmitri Volkov", "Split tunnel"))
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings())
    kb = KnowledgeBase(index_dir, HashEmbedder(), Settings())
    pages = kb.index.pages
    assert pages["it/wifi.md"].authors == () and not pages["it/docks.md"].owner
    assert [a.name for a in pages["it/docks.md"].authors] == ["Bo Chen"]
    assert [a.name for a in pages["it/vpn.md"].authors] == ["Dmitri Volkov"]
    assert "Dmitri Volkov" in kb.people() and spelling not in kb.people()
    experts = [e.name for e in kb.experts("dock firmware", k=20)]
    assert "Bo Chen" in experts and spelling not in experts, experts
    blob = b"\n".join(p.read_bytes() for p in index_dir.rglob("*") if p.is_file())
    for form in (spelling, json.dumps(spelling)[1:-1]):
        assert form.encode() not in blob, form


def test_kb_check_names_no_author_hidden_by_email(tmp_path):
    # A hostile trial: authors as YAML mappings lost their email, and kb check printed
    # "'Izzy' is not in people.yaml" for hidden Ines Park's nickname; the index credited it.
    from fakes import HashEmbedder

    from kb.content.check import check_content

    content = hidden_content(tmp_path / "content", "Bo Chen")
    people = PEOPLE.replace(
        "  hide_from_expert_search: true\n",
        "  hide_from_expert_search: true\n  contact: ines.park@corp.example\n",
    )
    write(content / "people.yaml", people)
    mapping = "{name: Izzy, email: ines.park@corp.example}, {name: Zed Newcomer}"
    write(content / "it/proxy.md", page("Proxy", mapping, "Proxy allow list"))
    # Her email under her own name on one page, under a nickname on another.
    write(content / "it/fw.md", page("Firewall", '"Ines Park <izzy@x.org>"', "Firewall rules"))
    write(content / "it/dns.md", page("DNS", '"Isa <izzy@x.org>"', "DNS records"))
    write(content / "it/ntp.md", page("NTP", "{name: Isa, email: izzy@x.org}", "Time sync"))
    findings = check_content(content, today=dt.date(2026, 12, 1))
    people_warnings = [f.message for f in findings if f.rule == "people"]
    assert len(people_warnings) == 1 and "Zed Newcomer" in people_warnings[0], people_warnings
    shown = "\n".join(f.message for f in findings)
    assert "Izzy" not in shown and "Isa" not in shown and not looks_like_her(shown), shown
    index_dir = tmp_path / "index"
    report = build_index(content, index_dir, HashEmbedder(), Settings())
    # kb index says of unlisted authors what kb check says (session 27), and no more.
    said = [p.message for p in report.problems if "people.yaml" in p.message]
    assert len(said) == 1 and "Zed Newcomer" in said[0], said
    shown = "\n".join(p.message for p in report.problems)
    assert "Izzy" not in shown and "Isa" not in shown and not looks_like_her(shown), shown
    pages = KnowledgeBase(index_dir, HashEmbedder(), Settings()).index.pages
    assert [a.name for a in pages["it/proxy.md"].authors] == ["Zed Newcomer"]
    for rel in ("it/fw.md", "it/dns.md", "it/ntp.md"):
        assert pages[rel].authors == (), rel


def test_a_long_logged_search_costs_a_check_linear_in_its_length(monkeypatch):
    # Every stretch of a 300-letter word was a digest: 1 s a logged search in every report,
    # and anyone who can search fills the log (a hostile trial). Stretches are bounded now.
    from kb.models import consent

    digests = frozenset({consent.name_digest("tomasz nowak", "k")})
    words = frozenset(consent.name_digest(w, "k") for w in ("tomasz", "nowak"))
    made = []
    real = consent.name_digest
    monkeypatch.setattr(consent, "name_digest", lambda key, s: made.append(key) or real(key, s))

    def cost(n: int) -> int:
        made.clear()
        assert not consent.names_hidden("qx" * (n // 2), digests, "k", words)
        return len(made)

    assert cost(1000) < 4 * cost(300)  # every stretch: 11 times as many
    # Still found run together inside a long word, at its start, middle or end.
    for word in (
        "tomasznowak" + "x" * 500,
        "x" * 250 + "nowaktomasz" + "y" * 250,
        "z" * 600 + "nowak",
    ):
        assert consent.names_hidden(word, digests, "k", words), word[:20]


def test_an_email_naming_a_hidden_person_without_a_middle_name_hides_the_author():
    # A review: with a listed, different "Chris Johnson", the author "Chris Johnson
    # <christopher.johnson@…>" was shown for a hidden Christopher M. Johnson; and "Izzy
    # <ines.park@…>" was always shown for a hidden Ines M. Park.
    from kb.models import Directory, Person
    from kb.models.consent import visible

    people = (Person("Christopher M. Johnson", hidden=True), Person("Chris Johnson"))
    directory = Directory(tuple(visible(people)))
    assert directory.hides("Chris Johnson", "christopher.johnson@corp.example")
    assert directory.hides("Chris Johnson <christopher.johnson@corp.example>")
    assert not directory.hides("Chris Johnson")  # listed: someone else
    assert not directory.hides("Chris Johnson", "chris.johnson2@corp.example")
    park = Directory((Person("Ines M. Park", hidden=True), Person("Ines Parker")))
    assert park.hides("Izzy", "ines.park@corp.example") and park.hides("Izzy <ines.park@x.org>")
    assert not park.hides("Ines Parker", "ines.parker@corp.example")


def test_a_hidden_persons_name_in_a_colleagues_page_text_is_never_shown(tmp_path, real_embedder):
    # A trial asked "who do I ask about laptop questions" and kb marked "Laptop questions:
    # Kenji Sato" as the answer, Kenji hidden. Text is written without the name; Bo stays.
    content = hidden_content(tmp_path / "content", "Bo Chen")
    contacts = (
        "---\ntitle: Dock support\nauthors: [Bo Chen]\nteam: it\n---\n"
        "## Who to ask\nDock firmware questions: Ines Park, or mail ines.park@bw.example.\n"
        "Monitor questions: Bo Chen. Escalations go to Park, Ines or I. Park.\n"
        # Pages are wrapped and marked up (a review): a name split over two lines, in bold,
        # with an HTML space, a chat handle.
        "Out of hours: our firmware lead, Ines\nPark; or Ines **Park**, Ines&nbsp;Park,\n"
        "@ines.park.\n"
    )
    write(content / "it/dock-support.md", contacts)
    index_dir = tmp_path / "index"
    build_index(content, index_dir, real_embedder, Settings())
    where = ["--index-dir", str(index_dir)]
    client = TestClient(create_app(index_dir))
    query = "who do I ask about dock firmware questions"
    shown = [
        CliRunner().invoke(cli, ["search", query, *where]).output,
        CliRunner().invoke(cli, ["search", query, *where, "--json"]).output,
        CliRunner().invoke(cli, ["search", "Ines Park", *where, "--json"]).output,
        client.get("/search", params={"q": query}).text,
        client.get("/app/pages/it/dock-support.md").text,
    ]
    assert "Dock firmware questions: [hidden person], or mail [hidden person]." in shown[0]
    # ... and its mark is no word a search finds: "hidden person" lists no such page.
    kb = KnowledgeBase(index_dir, real_embedder, Settings())
    hits = [h for h in kb.search("hidden person", k=20) if h.chunk.path == "it/dock-support.md"]
    assert hits and all(h.coverage == 0 and not h.relevant for h in hits)
    assert "Monitor questions: Bo Chen" in shown[4]  # a listed colleague stays
    files = [f for f in index_dir.rglob("*") if f.is_file()]
    for text in shown + [f.read_bytes().decode("utf-8", "replace") for f in files]:
        assert not looks_like_her(text), text[:300]
    # She gives consent again: the next build shows her name where the page says it.
    write(content / "people.yaml", PEOPLE.replace("  hide_from_expert_search: true\n", ""))
    build_index(content, index_dir, real_embedder, Settings())
    out = CliRunner().invoke(cli, ["search", query, *where]).output
    assert "Dock firmware questions: Ines Park" in out, out


def test_words_of_a_hidden_name_in_ordinary_text_are_kept():
    # A title-cased "A" or "I" is no initial, and prose's words are not a name in another
    # order (a review found "# A Short Guide" and "Where Can I Park" written out).
    from kb.models import Directory, Person

    people = ("Ines Park", "Alex Short", "Will Slack", "Kenji Sato")
    directory = Directory(tuple(Person(n, hidden=True) for n in people))
    kept = (
        "# A Short Guide to the VPN",
        "Where Can I Park",
        "the team will slack off; Slack will reply",
        "Ines and the park",
        "Ines\n\nPark",  # a blank line between: two paragraphs
        "Kenji alone, Sato alone",
    )
    for text in kept:
        assert directory.names_in(text) == [], text
    named = "A. Short, Sato, K. and kenji sato"
    assert [named[a:b] for a, b in directory.names_in(named)] == [
        "A. Short",
        "Sato, K",
        "kenji sato",
    ]


def test_a_hidden_name_typed_with_decomposed_accents_or_typographic_marks_is_found_in_text():
    # An attack: authors were read this way, page text was not. macOS and PDF copies write
    # accents as combining marks, Word and Google Docs a curly apostrophe, Word a
    # non-breaking hyphen; each split a word of her name, and the page showed it.
    from kb.models import Directory, Person

    people = ("J\u00f6rg M\u00fcller", "Grace O'Connor", "Ana Garc\u00eda-L\u00f3pez", "Bo Chen")
    directory = Directory(tuple(Person(n, hidden=n != "Bo Chen") for n in people))
    for name in (
        "Jo\u0308rg Mu\u0308ller",
        "Grace O\u2019Connor",
        "Grace O\u2019Connor\u2019s",
        "Ana Garci\u0301a-Lo\u0301pez",
        "Ana Garc\u00eda\u2011L\u00f3pez",
        "Ana Garc\u00eda\u2010L\u00f3pez",
    ):
        text = f"Escalations: {name} on call."
        assert [text[a:b] for a, b in directory.names_in(text)] == [name], name
    # Her surname alone, or someone else's, stays.
    for text in (
        "Ask O\u2019Connor\u2019s team",
        "Mu\u0308ller and Bo Chen",
        "Ana L\u00f3pez\u2011Ruiz",
    ):
        assert directory.names_in(text) == [], text


def test_an_index_from_before_names_were_written_out_is_read_again(tmp_path, monkeypatch):
    # A review built an index before the rule, then with it: every page was kept, names and
    # all. The rule's version is in the chunking signature, as redaction's is.
    from fakes import HashEmbedder

    content, index_dir = tmp_path / "content", tmp_path / "index"
    write(content / "people.yaml", PEOPLE)
    write(
        content / "it/dock.md",
        "---\ntitle: Dock\nauthors: [Bo Chen]\n---\n## Ask\nAsk Ines Park.\n",
    )
    with monkeypatch.context() as old_kb:
        old_kb.setattr("kb.config.HIDING_VERSION", 0)
        old_kb.setattr("kb.build.without_hidden", lambda doc, names_in: doc)
        build_index(content, index_dir, HashEmbedder(), Settings())
    assert chunks_naming(index_dir, "Ines Park")
    report = build_index(content, index_dir, HashEmbedder(), Settings())
    assert report.changed and report.reread == 1 and chunks_naming(index_dir, "Ines Park") == 0


def test_a_tag_team_file_or_folder_naming_her_is_left_out_and_never_said_back(
    tmp_path, real_embedder
):
    # An attack: page text was written without her name, but labels were not. `tags:`, a
    # `team:` and the page's path are shown on every hit, facet and profile (and `?tag=`
    # filtered by her name). A tag or team naming her is dropped, a page whose path does
    # is not read (as a file name holding a credential), and no warning repeats the name.
    content = hidden_content(tmp_path / "content", "Bo Chen")
    tagged = "---\ntitle: Printer forms\nauthors: [Bo Chen]\nteam: it\n"
    tagged += "tags: [printers, ines-park, Ines Park, ipark]\n---\n## Forms\nDuplex forms.\n"
    write(content / "it/forms.md", tagged)
    write(content / "it/duplex.md", page("Duplex", "Bo Chen", "Duplex trays", team="ines-park"))
    write(content / "ines-park/toner.md", page("Toner", "Bo Chen", "Toner refills"))
    write(content / "it/ipark.md", page("Notes", "Bo Chen", "Paper jams"))  # her login
    # Indexed while she is shown, then hidden: the pages read before are asked again.
    write(content / "people.yaml", PEOPLE.replace("  hide_from_expert_search: true\n", ""))
    index_dir = tmp_path / "index"
    build_index(content, index_dir, real_embedder, Settings())
    write(content / "people.yaml", PEOPLE)
    report = build_index(content, index_dir, real_embedder, Settings())
    warnings = [str(p) for p in report.problems]
    assert "it/forms.md:5: a tag names someone who withheld consent (people.yaml); dropped" in (
        warnings
    )
    assert any(w.startswith("it/duplex.md:4: the team names someone") for w in warnings)
    assert any(
        w.startswith("[hidden person]/toner.md: folder name names someone") for w in warnings
    )
    assert any(w.startswith("it/[hidden person].md: file name names someone") for w in warnings)
    client = TestClient(create_app(index_dir))
    facets = client.get("/app/facets").text
    hits = client.get("/search", params={"q": "toner refills paper jams duplex"}).text
    check = CliRunner().invoke(cli, ["check", str(content)]).output
    shown = [
        *warnings,
        facets,
        hits,
        check,
        client.get("/app/facet-counts").text,
        client.get("/people/Bo Chen").text,
        client.get("/app/profiles/Bo Chen").text,
    ]
    files = [f for f in index_dir.rglob("*") if f.is_file()]
    for text in shown + [f.read_bytes().decode("utf-8", "replace") for f in files]:
        assert not looks_like_her(text), text[:300]
    # Her name is no tag to filter by: the filter is refused as any tag the index lacks.
    assert client.get("/search", params={"q": "forms", "tag": "Ines Park"}).status_code == 400
    # What does not name her stays: the page's other tag, the pages of a neutral path.
    assert "printers" in facets
    assert "it/duplex.md" in hits and "it/forms.md" in hits
    assert "[hidden person]/toner.md:1: error: folder name names someone" in check, check
    # An unchanged run says the same; a run after she gives consent reads the pages again.
    again = build_index(content, index_dir, real_embedder, Settings())
    assert not again.changed and [str(p) for p in again.problems] == warnings
    write(content / "people.yaml", PEOPLE.replace("  hide_from_expert_search: true\n", ""))
    build_index(content, index_dir, real_embedder, Settings())
    facets = TestClient(create_app(index_dir)).get("/app/facets").text
    assert "ines-park" in facets and "Ines Park" in facets


def test_a_colleagues_people_entry_naming_her_is_stored_and_warned_about_without_her(
    tmp_path, real_embedder
):
    # An attack: a visible colleague's role, location and team, and warnings that say back
    # a bad value ("'Ines Park' is not a language"), were stored in the manifest and shown.
    content = hidden_content(tmp_path / "content", "Bo Chen")
    colleague = (
        "- name: Bo Chen\n  team: ines-park\n  role: Backup for Ines Park\n"
        "  location: Desk next to Ines Park\n  available_for: [tandem, shadowing Ines Park]\n"
        "  languages: [en, ipark]\n  department: Ines Park\n"
    )
    write(content / "people.yaml", PEOPLE.replace("- name: Bo Chen\n  team: it\n", colleague))
    index_dir = tmp_path / "index"
    report = build_index(content, index_dir, real_embedder, Settings())
    warnings = [str(p) for p in report.problems]
    assert "people.yaml:4: Bo Chen: the team names someone who withheld consent " in "\n".join(
        warnings
    )
    assert "people.yaml:8: Bo Chen: languages ignored: '[hidden person]' is not a" in "\n".join(
        warnings
    )
    client = TestClient(create_app(index_dir))
    profile = client.get("/people/Bo Chen").json()
    assert profile["role"] == "Backup for [hidden person]", profile
    shown = [
        *warnings,
        json.dumps(profile),
        client.get("/app/profiles/Bo Chen").text,
        client.get("/app/people").text,
        CliRunner().invoke(cli, ["person", "Bo Chen", "--index-dir", str(index_dir)]).output,
    ]
    files = [f for f in index_dir.rglob("*") if f.is_file()]
    for text in shown + [f.read_bytes().decode("utf-8", "replace") for f in files]:
        # "Business" (a department warning's hint) holds "ines" as letters only.
        assert not looks_like_her(text.replace("Business", "")), text[:300]


def test_a_skipped_file_or_a_link_under_a_path_naming_her_is_said_without_her(
    tmp_path, real_embedder
):
    # A review: the walk's own warnings (a credential in a file name, a link out of the
    # folder) and `kb check`'s broken links said back the path whole, and the index's
    # manifest stored it: "ines park/password=[redacted]", "it/ines-park.md".
    content = hidden_content(tmp_path / "content", "Bo Chen")
    write(content / "ines park/password=hunter2xyz.md", page("Secret", "Bo Chen", "Keys"))
    write(tmp_path / "outside.md", page("Outside", "Bo Chen", "Elsewhere"))
    (content / "it/ines-park.md").symlink_to(tmp_path / "outside.md")
    links = "---\ntitle: Links\nauthors: [Bo Chen]\n---\n## Links\n\n"
    links += "See [toner](ines-park/toner.md) and [jams](ines-park/jam.md#ines-park).\n"
    write(content / "it/links.md", links)
    index_dir = tmp_path / "index"
    report = build_index(content, index_dir, real_embedder, Settings())
    warnings = [str(p) for p in report.problems]
    check = CliRunner().invoke(cli, ["check", str(content)]).output
    # Each is still said, under a path without her name.
    assert any(w.startswith("[hidden person]/password=[redacted]: file name") for w in warnings)
    assert any(w.startswith("it/[hidden person].md: links to a file outside") for w in warnings)
    assert "broken link to '[hidden person]/toner.md': no such page" in check, check
    assert "broken link to '[hidden person]/jam.md#[hidden person]'" in check, check
    files = [f for f in index_dir.rglob("*") if f.is_file()]
    for text in [*warnings, check] + [f.read_bytes().decode("utf-8", "replace") for f in files]:
        assert not looks_like_her(text), text[:300]


def test_a_search_naming_someone_hidden_is_not_written_to_the_log(tmp_path):
    """An attack on the opt-in search log: a search naming a hidden person ('ask Ines Park
    about vpn', 'ipark laptop') was written to the log as typed. Every report withheld it,
    but the file on disk was a list of what people asked about her. With the key the index's
    fingerprints were made with, such a search is not written, by `kb search`, the app's
    settled search or "this page is missing", and the answer does not differ (no oracle of
    whom the index hides); other searches are. Without the key no one can tell: logged as
    before, and every report withholds the log while anyone is hidden."""
    from fakes import HashEmbedder

    content = hidden_content(tmp_path / "content", "Ines Park")
    index_dir = tmp_path / "index"
    build_index(content, index_dir, HashEmbedder(), Settings(consent_key=KEY))
    naming = ("ask Ines Park about vpn", "ipark laptop", "INES PARK")
    for key, written in ((KEY, False), ("", True)):
        log = tmp_path / f"log-{bool(key)}.jsonl"
        kb = KnowledgeBase(index_dir, HashEmbedder(), Settings(consent_key=key), search_log=log)
        for query in (*naming, "vpn split tunnel"):
            kb.search(query, log=True)
            assert kb.log_search(query) is True and kb.report_missing(query) is True
        text = log.read_text(encoding="utf-8")
        assert text.count("vpn split tunnel") == 3
        assert looks_like_her(text) is written and text.count("\n") == 3 + 9 * written
