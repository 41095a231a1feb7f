"""One protocol for every shell: the local knowledge base and the HTTP client answer the same
verbs with the same parameters (kb.facade.Facade)."""

from __future__ import annotations

import inspect

import pytest

from kb.facade import Facade
from kb.serve.client import RemoteKnowledgeBase
from kb.service import KnowledgeBase

PROPERTIES = sorted(
    name for name, member in inspect.getmembers(Facade) if isinstance(member, property)
)
VERBS = sorted(
    name
    for name, _ in inspect.getmembers(Facade)
    if not name.startswith("_") and name not in PROPERTIES
)


def _parameters(cls, verb: str) -> dict[str, inspect.Parameter]:
    sig = inspect.signature(getattr(cls, verb))
    return {p.name: p for p in sig.parameters.values() if p.name != "self"}


@pytest.mark.parametrize("verb", VERBS)
@pytest.mark.parametrize("cls", [KnowledgeBase, RemoteKnowledgeBase])
def test_every_knowledge_base_answers_every_verb_with_the_protocols_parameters(cls, verb):
    theirs, wanted = _parameters(cls, verb), _parameters(Facade, verb)
    assert [(p.name, p.kind, p.default) for p in wanted.values()] == [
        (p.name, p.kind, p.default) for p in theirs.values() if p.name in wanted
    ]
    # An implementation may take more options than the protocol names (a local profile's
    # topic count), as keywords with a default, so a call written to the protocol works.
    extra = [p for p in theirs.values() if p.name not in wanted]
    assert all(p.kind is p.KEYWORD_ONLY and p.default is not p.empty for p in extra)


@pytest.mark.parametrize("name", PROPERTIES)
@pytest.mark.parametrize("cls", [KnowledgeBase, RemoteKnowledgeBase])
def test_every_knowledge_base_has_the_protocols_properties(cls, name):
    assert isinstance(getattr(cls, name, None), property)


def test_the_protocol_names_the_verbs_the_shells_use():
    assert {"search", "experts", "profile", "team", "gaps", "pairs", "partners"} <= set(VERBS)
