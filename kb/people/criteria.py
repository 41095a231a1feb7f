"""Team criteria set in advance: which candidates may join, what the team still needs, and
the report of what was met.

Hard criteria either hold for the proposed team or are reported with why not. Those that a
new member can only break (most per team, time zones, a shared language) filter each
candidate; those that members fulfil (`--require`, a mix of levels) reserve the last places
for people who fulfil them. Balance is soft: among candidates who add about as much, one
from a group the team has fewest of counts `BALANCE` more. Private groups are reported only
as counts, and only when every reported group has at least `SMALLEST_GROUP` people.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace

from kb.content import directory_fields
from kb.content.departments import side_named
from kb.inputs import CriteriaError, held_by
from kb.models import (
    CriterionCheck,
    Directory,
    Home,
    Person,
    Requirement,
    TeamCriteria,
    hours_apart,
    level_rank,
    person_key,
)

BALANCE = 0.3
SMALLEST_GROUP = 3


class Rules:
    """One team's criteria over the people of one directory."""

    def __init__(
        self, criteria: TeamCriteria, directory: Directory, homes: Mapping[str, Home]
    ) -> None:
        self.criteria = _as_directory_reads(criteria)
        self._pool: list[str] | None = None  # who could join (`consider`)
        self.homes = homes
        self.listed: dict[str, Person] = {}
        for person in directory.people:
            for key in person.identities():
                self.listed[key] = person

    def _person(self, key: str) -> Person:
        return self.listed.get(key) or Person(key)

    def fulfils(self, key: str, need: Requirement) -> bool:
        """Whether one person counts toward a requirement."""
        person, home = self._person(key), self.homes.get(key, Home())
        value = need.value.casefold()
        if need.field == "department":
            return home.department.casefold() == value
        if need.field == "team":
            return home.team.casefold() == value
        if need.field == "level":
            rank = level_rank(person.level)
            return rank is not None and rank == level_rank(need.value)
        if need.field == "language":
            return value.split("-")[0] in {t.casefold().split("-")[0] for t in person.languages}
        return person.location.casefold() == value  # location

    def consider(self, candidates: Sequence[str]) -> None:
        """Who could join: a requirement no one left can fulfil reserves no place."""
        self._pool = list(candidates)

    def missing(self, team: Sequence[str]) -> int:
        """How many more members the requirements and the level mix still need (as far as
        the candidates can give them)."""
        # Only people the filters would let join can fill a reserved place.
        pool = self._pool
        if pool is not None:
            pool = [k for k in pool if k not in team and self._admissible(team, k)]
        short = 0
        for need in self.criteria.require:
            have = sum(self.fulfils(m, need) for m in team)
            want = need.count - have
            if pool is not None:
                want = min(want, sum(self.fulfils(k, need) for k in pool))
            short += max(0, want)
        if self.criteria.level_mix:
            levels = self._levels(team)
            more = set(self._levels(pool)) - levels if pool is not None else {0.0, 1.0}
            short += min(max(0, 2 - len(levels)), len(more))
        return short

    def fills(self, team: Sequence[str], key: str) -> bool:
        """Whether `key` gives the team something a criterion still needs."""
        return self.missing([*team, key]) < self.missing(team)

    def allows(self, team: Sequence[str], key: str, places: int) -> bool:
        """Whether `key` may join `team` with `places` places left (this one included)."""
        if not self._admissible(team, key):
            return False
        # The last places go to people who fulfil what the team still misses.
        return self.missing(team) < places or self.fills(team, key)

    def _admissible(self, team: Sequence[str], key: str) -> bool:
        """Whether `key` joining breaks none of the criteria a member can only break."""
        c = self.criteria
        if c.max_per_team is not None:
            home = self.homes.get(key, Home()).team
            if home and sum(self.homes.get(m, Home()).team == home for m in team) >= c.max_per_team:
                return False
        if c.timezone_within is not None:
            zone = self._person(key).timezone
            if hours_apart(zone, zone) is None:  # no timezone in people.yaml
                return False
            for m in team:
                apart = hours_apart(zone, self._person(m).timezone)
                if apart is None or apart > c.timezone_within:
                    return False
        return not (c.languages and not self._common([*team, key]))

    def bonus(self, team: Sequence[str], key: str) -> float:
        """The balance weight of adding `key`: 1 + BALANCE when one of their private groups
        is among the least represented on the team so far (of the groups candidates have)."""
        for attribute in self.criteria.balance:
            group = dict(self._person(key).private).get(attribute)
            if group is None:
                continue
            counts = Counter(dict(self._person(m).private).get(attribute) for m in team)
            pool = self._pool or list(self.listed)
            known = {g for k in pool if (g := dict(self._person(k).private).get(attribute))}
            if counts[group] == min(counts[g] for g in known | {group}):
                return 1 + BALANCE
        return 1.0

    def checks(self, team: Sequence[str], candidates: Sequence[str]) -> tuple[CriterionCheck, ...]:
        """One line per hard criterion: met, or why not (`candidates`: who could cover a part;
        said as such: "the people who know about this" read as everyone `kb experts` lists,
        which a trial found larger)."""
        c, out = self.criteria, []
        for need in c.require:
            have = sum(self.fulfils(m, need) for m in team)
            could = sum(self.fulfils(k, need) for k in candidates)
            detail = (
                ""
                if have >= need.count
                else (
                    f"{have} of {need.count}: only {could} of the {len(candidates)} people "
                    f"credited with a part {'has' if could == 1 else 'have'} {need.field} "
                    f"{need.value}"
                )
            )
            out.append(CriterionCheck(str(need), have >= need.count, detail))
        if c.max_per_team is not None:
            teams = Counter(self.homes.get(m, Home()).team for m in team)
            worst = max((n for t, n in teams.items() if t), default=0)
            out.append(CriterionCheck(f"max-per-team {c.max_per_team}", worst <= c.max_per_team))
        if c.level_mix:
            levels = self._levels(team) if team else set()
            out.append(
                CriterionCheck(
                    "level-mix",
                    len(levels) >= 2,
                    "" if len(levels) >= 2 else self._why_no_mix(candidates),
                )
            )
        if c.timezone_within is not None:
            zones = [self._person(m).timezone for m in team]
            gaps = [hours_apart(a, b) for a in zones for b in zones]
            met = bool(team) and None not in gaps and max(gaps, default=0.0) <= c.timezone_within
            unknown = sum(not self._person(k).timezone for k in candidates)
            note = f"{unknown} of {len(candidates)} candidate(s) have no timezone in people.yaml"
            out.append(
                CriterionCheck(
                    f"timezone-within {c.timezone_within:g}", met, note if unknown else ""
                )
            )
        if c.languages:
            common = self._common(team) if team else set()
            unknown = sum(not self._person(k).languages for k in candidates)
            speakers = sum(bool(self._common([k])) for k in candidates)
            detail = (
                f"shared: {', '.join(sorted(common))}"
                if common
                else f"{speakers} of {len(candidates)} people credited with a part speak one"
            )
            if unknown:
                detail += f"; {unknown} list no language in people.yaml"
            out.append(CriterionCheck(f"languages {','.join(c.languages)}", bool(common), detail))
        return tuple(out)

    def balance_report(self, team: Sequence[str]) -> tuple[str, ...]:
        """Per balance attribute, the team's group sizes: counts only, never a value, and only
        when the team holds at least two declared groups and every group (those not declaring
        included) has `SMALLEST_GROUP` people: one group would say they all share a value."""
        lines = []
        declared = {a for p in self.listed.values() for a, _ in p.private}
        for attribute in self.criteria.balance:
            counts = Counter(dict(self._person(m).private).get(attribute) for m in team)
            sizes = sorted((n for g, n in counts.items() if g is not None), reverse=True)
            if attribute not in declared:
                text = f"private.{attribute}: no one in the directory declares it"
            elif len(sizes) >= 2 and all(n >= SMALLEST_GROUP for n in counts.values()):
                text = f"private.{attribute}: groups of {' and '.join(map(str, sizes))}"
                undeclared = counts.get(None, 0)
                text += f", {undeclared} not declared" if undeclared else ""
            else:
                text = (
                    f"private.{attribute}: weighed as far as the candidates allow; counts "
                    f"withheld (shown only for two or more groups of {SMALLEST_GROUP} people)"
                )
            lines.append(text)
        return tuple(lines)

    def _levels(self, team: Sequence[str]) -> set[float]:
        return {r for m in team if (r := level_rank(self._person(m).level)) is not None}

    def _why_no_mix(self, candidates: Sequence[str]) -> str:
        levels = self._levels(candidates)
        if len(levels) < 2:
            return "the people credited with a part do not have two different levels"
        return "no team within the other criteria has two levels"

    def _common(self, team: Sequence[str]) -> set[str]:
        """The asked-for languages every member speaks (primary subtags, case-folded)."""
        common = {t.casefold().split("-")[0] for t in self.criteria.languages}
        for m in team:
            common &= {t.casefold().split("-")[0] for t in self._person(m).languages}
        return common


def _as_directory_reads(c: TeamCriteria) -> TeamCriteria:
    """Departments, languages and levels as people.yaml reads them ("tech" is IT, "German" de,
    "principal" a lead), so a criterion compares like with like; the rest stays as written."""

    def read(reader, value):
        try:
            return reader(value)
        except directory_fields.Refused:
            return value

    languages = tuple(read(lambda v: directory_fields.languages([v])[0], t) for t in c.languages)
    require = tuple(
        replace(need, value=side_named(need.value) or need.value)
        if need.field == "department"
        else need
        for need in c.require
    )
    require = tuple(
        replace(need, value=read(lambda v: directory_fields.languages([v])[0], need.value))
        if need.field == "language"
        else replace(need, value=read(directory_fields.level, need.value))
        if need.field == "level"
        else need
        for need in require
    )
    return replace(c, languages=languages, require=require)


def known_criteria(
    criteria: TeamCriteria, facets: Mapping[str, list[str]], directory: Directory
) -> None:
    """`CriteriaError` for a criterion's value no one in the index or people.yaml has, with
    the values kb knows: `department=Finance:1` and `--languages xx` said "NOT MET", as if
    the team fell short rather than the value being unknown (a trial)."""

    def tag(value: str) -> str:
        try:
            return directory_fields.languages([value])[0].casefold().split("-")[0]
        except directory_fields.Refused:
            return value.casefold()

    spoken = sorted({tag(t) for p in directory.people for t in p.languages})
    known = {
        "department": facets.get("department", []),
        "team": facets.get("team", []),
        "location": sorted({p.location for p in directory.people if p.location}),
        "language": spoken,
    }
    for need in criteria.require:
        said = f"--require '{need.field}={need.value}:{need.count}'"
        if need.field == "level":
            try:
                directory_fields.level(need.value)
            except directory_fields.Refused as err:
                raise CriteriaError(f"{said}: unknown level; {err}") from None
            continue
        value = need.value
        if need.field == "department":  # "tech" is IT, as people.yaml reads it
            value = side_named(value) or value
        elif need.field == "language":
            value = tag(value)
        if person_key(value) not in {person_key(v) for v in known[need.field]}:
            facet, held = held_by(need.value, facets)
            instead = f"; {held} is a {facet}: use {facet}={held}" if facet else ""
            raise CriteriaError(
                f"{said}: unknown {need.field}; known: {_listed(known[need.field])}{instead}"
            )
    for language in criteria.languages:
        if tag(language) not in spoken:
            raise CriteriaError(
                f"--languages '{language}': unknown language (no one in people.yaml speaks "
                f"it); known: {_listed(spoken)}"
            )


def _listed(values: Sequence[str]) -> str:
    return ", ".join(values[:30]) + (" …" if len(values) > 30 else "") if values else "none"
