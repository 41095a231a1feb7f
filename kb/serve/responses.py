"""What the public routes answer, as the OpenAPI document names it, and what MCP's
tools answer, as their output schemas name it: a pydantic model of each
shape `kb.serve.codec` writes, every field with its JSON type and one line.

The records stay the codec's (the CLI's `--json` prints the same); these only describe them,
so a generated client knows the fields (it got `Any`: a developer's trial). FastAPI checks
each answer against its model, so a field the model does not list is a server error, never
sent unnamed, and writes it in the model's field order, which is the codec's: the JSON is
unchanged. A profile and its pairs are `dump`s of value types (`Profile`, `Pair`, ...): their
models are read from the dataclasses' fields and types, only the descriptions are here.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, create_model

from kb.models import (
    Barcamp,
    Colleague,
    CriterionCheck,
    Evidence,
    OnboardingPlan,
    PageCredit,
    Pair,
    Pairing,
    Profile,
    TeamProposal,
)
from kb.models.reports import Cover, Introduction, ReadingStep, Session

# A score or share: JSON's number, written as the codec holds it (pydantic's `float` would
# turn a whole number into 1.0, and the JSON would change).
Number = Annotated[int | float, WithJsonSchema({"type": "number"})]


class Answer(BaseModel):
    """An answer's fields are all listed: one not here is refused, not passed on."""

    model_config = ConfigDict(extra="forbid")


def _said(text: str) -> Any:
    return Field(description=text)


def _sometimes(text: str) -> Any:
    """A field an answer holds only at times (absent otherwise, never null)."""
    return Field(None, description=text)


class SearchHit(Answer):
    """One section that matches the query (`kb search --json` prints the same)."""

    path: str = _said("The page's path in the content folder.")
    title: str = _said("The page's title.")
    heading: str = _said("The section's heading (empty for the text before the first one).")
    line: int = _said("The line the section starts on in the page file.")
    score: Number = _said("The ranking's score; it means nothing outside one list.")
    relevant: bool = _said("Whether the section answers the query (confidence past the cut).")
    confidence: Number = _said("How sure kb is that the section answers the query (0-1).")
    corrected_query: str | None = _said("The query searched when spelling correction changed it.")
    snippet: str = _said("The section's text around the query's words.")
    answer: str = _said("The snippet's sentence that answers; empty on a hit not relevant.")
    team: str = _said("The page's team.")
    department: str = _said("The page's department (IT or Business).")
    tags: list[str] = _said("The page's tags.")
    authors: list[str] = _said("The section's authors, most of it first.")
    authors_left: dict[str, str] = _said("Authors who have left, each with the day they left.")
    authors_leaving: dict[str, str] = _said("Authors leaving on a day to come, with that day.")
    edit_url: str | None = _said("The page's edit link (KB_EDIT_URL), null when none is set.")


class ExpertEvidence(Answer):
    """A section that shows an expert knows the query."""

    path: str = _said("The page's path in the content folder.")
    title: str = _said("The page's title.")
    heading: str = _said("The section's heading.")
    score: Number = _said("The section's score for the query.")
    confidence: Number = _said("How sure kb is that the section answers the query (0-1).")
    line: int = _said("The line the section starts on in the page file.")


class ExpertRecord(Answer):
    """A person who wrote what answers the query (`kb experts --json` prints the same)."""

    name: str = _said("Their name.")
    team: str = _said("Their home team.")
    department: str = _said("Their department (IT or Business).")
    role: str = _said("Their role (people.yaml; empty when it lists none).")
    available_for: list[str] = _said("What they are available for: tandem, coffee...")
    contact: str = _said("How to reach them (people.yaml; empty when none or they have left).")
    left: str = _said("The day they left the company; empty while they are here.")
    leaves: str = _said("The day they leave, when they have given notice; empty otherwise.")
    score: Number = _said("The ranking's votes; they mean nothing outside one list.")
    confidence: Number = _said("How sure kb is that their best section answers it (0-1).")
    relevance: Number = _said("The app's bar (0-1): votes over the best's, times confidence.")
    evidence: list[ExpertEvidence] = _said("The sections that show it, best first.")
    weak_evidence: bool = _said("True on every record when the best section barely answers.")
    corrected_query: str | None = _said("The query asked when spelling correction changed it.")


class LinkedHit(SearchHit):
    """A section as MCP's search_docs gives it: a hit with its page's links."""

    link: str = _said("The page as an MCP resource (kb://page/...), readable with get_page.")
    app_url: str | None = _said("The page in the app (KB_APP_URL), null when none is set.")


class LinkedEvidence(ExpertEvidence):
    """A section that shows an expert knows the query, with its page's links."""

    link: str = _said("The page as an MCP resource (kb://page/...), readable with get_page.")
    app_url: str | None = _said("The page in the app (KB_APP_URL), null when none is set.")
    edit_url: str | None = _said("The page's edit link (KB_EDIT_URL), null when none is set.")


class LinkedExpert(ExpertRecord):
    """An expert as MCP's who_knows gives them: each section with its page's links."""

    evidence: list[LinkedEvidence] = _said("The sections that show it, best first.")


class FoundDocs(Answer):
    """MCP's search_docs: the sections for a query, relevant ones first."""

    query: str = _said("The query as asked.")
    corrected_query: str | None = _said("The query searched when spelling correction changed it.")
    answered: bool = _said("Whether any section answers; when false, say so rather than guess.")
    results: list[LinkedHit] = _said("The sections, relevant ones first.")
    relevant_elsewhere: dict[str, int] = _said(
        "Pages outside the filters that answer, by department, when none inside does."
    )
    colleagues_named: list[str] = _said("Colleagues the question names in full (get_person).")


class KnownPeople(Answer):
    """MCP's who_knows: the colleagues who wrote what answers a query, best first."""

    query: str = _said("The query as asked.")
    corrected_query: str | None = _said("The query asked when spelling correction changed it.")
    weak_evidence: bool = _said("True when even the best section barely answers.")
    experts: list[LinkedExpert] = _said("The people, best first; none when no one wrote of it.")


class Health(Answer):
    """Whether an index is loaded, and what it holds."""

    status: str = _said('"ok" when an index is loaded (a 503 says what to run otherwise).')
    pages: int = _said("The pages in the index.")
    chunks: int = _said("The sections (chunks) in the index.")
    built_at: str = _said("When the loaded build was made (ISO 8601).")
    loading: bool = _said("Whether a newer build is being loaded (this one answers meanwhile).")
    newer_build: str = _sometimes("Only when the newest build failed to load: why, what to run.")
    read_before: str = _sometimes("Only when another kb read the pages: what to run to read them.")


class Facets(Answer):
    """The values each filter takes (no one hidden), as MCP's list_facets."""

    department: list[str] = _said("The departments pages belong to.")
    team: list[str] = _said("The teams pages belong to.")
    tag: list[str] = _said("The pages' tags.")
    author: list[str] = _said("The people who wrote pages (the author filter's values).")


def _json_type(kind: Any, models: dict[type, type[BaseModel]]) -> Any:
    """The JSON form of a value type's field, as `dump` writes it: tuples and sets are
    lists, floats numbers, dataclasses their models."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        return typing.Union[tuple(_json_type(a, models) for a in args)]  # noqa: UP007
    if origin in (tuple, list, set, frozenset):
        return list[_json_type(args[0], models)]
    if origin is dict:
        return dict[args[0], _json_type(args[1], models)]
    if kind is float:
        return Number
    return models.get(kind, kind)


def _described(
    kind: type,
    said: dict[str, str],
    models: dict[type, type[BaseModel]],
    name: str = "",
    **more: Any,
) -> type[BaseModel]:
    """A model (named `name`, else as `kind`) of value type `kind`'s `dump`: its fields, in
    order, each typed from its hint and described by `said` (which must name every field,
    and no other), then `more`."""
    names = [f.name for f in dataclasses.fields(kind)]
    if set(names) != set(said):
        raise TypeError(f"{kind.__name__}'s fields {names} are not those described {list(said)}")
    hints = typing.get_type_hints(kind)
    fields = {n: (_json_type(hints[n], models), _said(said[n])) for n in names}
    model = create_model(
        name or kind.__name__, __base__=Answer, __doc__=kind.__doc__, **fields, **more
    )
    models[kind] = model
    return model


_MODELS: dict[type, type[BaseModel]] = {}
_described(
    PageCredit,
    {
        "path": "The page's path in the content folder.",
        "title": "The page's title.",
        "team": "The page's team.",
        "updated": "The day the page was last changed (YYYY-MM-DD).",
        "share": "Their share of the page (0-1).",
    },
    _MODELS,
)
_described(
    Colleague,
    {
        "name": "Their name.",
        "team": "Their home team.",
        "department": "Their department (IT or Business).",
        "role": "Their role (people.yaml).",
        "leaves": "The day they leave, when they have given notice; empty otherwise.",
    },
    _MODELS,
)
_described(
    Evidence,
    {
        "path": "The page's path in the content folder.",
        "title": "The page's title.",
        "heading": "The section's heading.",
        "line": "The line the section starts on in the page file.",
        "score": "How close the section is to what the two have in common.",
        "confidence": "How sure kb is that the section answers what was asked (0-1; 0 for "
        "pairs, where nothing was).",
    },
    _MODELS,
)
_described(
    Pair,
    {
        "kind": "tandem, mentoring, reverse-mentoring, shadowing or coffee.",
        "first": "The IT side, or the mentor.",
        "second": "The other side, or the mentee.",
        "score": "How much the two have in common.",
        "terms": "What they both write about: titles, headings or tags.",
        "reason": "Why they should meet, in one line.",
        "evidence": "The closest sections of each, the first's then the second's.",
    },
    _MODELS,
)
Person = _described(
    Profile,
    {
        "name": "Their name.",
        "team": "Their home team.",
        "department": "Their department (IT or Business).",
        "pages": "The pages they wrote, with their share of each.",
        "topics": "What they write about: titles, headings and tags of their pages.",
        "teams": "The teams they have written for.",
        "last_update": "The day they last changed a page (YYYY-MM-DD).",
        "role": "Their role (people.yaml).",
        "available_for": "What they are available for: tandem, mentoring, coffee...",
        "tags": "Their pages' tags, weighted by their share.",
        "contact": "How to reach them (people.yaml; empty when none or they have left).",
        "level": "Their level (people.yaml).",
        "started": "The day they started (people.yaml).",
        "location": "Where they work (people.yaml).",
        "timezone": "Their time zone (people.yaml).",
        "languages": "The languages they speak (people.yaml).",
        "capacity": "Hours a month they give to programmes (people.yaml); null when not said.",
        "left": "The day they left the company; empty while they are here.",
        "leaves": "The day they leave, when they have given notice; empty otherwise.",
        "not_enrolled": "Why they take part in no programme (they opted out); empty otherwise.",
    },
    _MODELS,
    "Person",
    across=(list[_MODELS[Pair]], _said("Colleagues across the IT/business divide to meet.")),
)


class PageRecord(Answer):
    """MCP's get_page: a whole page as Markdown, with what it says about itself."""

    team: str = _said("The page's team.")
    tags: list[str] = _said("The page's tags.")
    authors: list[str] = _said("The page's authors, most of it first.")
    updated: str = _said("The day the page was last changed (YYYY-MM-DD).")
    review_by: str = _said("The day the page is due a review (YYYY-MM-DD); empty when not set.")
    department: str = _said("The page's department (IT or Business).")
    path: str = _said("The page's path in the content folder.")
    title: str = _said("The page's title.")
    owner: str = _said("Who owns the page (front matter); empty when not said.")
    markdown: str = _said("The page's text as Markdown, secrets redacted, hidden people withheld.")
    link: str = _said("The page as an MCP resource (kb://page/...).")
    app_url: str | None = _said("The page in the app (KB_APP_URL), null when none is set.")
    edit_url: str | None = _said("The page's edit link (KB_EDIT_URL), null when none is set.")


Pairs = _described(
    Pairing,
    {
        "kind": "tandem, mentoring, reverse-mentoring, shadowing or coffee.",
        "seed": "The round these pairs are (the same round gives the same pairs).",
        "pairs": "The pairs, each person in at most one.",
        "unpaired": "Available people no one across the divide fit.",
        "note": "What to know about the round as a whole; empty when nothing.",
        "why_unpaired": "What the unpaired lacked, in words; empty when no one is.",
    },
    _MODELS,
    "Pairs",
    round=(int, _said("The round asked for (as seed).")),
)
_described(
    Cover,
    {
        "subtopic": "A part of the project, in the pages' words.",
        "people": "The members who know it, best first.",
        "evidence": "The sections that show it.",
    },
    _MODELS,
)
_described(
    CriterionCheck,
    {
        "criterion": "The criterion as asked: department=IT:1, max-per-team 1...",
        "met": "Whether the team meets it.",
        "detail": "Why not, when it is not met; empty otherwise.",
    },
    _MODELS,
)
Team = _described(
    TeamProposal,
    {
        "description": "The project, as described.",
        "members": "The members, from both sides of the IT/business divide.",
        "covers": "Each part of the project and who on the team covers it.",
        "uncovered": "Parts no one in the docs covers.",
        "checks": "Whether each criterion asked for holds.",
        "balance": "One line per balance attribute, aggregate counts only.",
        "unstaffed": "Parts only people kb may not staff wrote about (who left...).",
        "left_out": "Those people, each with why.",
        "others": "People credited with a part who are not on the team, most credited first.",
    },
    _MODELS,
    "Team",
)
_described(
    Session,
    {
        "slot": "The time slot, from 1.",
        "room": "The room, from 1.",
        "title": "The session's title, in the pages' own words.",
        "speaker": "Who speaks: they wrote on it.",
        "why": "The demand: searched without a good answer, or known by one person only.",
        "audience": "Colleagues from the other department to invite.",
        "pages": "What the speaker wrote on it.",
        "demand": "Times it was searched (0 for a topic resting on one person).",
    },
    _MODELS,
)
BarcampPlan = _described(
    Barcamp,
    {
        "slots": "The time slots.",
        "rooms": "The rooms.",
        "sessions": "The proposed sessions, by slot and room.",
        "unscheduled": "Titles of proposals with no place left.",
        "searches_logged": "The searches in the search log the demand was read from.",
        "note": "What to know about the programme as a whole; empty when nothing.",
    },
    _MODELS,
    "BarcampPlan",
)
_described(
    ReadingStep,
    {
        "path": "The page's path in the content folder.",
        "title": "The page's title.",
        "why": "Why it comes here in the path.",
        "stale": "Why it may be out of date; empty when it is fresh.",
    },
    _MODELS,
)
_described(
    Introduction,
    {
        "kind": "buddy, across the divide, or system owner.",
        "colleague": "Whom to meet.",
        "why": "Why, in one line.",
        "evidence": "The pages that say why.",
    },
    _MODELS,
)
Onboarding = _described(
    OnboardingPlan,
    {
        "name": "Who joins.",
        "team": "The team they join.",
        "reading": "The pages to read, in order.",
        "people": "The colleagues to meet.",
        "note": "What to know about the plan as a whole; empty when nothing.",
    },
    _MODELS,
    "Onboarding",
)
