"""The verbs every knowledge base answers, local or over HTTP: what the shells may call.

`kb.service.KnowledgeBase` answers them from a loaded index; `kb.serve.client.
RemoteKnowledgeBase` asks a `kb serve` API. The CLI, the app and the HTTP routes are written
against this protocol only, so a feature is added in one place and reaches every shell.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Protocol, runtime_checkable

from kb.models import (
    Barcamp,
    Experts,
    Filters,
    GapReport,
    Manifest,
    OnboardingPlan,
    Overview,
    Page,
    Pair,
    Pairing,
    Profile,
    Results,
    TeamCriteria,
    TeamProposal,
)


@runtime_checkable
class Facade(Protocol):
    """Search, people and the people-side analysis of one index."""

    @property
    def manifest(self) -> Manifest: ...

    @property
    def build(self) -> str:
        """Which build of the index answers (its manifest's build id): it changes whenever
        a new build is loaded, so what a shell keeps of an answer is kept under it."""
        ...

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        filters: Filters | None = None,
        mode: str = "",
        log: bool = False,
        exact: bool = False,
    ) -> Results: ...

    def log_search(
        self, query: str, *, filters: Filters | None = None, exact: bool = False
    ) -> bool: ...

    def report_missing(self, query: str, *, filters: Filters | None = None) -> bool: ...

    def experts(
        self,
        query: str,
        *,
        k: int = 5,
        filters: Filters | None = None,
        team: str = "",
        department: str = "",
        across_from: str = "",
        mode: str = "",
        model: str = "",
        exact: bool = False,
    ) -> Experts: ...

    def loosen(self, query: str, filters: Filters) -> list[str]: ...

    def facets(self) -> dict[str, list[str]]: ...

    def facet_counts(self, filters: Filters | None = None) -> dict[str, dict[str, int]]: ...

    def overview(
        self, *, filters: Filters | None = None, today: date, log: Path | None = None, top: int = 6
    ) -> Overview: ...

    def people(self) -> list[str]: ...

    def profile(self, name: str) -> Profile | None: ...

    def page(self, path: str) -> Page | None: ...

    def titles(self) -> dict[str, str]: ...

    def team(
        self, description: str, *, size: int = 4, criteria: TeamCriteria | None = None
    ) -> TeamProposal: ...

    def barcamp(
        self, *, slots: int, rooms: int, log: Path | None = None, day: date | None = None
    ) -> Barcamp: ...

    def onboard(self, name: str, *, team: str, today: date) -> OnboardingPlan: ...

    def gaps(self, *, today: date, log: Path | None = None, top: int = 20) -> GapReport: ...

    def pairs(
        self,
        kind: str,
        *,
        seed: int = 0,
        avoid: frozenset[frozenset[str]] = frozenset(),
        today: date | None = None,
        new: bool = False,
        teams: tuple[str, ...] = (),
    ) -> Pairing: ...

    def partners(self, name: str) -> tuple[Pair, ...]: ...
