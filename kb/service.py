"""Wiring for querying: a loaded index plus a model, answering searches and expert lookups."""

from __future__ import annotations

from pathlib import Path

from kb.config import Settings
from kb.embed import Embedder
from kb.experts import home_teams, rank_experts
from kb.models import Expert, Filters, Hit, person_key
from kb.search import Searcher
from kb.store import load_index


class KnowledgeBase:
    """The query side of kb: `search` for sections, `experts` for people."""

    def __init__(self, index_dir: Path, embedder: Embedder, settings: Settings) -> None:
        self.index_dir = index_dir
        self.settings = settings
        self.stored = load_index(index_dir, model_name=embedder.name, dim=embedder.dim)
        self._searcher = Searcher(self.stored, embedder)
        self._teams = home_teams(self.stored.chunks)

    @property
    def manifest(self) -> dict:
        return self.stored.manifest

    def search(self, query: str, *, k: int = 10, filters: Filters | None = None) -> list[Hit]:
        return self._searcher.search(query, k=k, filters=filters)

    def experts(
        self, query: str, *, k: int = 5, filters: Filters | None = None, team: str = ""
    ) -> list[Expert]:
        """People who wrote the sections that best answer `query`; `team` keeps one home team."""
        s = self.settings
        hits = self._searcher.search(query, k=s.expert_pool, filters=filters)
        people = rank_experts(
            hits,
            k=len(hits) * 4 if team else k,
            temperature=s.expert_temperature,
            evidence_per_expert=s.evidence_per_expert,
            teams=self._teams,
        )
        if team:
            people = [p for p in people if p.team.casefold() == team.casefold()]
        return people[:k]

    def team_of(self, name: str) -> str:
        return self._teams.get(person_key(name), "")
