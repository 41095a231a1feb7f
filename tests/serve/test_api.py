"""`kb serve`: the HTTP API over the bundled index, with the real model."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest
import schemathesis
from e2e import free_port
from fakes import HashEmbedder
from fastapi.testclient import TestClient
from helpers import ROOT, page, write
from hypothesis import settings
from schemathesis.checks import not_a_server_error

from kb import SentenceTransformerEmbedder, Settings, build_index
from kb.models import Expert, Experts
from kb.serve.api import create_app
from kb.serve.codec import expert_records


@pytest.fixture(scope="module")
def client(bundled_index) -> TestClient:
    return TestClient(create_app(bundled_index))


def test_every_endpoint_answers_from_the_index(client):
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["pages"] == 65 and health["chunks"] == 603
    assert health["loading"] is False and "newer_build" not in health
    hits = client.get("/search", params={"q": "the expense app on my phone won't log me in"})
    assert hits.status_code == 200
    assert hits.json()[0]["path"] == "service-desk/spendwise-app-troubleshooting.md"
    assert {"path", "title", "heading", "line", "score", "snippet", "authors"} <= set(
        hits.json()[0]
    )
    experts = client.get("/experts", params={"q": "vendor onboarding", "k": 3}).json()
    assert experts[0]["name"] == "Grace O'Connor" and experts[0]["evidence"]
    assert experts[0]["role"] == "Procurement manager" and experts[0]["contact"] == "@grace"
    assert len(experts) == 3
    grace = client.get("/people/goconnor").json()  # an alias
    assert grace["name"] == "Grace O'Connor" and grace["role"] == "Procurement manager"
    assert grace["across"] and grace["across"][0]["second"]["department"] == "IT"
    # A first or last name only one person has is theirs, as in `kb person`.
    assert client.get("/people/o'connor").json()["name"] == "Grace O'Connor"
    assert client.get("/openapi.json").json()["paths"].keys() >= {
        "/search",
        "/experts",
        "/facets",
        "/people/{name}",
        "/health",
    }
    # The filters' values, public as MCP's list_facets (a client read them from a 400).
    facets = client.get("/facets").json()
    assert facets == client.get("/app/facets").json()
    assert facets.keys() == {"department", "team", "tag", "author"}  # the filters' names
    assert "Grace O'Connor" in facets["author"] and "sales" in facets["team"]


def test_the_first_hit_is_the_section_a_reader_is_shown_first(client, bundled_kb):
    # A trial: /search's first hit was the NDA page's contents list, with no answer, where
    # the app's card and `kb search` show "Who can sign". The list keeps every hit.
    query = "who is allowed to sign an NDA"
    hits = client.get("/search", params={"q": query}).json()
    assert (hits[0]["heading"], hits[0]["relevant"]) == ("Who can sign", True)
    assert hits[0]["answer"]
    searched = bundled_kb.search(query)  # the library's results are in that order too
    assert [(h["path"], h["line"]) for h in hits] == [
        (h.chunk.path, h.chunk.line) for h in searched
    ]
    ranked = bundled_kb._searcher.search(query)
    assert ranked[0].chunk.heading == ""  # the ranking's first: the contents list
    assert len(hits) == len(searched) == len(ranked)
    assert {(h["path"], h["line"]) for h in hits} == {
        (h.chunk.path, h.chunk.line) for h in searched
    }


def test_a_health_check_by_head_and_a_huge_query_said_back_short(client, tmp_path):
    assert client.head("/health").status_code == 200  # monitors often check with HEAD
    none = TestClient(create_app(tmp_path / "no-index"), raise_server_exceptions=False)
    assert none.head("/health").status_code == none.get("/health").status_code == 503
    res = client.get("/search", params={"q": "q" * 5_000})  # (the test client's longest URL)
    assert res.status_code == 422 and len(res.content) < 1_000  # not all of it said back
    (error,) = res.json()["detail"]
    assert error["loc"] == ["query", "q"] and error["input"].endswith("(5,000 characters)")
    assert client.get("/search", params={"k": "x", "q": "vpn"}).json()["detail"][0]["input"] == "x"
    # A 404 says back what was asked for cut short too (a hostile trial: 7 KB answers).
    for url in ("/people/", "/app/pages/", "/app/profiles/"):
        res = client.get(url + "a" * 5_000)
        assert res.status_code == 404 and len(res.content) < 1_000, url
        assert "(5,000 characters)" in res.json()["detail"]


def test_a_page_whose_name_holds_a_line_break_opens(tmp_path):
    # Found by /search, then 404 from /app/pages: the route's path stopped at the break.
    content = tmp_path / "content"
    content.mkdir()
    (content / "new\nline.md").write_text("---\ntitle: Odd name\nauthors: [Ana Ruiz]\n---\nText.\n")
    (content / "plain.md").write_text("---\ntitle: Plain\nauthors: [Ana Ruiz]\n---\nText.\n")
    fake = HashEmbedder(name=SentenceTransformerEmbedder.name, dim=SentenceTransformerEmbedder.dim)
    build_index(content, tmp_path / "index", fake, Settings())
    app = TestClient(create_app(tmp_path / "index"))
    assert app.get("/app/pages/new%0Aline.md").json()["title"] == "Odd name"
    assert app.get("/app/pages/plain.md").json()["title"] == "Plain"
    assert app.get("/app/pages/new%0Aother.md").status_code == 404


def test_filters_and_modes_narrow_like_the_cli(client, bundled_kb):
    hits = client.get(
        "/search", params={"q": "access", "team": "security", "k": 20, "mode": "bm25"}
    ).json()
    assert hits and all(h["team"] == "security" for h in hits)
    recent = client.get("/search", params={"q": "access", "since": "2026-10-01", "k": 20}).json()
    fresh = {p.path for p in bundled_kb.index.pages.values() if p.updated >= "2026-10-01"}
    assert recent and {h["path"] for h in recent} <= fresh
    # ("access" had Business people only through the Coupa page's "Contacts", which no
    # longer votes: kb.search.boilerplate.)
    people = client.get("/experts", params={"q": "spendwise", "department": "Business"}).json()
    assert people and all(p["department"] == "Business" for p in people)
    assert set(people[0]) == set(expert_records(Experts((Expert("x", 0.0),)))[0])  # as the CLI
    # Filter values are checked as the CLI checks them: trimmed, case and spacing ignored.
    spaced = client.get("/search", params={"q": "access", "team": " Security ", "k": 20})
    plain = client.get("/search", params={"q": "access", "team": "security", "k": 20})
    assert spaced.status_code == 200 and spaced.json() == plain.json()


@pytest.mark.parametrize(
    ("path", "params", "status", "says"),
    [
        ("/search", {}, 422, "q"),
        ("/search", {"q": "   "}, 422, "blank"),
        ("/search", {"q": "\u2800\u2800"}, 422, "blank"),  # the braille pattern blank
        ("/experts", {"q": "\u200b?"}, 422, "blank"),
        ("/search", {"q": "x", "k": 0}, 422, "k"),
        ("/search", {"q": "x", "k": 101}, 422, "k"),
        ("/search", {"q": "x", "mode": "fuzzy"}, 422, "mode"),
        ("/search", {"q": "x", "since": "last week"}, 422, "since"),
        # A number was read as seconds since 1970 (a hostile trial): `since=0` gave every page.
        ("/search", {"q": "x", "since": "0"}, 422, "not a date like 2026-01-31"),
        ("/app/search", {"q": "x", "since": "20260131"}, 422, "not a date like 2026-01-31"),
        ("/app/pairs", {"today": "-86400"}, 422, "not a date like 2026-01-31"),
        ("/search", {"q": "x", "team": "astronauts"}, 400, "team 'astronauts' is not in"),
        ("/search", {"q": "x", "author": "Nobody Here"}, 400, "author"),
        ("/search", {"q": "x", "team": "financ"}, 400, "did you mean 'finance'?"),
        ("/search", {"q": "x", "author": "tomas"}, 400, "did you mean 'Tomasz Nowak'?"),
        ("/experts", {"q": "x", "department": "Space"}, 400, "department"),
        ("/people/Nobody%20Here", {}, 404, "no one called"),
        ("/people/tomas", {}, 404, "did you mean Tomasz Nowak?"),
    ],
)
def test_bad_parameters_get_a_4xx_with_a_message(client, path, params, status, says):
    response = client.get(path, params=params)
    assert response.status_code == status
    assert says in str(response.json()["detail"])


def _bounds(schema: dict) -> list[dict]:
    """Every (sub)schema of a parameter that states a number's range, `None` arms left out."""
    arms = schema.get("anyOf", [schema])
    return [a for a in arms if a.get("type") in ("integer", "number")]


def test_the_openapi_document_gives_every_numbers_range_in_json_schema(tmp_path):
    """A number's range is JSON Schema's `minimum`/`maximum`, which a client generator or a
    validator reads: it was pydantic's `ge`/`le` (`k`: {"ge": 1, "le": 100}), keywords no
    JSON Schema reader knows, so a client learnt no range (a developer's trial)."""
    document = TestClient(create_app(tmp_path)).get("/openapi.json").json()
    numbers = {
        (path, p["name"]): arm
        for path, methods in document["paths"].items()
        for op in methods.values()
        for p in op.get("parameters", [])
        for arm in _bounds(p["schema"])
    }
    assert numbers[("/search", "k")].items() >= {"minimum": 1, "maximum": 100}.items()
    assert numbers[("/experts", "k")].items() >= {"minimum": 1, "maximum": 100}.items()
    hours = numbers[("/app/team", "timezone_within")]
    assert hours.items() >= {"minimum": 0, "maximum": 26}.items()
    assert len(numbers) == 12  # k, top, seed, size, max_per_team, timezone_within, slots, rooms
    for where, arm in numbers.items():
        assert "minimum" in arm and "maximum" in arm, where
        assert not arm.keys() & {"ge", "le", "gt", "lt"}, where


def test_the_openapi_document_names_the_errors_each_route_answers(tmp_path):
    """The document named only 200 and 422, where README promises a 400 for a filter value
    the index lacks, a 404 for no such person, a 401 without the token and a 503 without
    an index, each `{"detail": message}` (a developer's trial)."""

    def answers(app) -> dict[str, set[str]]:
        paths = TestClient(app).get("/openapi.json").json()["paths"]
        return {path: set(ops["get"]["responses"]) for path, ops in paths.items() if "get" in ops}

    public = answers(create_app(tmp_path))
    assert public["/search"] == public["/experts"] == {"200", "400", "422", "503"}
    assert public["/people/{name}"] == {"200", "404", "422", "503"}
    assert public["/health"] >= {"200", "503"} and "401" not in public["/health"]
    guarded = answers(create_app(tmp_path, token="t" * 32))
    assert "401" in guarded["/search"]
    said = TestClient(create_app(tmp_path)).get("/openapi.json").json()["components"]
    assert said["schemas"]["Message"]["required"] == ["detail"]


PUBLIC = ("/health", "/search", "/experts", "/facets", "/people/{name}")


def _answer_schema(document: dict, path: str) -> dict:
    """The schema of `path`'s 200 answer in an OpenAPI document, its `$ref`s resolvable."""
    answer = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    return answer["schema"] | {"components": document["components"]}


def _unnamed(value: object, schema: dict, document: dict, where: str = "") -> list[str]:
    """The places in `value` its schema names no field for, with no description or type: a
    key its object's `properties` lacks, or an object typed only as `object`."""
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    arms = [a for a in schema.get("anyOf", []) if a.get("type") != "null"]
    if arms and value is not None:
        (schema,) = arms  # one arm besides null: a value or nothing
    if isinstance(value, list):
        return [x for v in value for x in _unnamed(v, schema["items"], document, where + "[]")]
    if not isinstance(value, dict):
        return []
    if "properties" not in schema:  # a map (name -> day) is typed by its values
        typed = isinstance(schema.get("additionalProperties"), dict)
        return [] if typed else [where or "the answer"]
    fields, out = schema["properties"], []
    for key, v in value.items():
        field = fields.get(key)
        if field is None or not field.get("description"):
            out.append(f"{where}.{key}")
        else:
            out += _unnamed(v, field, document, f"{where}.{key}")
    return out


def test_the_openapi_document_names_every_field_of_each_answer(tmp_path):
    """Each public route's 200 is a schema naming every field, its type and one line: it
    was `object` (`/search`: items `{"type": "object", "additionalProperties": true}`), so
    a generated client got `Any` (a developer's trial)."""
    document = TestClient(create_app(tmp_path)).get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    for path in PUBLIC:
        answer = _answer_schema(document, path)
        answer = answer.get("items") or answer
        assert "$ref" in answer, (path, answer)  # a named model, not `object`
        named = schemas[answer["$ref"].rsplit("/", 1)[1]]
        assert named["additionalProperties"] is False and named["description"], path
    for name in ("SearchHit", "ExpertRecord", "ExpertEvidence", "Health", "Facets", "Person"):
        for field, said in schemas[name]["properties"].items():
            typed = {"type", "anyOf", "$ref"} & said.keys()
            assert typed and "\n" not in said["description"], (name, field)
    hit = schemas["SearchHit"]["properties"]
    assert hit["corrected_query"]["anyOf"] == [{"type": "string"}, {"type": "null"}]
    assert hit["score"]["type"] == "number" and hit["line"]["type"] == "integer"
    assert "across" in schemas["Person"]["required"]


def test_every_public_answer_holds_only_the_fields_its_schema_names(client):
    """Real answers, validated against the served document: every field named and typed
    (JSON Schema), so a route sending a field its model lacks fails here (FastAPI refuses
    it, a 500, where it was sent unnamed)."""
    from jsonschema import Draft202012Validator

    document = client.get("/openapi.json").json()
    asked = [
        ("/health", {}),
        ("/facets", {}),
        ("/search", {"q": "how do I connect to the VPN from home"}),
        ("/search", {"q": "expnse polcy for hotels", "k": 5}),
        ("/search", {"q": "what is the canteen menu", "k": 3}),
        ("/search", {"q": "PII_READER", "k": 3}),
        ("/experts", {"q": "carier boking"}),
        ("/experts", {"q": "who approves my expense claims and what can I claim", "k": 10}),
        ("/experts", {"q": "what is the canteen menu"}),
    ]
    asked += [("/people/" + name, {}) for name in client.get("/facets").json()["author"]]
    for url, params in asked:
        answer = client.get(url, params=params)
        assert answer.status_code == 200, (url, answer.text)
        path = "/people/{name}" if url.startswith("/people/") else url
        schema = _answer_schema(document, path)
        errors = [e.message for e in Draft202012Validator(schema).iter_errors(answer.json())]
        assert not errors, (url, params, errors[:3])
        assert not _unnamed(answer.json(), schema, document), (url, params)


def test_every_422_has_one_shape_and_a_parameter_no_route_takes_is_one(client):
    # A trial: `q=` gave a list and `q=%20` a string, and `/experts?author=` answered
    # everyone, unfiltered. A script reads one shape for a 422, naming the parameter.
    for path, params, loc in [
        ("/search", {"q": ""}, ["query", "q"]),
        ("/search", {"q": "   "}, ["query", "q"]),
        ("/experts", {"q": "vpn", "author": "Tomasz Nowak"}, ["query", "author"]),
        ("/search", {"q": "vpn", "departmnet": "IT"}, ["query", "departmnet"]),
        ("/people/goconnor", {"k": "3"}, ["query", "k"]),
        # The blank one is named, not "q" (a hostile trial: "q is blank" for a blank team).
        ("/app/onboard", {"name": "Alex", "team": " "}, ["query", "team"]),
        ("/app/onboard", {"name": " ", "team": "finance"}, ["query", "name"]),
    ]:
        res = client.get(path, params=params)
        assert res.status_code == 422, (path, params)
        (error,) = res.json()["detail"]
        assert error["loc"] == loc and error["msg"], (path, error)
    said = client.get("/experts", params={"q": "vpn", "author": "x"}).json()["detail"][0]["msg"]
    assert "does not take 'author'" in said and "department" in said  # what it does take
    # The app's own routes take what the app sends; the docs page what a browser adds.
    assert client.get("/app/search", params={"q": "vpn", "k": 3}).status_code == 200
    assert client.get("/docs", params={"utm_source": "wiki"}).status_code == 200


def test_an_unknown_filter_value_lists_the_known_ones(client):
    said = client.get("/search", params={"q": "vpn", "department": "Marketing"}).json()
    assert said["detail"].startswith("department 'Marketing' is not in the index")
    assert "known: Business, IT" in said["detail"]


def test_a_token_is_required_on_every_request_when_set(bundled_index):
    client = TestClient(create_app(bundled_index, token="s3cret"))
    for path in ("/health", "/search?q=vpn", "/experts?q=vpn", "/people/goconnor", "/app/people"):
        assert client.get(path).status_code == 401, path
        wrong = client.get(path, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
        right = client.get(path, headers={"Authorization": "Bearer s3cret"})
        assert right.status_code == 200, path
    lower = client.get("/health", headers={"Authorization": "bearer s3cret"})
    assert lower.status_code == 200  # the scheme is case-insensitive
    assert client.get("/health", headers={"Authorization": "Basic s3cret"}).status_code == 401


def test_no_index_is_a_503_with_the_fix(tmp_path):
    response = TestClient(create_app(tmp_path / "none")).get("/health")
    assert response.status_code == 503 and "run 'kb index" in response.json()["detail"]


# The schema is read when this module is imported; the app loads its index only on the
# first request, by which time the fixture below has put the bundled index in place.
_GENERATED = Path(tempfile.mkdtemp(prefix="kb-api-")) / "index"
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(_GENERATED))


@pytest.fixture(scope="module")
def generated_index(bundled_index):
    shutil.copytree(bundled_index, _GENERATED, dirs_exist_ok=True)
    yield _GENERATED
    shutil.rmtree(_GENERATED.parent, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=40, deadline=None)
def test_generated_requests_never_get_a_server_error(case, generated_index):
    case.call_and_validate(checks=[not_a_server_error])


def test_kb_serve_runs_two_workers_over_one_index(bundled_index):
    port = free_port()
    env = {**os.environ, "KB_API_TOKEN": "t0k"}
    kb = str(Path(sys.executable).parent / "kb")  # the installed command
    cmd = [kb, "serve", "--port", str(port), "--workers", "2"]
    server = subprocess.Popen(
        [*cmd, "--index-dir", str(bundled_index)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        url, auth = f"http://127.0.0.1:{port}", {"Authorization": "Bearer t0k"}
        deadline = time.time() + 180
        while time.time() < deadline:
            try:
                if httpx.get(f"{url}/health", headers=auth, timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(1)
        else:
            pytest.fail("kb serve did not answer within 180 s")
        hits = httpx.get(f"{url}/search", params={"q": "vpn"}, headers=auth, timeout=60)
        assert hits.status_code == 200 and hits.json()[0]["path"] == "security/vpn-access.md"
        assert httpx.get(f"{url}/health", timeout=5).status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=60)


@pytest.mark.parametrize("workers", [1, 2])
def test_kb_serve_logs_each_request_without_its_query(tmp_path, workers):
    # uvicorn's access log wrote every search with its words and the caller's address
    # ("GET /search?q=...&author=..."), where nothing is logged unless KB_SEARCH_LOG says
    # so, and a credential pasted into a search is redacted there (an admin trial).
    port = free_port()
    kb = str(Path(sys.executable).parent / "kb")  # the installed command
    cmd = [kb, "serve", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(
        [*cmd, "--index-dir", str(tmp_path / "index")],  # no index yet: 503, nothing loads
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url, deadline = f"http://127.0.0.1:{port}", time.time() + 120
        while time.time() < deadline:
            try:
                httpx.get(f"{url}/health", timeout=5)
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("kb serve did not answer within 120 s")
        params = {"q": "maternity pay ghp_R4nd0mLooK1ngT0kenV4lue1234567890abc", "k": "3"}
        assert httpx.get(f"{url}/search", params=params, timeout=30).status_code == 503
    finally:
        server.terminate()
        log, _ = server.communicate(timeout=60)
    assert '"GET /search HTTP/1.1" 503' in log, log
    # It names what it serves and whether a token guards it (an admin's log said neither).
    said = f"kb serve: the index in {tmp_path / 'index'}/, reloaded after each build; no token"
    assert said in log, log
    assert "maternity" not in log and "ghp_" not in log and "k=3" not in log, log


def test_every_hit_carries_its_edit_link_in_the_api_and_the_cli(bundled_index):
    import json

    from click.testing import CliRunner

    from kb.cli import cli
    from kb.links import PageLinks

    edit = "https://git.example/docs/edit/main/content/{path}"
    api = TestClient(create_app(bundled_index, links=PageLinks(edit=edit)))
    hits = api.get("/search", params={"q": "expense policy"}).json()
    assert hits and all(h["edit_url"] == edit.format(path=h["path"]) for h in hits)
    out = CliRunner(env={"KB_EDIT_URL": edit}).invoke(
        cli, ["search", "expense policy", "--index-dir", str(bundled_index), "--json"]
    )
    assert [h["edit_url"] for h in json.loads(out.output)] == [h["edit_url"] for h in hits]
    bad = CliRunner(env={"KB_EDIT_URL": "https://git.example/no-path"}).invoke(
        cli, ["search", "expense policy", "--index-dir", str(bundled_index), "--json"]
    )
    assert bad.exit_code != 0 and "KB_EDIT_URL must hold {path} once" in bad.output
    plain = TestClient(create_app(bundled_index)).get("/search", params={"q": "expense"})
    assert all(h["edit_url"] is None for h in plain.json())


def test_experts_of_any_of_several_teams_and_how_sure(client):
    """`team` repeated is any of those teams, as `kb experts --team a --team b`; each person
    says how sure kb is of their best section (a trial read a relative 1.00 as certainty)."""
    q = {"q": "discount approval"}
    both = client.get("/experts", params={**q, "team": ["finance", "sales"]}).json()
    one = client.get("/experts", params={**q, "team": "sales"}).json()
    assert {p["team"] for p in both} == {"finance", "sales"}
    assert {p["name"] for p in one} < {p["name"] for p in both}
    assert all(0 < p["relevance"] <= p["confidence"] <= 1 for p in both)
    bad = client.get("/experts", params={**q, "team": ["finance", "slaes"]})
    assert bad.status_code == 400 and "did you mean 'sales'" in bad.json()["detail"]
    weak = client.get("/experts", params={"q": "revenue recognition"}).json()
    assert weak and max(p["confidence"] for p in weak) < 0.65
    # Said as `kb experts --json` says it: on each record of the list.
    assert all(p["weak_evidence"] is True for p in weak)
    assert not any(p["weak_evidence"] for p in both)


def test_a_parameter_given_twice_is_refused_unless_it_takes_a_list(client):
    # A trial: `/search?q=vpn&q=okta` searched "okta" alone and said nothing.
    res = client.get("/search", params=[("q", "vpn"), ("q", "okta")])
    (error,) = res.json()["detail"]
    assert res.status_code == 422 and error["type"] == "repeated_parameter"
    assert error["loc"] == ["query", "q"] and error["input"] == ["vpn", "okta"]
    many = [("q", "supplier onboarding"), ("balance", "private.gender"), ("balance", "level")]
    assert client.get("/app/team", params=many).status_code == 200


def test_the_author_filter_takes_who_the_people_route_takes_and_no_one_hidden(
    tmp_path, real_embedder
):
    # A trial: `/people/tomasz` showed Tomasz Nowak while `/search?author=tomasz` was a 422;
    # the filter takes a first or last name only one person has, an alias or a contact, as
    # `/people/` does, and a hidden person is as unknown to both as no one at all.
    content = tmp_path / "content"
    write(
        content / "people.yaml",
        "people:\n  - name: Tomasz Nowak\n    aliases: [tnowak]\n    contact: tomasz@x.example\n"
        "  - name: Ines Park\n    aliases: [ipark]\n    contact: ines@x.example\n"
        "    hide_from_expert_search: true\n",
    )
    write(content / "it/vpn.md", page("VPN", "Tomasz Nowak", "Split tunnel", "Okta sign-in"))
    write(content / "it/wifi.md", page("Wifi", "Ines Park", "Guest wifi", "Roaming"))
    write(content / "hr/leave.md", page("Leave", "Ana Ruiz", "Annual leave", team="hr"))
    build_index(content, tmp_path / "index", real_embedder, Settings())
    api = TestClient(create_app(tmp_path / "index"))
    for called in ("tomasz", "Nowak", "tnowak", "tomasz@x.example", " tomasz nowak "):
        assert api.get(f"/people/{called.strip()}").json()["name"] == "Tomasz Nowak"
        hits = api.get("/search", params={"q": "tunnel", "author": called})
        assert hits.status_code == 200, (called, hits.text)
        assert {h["path"] for h in hits.json()} == {"it/vpn.md"}, called
        experts = api.get("/app/search", params={"q": "tunnel", "author": called})
        assert experts.status_code == 200, (called, experts.text)
    nobody = api.get("/search", params={"q": "wifi", "author": "zed"})
    assert nobody.status_code == 400
    for hidden in ("ines", "Ines Park", "ipark", "ines@x.example", "park"):
        assert api.get(f"/people/{hidden}").status_code == 404, hidden
        refused = api.get("/search", params={"q": "wifi", "author": hidden})
        assert refused.status_code == 400, hidden
        said = refused.json()["detail"]
        assert said == nobody.json()["detail"].replace("'zed'", repr(hidden)), said
        assert "Park" not in said.replace(hidden, "") and "ines@" not in said.replace(hidden, "")


def test_partners_are_of_whom_the_name_means_as_the_profile_is(client):
    # A trial: `/app/profiles/goconnor` showed Grace O'Connor, `/app/partners/goconnor` gave
    # no one (it asked for the partners of "goconnor"), where /people/goconnor lists hers.
    hers = client.get("/app/partners/Grace O'Connor").json()
    assert hers and client.get("/people/goconnor").json()["across"]
    for called in ("goconnor", "grace", "o'connor"):
        assert client.get(f"/app/partners/{called}").json() == hers, called
    assert client.get("/app/partners/nobody-here").status_code == 404


def test_a_round_past_the_last_is_refused_alike_in_every_shell(client, bundled_index):
    """An attack: `/app/pairs?seed=` took any number (`10**50` answered a round of that
    number) and `kb pairs --round` too, where the app's link and MCP stop at round
    1,000,000, and the app's link reader raised on a number of 5,000 digits (Python reads
    at most 4,300). One bound, `kb.inputs.MAX_ROUND`, for every shell: a 422, a usage
    error, the link's note."""
    from click.testing import CliRunner

    from kb.app.linked import whole
    from kb.cli import cli
    from kb.inputs import MAX_ROUND

    assert client.get("/app/pairs", params={"seed": MAX_ROUND}).status_code == 200
    for seed in (MAX_ROUND + 1, 10**50, "9" * 5000):
        answer = client.get("/app/pairs", params={"seed": seed})
        assert answer.status_code == 422, (str(seed)[:20], answer.text[:200])
    res = CliRunner().invoke(
        cli, ["pairs", "--round", str(10**50), "--index-dir", str(bundled_index)]
    )
    assert res.exit_code == 2 and "0<=x<=1000000" in res.output, res.output
    for given in ("9" * 5000, str(MAX_ROUND + 1)):
        taken, said = whole({"round": given}, "round", "Round", 0, 0, MAX_ROUND)
        assert taken == 0 and said.endswith("is not a whole number from 0 to 1,000,000"), said
