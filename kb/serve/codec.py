"""kb's value types as JSON, and back: the one codec of the CLI's `--json`, the HTTP API and
its client (`kb.serve.client`).

`dump` turns a dataclass (nested ones, tuples, dicts) into plain JSON values; `load` rebuilds
it from its type hints, so both ends share one definition: the dataclasses in `kb.models`.
Hits and experts also have a short public shape (`hit_record`, `expert_records`): what
`kb search --json`, `kb experts --json`, `/search` and `/experts` print.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, TypeVar

from kb.links import NO_LINKS, PageLinks
from kb.models import Directory, Expert, Experts, Hit, Pair, Profile, Results, TeamCriteria

T = TypeVar("T")
# The response header of every `/app` answer naming the index build that gave it (`Facade.
# build`): how the client learns that its server has loaded a new build.
BUILD_HEADER = "X-Kb-Build"


def dump(value: Any) -> Any:
    """Plain JSON values: dataclasses become objects, tuples and sets lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): dump(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [dump(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(dump(v) for v in value)
    return value


def load(kind: type[T] | Any, data: Any) -> T:
    """The value of type `kind` that `dump` turned into `data`."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return None if data is None else load(options[0], data)
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(load(args[0], v) for v in data)
        return tuple(load(a, v) for a, v in zip(args, data, strict=True))
    if origin in (list, frozenset, set):
        (arg,) = typing.get_args(kind)
        return origin(load(arg, v) for v in data)
    if origin is dict:
        key, value = typing.get_args(kind)
        return {load(key, k): load(value, v) for k, v in data.items()}
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        fields = {f.name for f in dataclasses.fields(kind) if f.init}
        return kind(**{k: load(hints[k], v) for k, v in data.items() if k in fields})
    if kind is float and isinstance(data, int):
        return float(data)
    return data


NO_ONE = Directory()


def hit_records(
    results: Results, links: PageLinks = NO_LINKS, directory: Directory = NO_ONE
) -> list[dict]:
    """`kb search --json` and `/search`: one record per hit, in the results' reading order."""
    return [hit_record(h, results.corrected, links, directory) for h in results]


def hit_record(
    hit: Hit, corrected: str = "", links: PageLinks = NO_LINKS, directory: Directory = NO_ONE
) -> dict:
    """A hit as scripts read it: the section's place, score, relevance, snippet (and the
    sentence of it that answers) and authors; `corrected_query` is the query searched when
    spelling correction changed it (else null); `edit_url` the page's edit link (KB_EDIT_URL,
    else null); `authors_left` and `authors_leaving` the authors who have left and who leave
    on a day to come (`directory`'s `left:`), each with the day, so that a script writes to
    no one gone."""
    c = hit.chunk
    left = {a.name: directory.left_on(a.name) for a in c.authors}
    leaving = {a.name: directory.leaves_on(a.name) for a in c.authors}
    return {
        "path": c.path,
        "title": c.title,
        "heading": c.heading,
        "line": c.line,
        "score": round(hit.score, 4),
        "relevant": hit.relevant,
        "confidence": round(hit.confidence, 4),
        "corrected_query": corrected or None,
        "snippet": hit.snippet,
        # The snippet's sentence that answers: "" when none, and on a hit that is not relevant,
        # whose closest sentence is no answer (a bot printing it answered what kb says nothing
        # answers: a developer's trial). The app still marks it on a folded card.
        "answer": hit.answer_text if hit.relevant else "",
        "team": c.team,
        "department": c.department,
        "tags": list(c.tags),
        "authors": [a.name for a in c.authors],
        "authors_left": {name: day for name, day in left.items() if day},
        "authors_leaving": {name: day for name, day in leaving.items() if day},
        "edit_url": links.edit_url(c.path) or None,
    }


def expert_records(people: Experts) -> list[dict]:
    """The experts' records (`expert_record`), each with `weak_evidence`: true, on every
    record, when no expert's best section reaches `WEAK` (`weakly_known`), so the names are
    the closest authors rather than people known to know, as the CLI text and the app say;
    and `corrected_query`, the query asked when spelling correction changed it (else null),
    as a search's hits have it. On each record, so that `kb experts --json` and `/experts`
    stay lists."""
    from kb.search.experts import weakly_known  # here: the HTTP client loads no numpy

    weak = weakly_known(people)
    said = {"weak_evidence": weak, "corrected_query": people.corrected or None}
    return [expert_record(p) | said for p in people]


def expert_record(person: Expert) -> dict:
    """An expert as scripts read it: evidence without its snippet; role, availability and
    contact from people.yaml ("", [] and "" for someone it does not list); `left`, the day
    they left the company ("" while they are here: someone who left has no availability or
    contact, and comes after everyone still here); `leaves`, the day they leave, while it is
    to come ("" otherwise). `score` is the ranking's votes, which mean nothing outside one
    list; `confidence`, how sure kb is that their best section answers (0-1); `relevance`,
    what the app's bar shows (`rated`: their votes over the best's, times `confidence`)."""
    return {
        "name": person.name,
        "team": person.team,
        "department": person.department,
        "role": person.role,
        "available_for": list(person.available_for),
        "contact": person.contact,
        "left": person.left,
        "leaves": person.leaves,
        "score": person.score,
        "confidence": person.confidence,
        "relevance": person.relevance,
        "evidence": [
            {
                k: v
                for k, v in dump(e).items()
                if k in ("path", "title", "heading", "score", "confidence")
            }
            | {"line": e.line}
            for e in person.evidence
        ],
    }


def person_record(profile: Profile, across: tuple[Pair, ...]) -> dict:
    """A profile with the colleagues across the divide (`kb person --json`, `/people/{name}`)."""
    return dump(profile) | {"across": dump(across)}


def criteria_params(criteria: TeamCriteria | None) -> dict[str, Any]:
    """Team criteria as `/team` takes them (and `kb team` spells them)."""
    if not criteria:
        return {}
    c = criteria
    params: dict[str, Any] = {
        "require": [str(r) for r in c.require],
        "max_per_team": c.max_per_team,
        "level_mix": c.level_mix or None,
        "timezone_within": c.timezone_within,
        "languages": ",".join(c.languages) or None,
        "balance": list(c.balance),
    }
    return {k: v for k, v in params.items() if v not in (None, [])}


def earlier_pairs(data: Any) -> set[frozenset[str]]:
    """The pairs of a round `dump` wrote (`kb pairs --json`); KeyError or TypeError if `data`
    is not one."""
    return {frozenset((p["first"]["name"], p["second"]["name"])) for p in data["pairs"]}
