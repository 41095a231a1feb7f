"""`kb person`, `kb pairs`, `kb team` and `kb gaps`: the people side of an index."""

from __future__ import annotations

import json
from datetime import datetime, time
from pathlib import Path

import click

from kb.backends.location import IndexLocation
from kb.cli.options import (
    Clock,
    Day,
    DecimalRange,
    WholeRange,
    bold,
    echo_json,
    json_option,
    open_kb,
    say,
    where_options,
)
from kb.inputs import (
    MAX_ROUND,
    CriteriaError,
    checked_filters,
    checked_teams,
    profile_called,
    query_text,
    team_criteria,
)
from kb.models import LEAVING, PAIR_KINDS, SHARE_MEANS, spoken
from kb.models.names import counted, printable, printable_name
from kb.models.reports import OPEN_INVITE
from kb.serve.codec import dump, earlier_pairs, person_record


@click.command("person")
@click.argument("name")
@where_options
@json_option
def person_cmd(name: str, where: IndexLocation, as_json: bool) -> None:
    """What NAME wrote and knows about: topics, pages, teams written for, last update.

    \b
    Example:
      kb person "Grace O'Connor"
    """
    kb = open_kb(where, name)
    profile = profile_called(
        name,
        kb.profile,
        kb.people(),
        guessed=lambda called: say(
            f"(showing {printable(called)}, the one person called {name!r})", err=True
        ),
    )
    across = kb.partners(profile.name)
    if as_json:
        echo_json(person_record(profile, across))
        return
    home = ", ".join(x for x in (profile.role, profile.team, profile.department) if x)
    say(f"{profile.name}" + (f" ({home})" if home else ""))
    if profile.left:
        say(f"  left on {profile.left}: no longer at the company; the pages stay theirs")
    if profile.leaves:
        say(f"  leaves on {profile.leaves}: {LEAVING}")
    if profile.available_for:
        say(f"  available for: {', '.join(profile.available_for)}")
    if profile.not_enrolled:
        say(f"  {profile.not_enrolled}")
    if profile.contact:
        say(f"  contact: {profile.contact}")
    for label, value in profile.facts():
        say(f"  {label}: {value}")
    say(f"  topics: {spoken(profile.topics) or 'none'}")
    if profile.tags:
        say(f"  tags: {', '.join(profile.tags)}")
    say(f"  teams written for: {', '.join(profile.teams) or 'none'}")
    say(f"  last update: {profile.last_update or 'unknown'}")
    if across:
        mine = {credit.path for credit in profile.pages}
        say("  across the divide, working on the same things:")
        for pair in across:
            # Their pages: the reader knows their own.
            theirs = dict.fromkeys(e.title for e in pair.evidence if e.path not in mine)
            pages = " and ".join(f"'{t}'" for t in list(theirs)[:2])
            about = spoken(pair.terms) or "related work"
            say(f"    {_colleague(pair.second)}: {about}" + (f" ({pages})" if pages else ""))
    say(f"  pages ({len(profile.pages)}):")
    for credit in profile.pages:
        say(f"    {credit.share:>4.0%}  {credit.title}  ({printable_name(credit.path)})")
    # Under the pages, as the app's caption: in their heading it made a line of 200
    # characters with brackets inside brackets (a new-user trial).
    if profile.pages:
        say(f"  {SHARE_MEANS[0].upper()}{SHARE_MEANS[1:]}.")


@click.command("pairs")
@click.option(
    "--kind",
    type=click.Choice(PAIR_KINDS),
    default="tandem",
    show_default=True,
    help="tandem: peers who complement; mentoring: a more senior mentor; coffee: chance and "
    "some overlap; shadowing: a day with someone whose pages link to yours; reverse-mentoring: "
    "the junior teaches someone two levels or more above.",
)
@click.option(
    "--round",
    "--seed",
    "seed",
    default=0,
    show_default=True,
    type=WholeRange(0, MAX_ROUND),
    help="Which round: the same number gives the same pairs (--seed: its old name).",
)
@click.option(
    "--avoid",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    multiple=True,
    help="A previous round's --json output: its pairs are not proposed again (repeatable).",
)
@click.option(
    "--today",
    type=Day(),
    help="Start the round on this day: who has left or leaves before it ends (people.yaml "
    "left:) is judged as of it.",
)
@click.option(
    "--team",
    "teams",
    multiple=True,
    help="Only pairs with someone of this team; the other department's side is anyone "
    "(repeatable: --team finance --team data pairs finance with data).",
)
@where_options
@json_option
def pairs_cmd(
    kind: str,
    seed: int,
    avoid: tuple[Path, ...],
    today: datetime | None,
    teams: tuple[str, ...],
    where: IndexLocation,
    as_json: bool,
) -> None:
    """Pair IT and business colleagues whose knowledge complements, each person once.

    \b
    Example:
      kb pairs --kind tandem --round 7
      kb pairs --kind coffee --round 8 --avoid round1.json --avoid round2.json
      kb pairs --kind coffee --team finance
    """
    kb = open_kb(where)
    earlier = set().union(*(_earlier_pairs(path) for path in avoid))
    teams = checked_teams(kb, teams) if teams else ()
    day = (today or datetime.now()).date()
    pairing = kb.pairs(kind, seed=seed, avoid=earlier, today=day, teams=teams)
    if as_json:
        echo_json(dump(pairing))
        return
    say(f"{kind.capitalize()} round {seed}: {counted(len(pairing.pairs), 'pair')}")
    if pairing.note:
        say(f"({pairing.note})")
    for n, pair in enumerate(pairing.pairs, 1):
        people = " + ".join(_colleague(c) for c in (pair.first, pair.second))
        say(f"{n:>2}. {people}  {pair.score:.2f}")
        say(f"    {pair.reason}")
        for ev in pair.evidence:
            say(f"    - {_where(ev)}")
    if pairing.unpaired:
        why = f" ({pairing.why_unpaired})" if pairing.why_unpaired else ""
        say(f"Not paired this round: {', '.join(pairing.unpaired)}{why}")


def _colleague(c) -> str:
    """Name (department, team; leaves on DAY): the day, when they have given notice, so that
    whoever meets them, or staffs them, does it before then."""
    leaves = f"leaves on {c.leaves}" if c.leaves else ""
    home = ", ".join(x for x in (c.department, c.team) if x)
    home = "; ".join(x for x in (home, leaves) if x)
    return bold(c.name) + (f" ({home})" if home else "")


@click.command("team")
@click.argument("description")
@click.option(
    "--size",
    default=4,
    show_default=True,
    type=WholeRange(1, 50),
    help="Most people on the team; fewer when no one else covers a part well enough.",
)
@click.option(
    "--require",
    multiple=True,
    metavar="FIELD=VALUE:N",
    help="At least N members with this department, team, level, language or location.",
)
@click.option("--max-per-team", type=WholeRange(), help="At most this many members from one team.")
@click.option("--level-mix", is_flag=True, help="At least two different levels on the team.")
@click.option(
    "--timezone-within", type=DecimalRange(), metavar="HOURS", help="Most hours between any two."
)
@click.option("--languages", default="", metavar="de,en", help="The team shares one of these.")
@click.option(
    "--balance",
    multiple=True,
    metavar="private.ATTRIBUTE",
    help="Balance a private attribute as far as possible (reported as counts only).",
)
@where_options
@json_option
def team_cmd(
    description: str,
    size: int,
    require: tuple[str, ...],
    max_per_team: int | None,
    level_mix: bool,
    timezone_within: float | None,
    languages: str,
    balance: tuple[str, ...],
    where: IndexLocation,
    as_json: bool,
) -> None:
    """Propose a cross-functional team for a project, and who covers which part.

    Separate the parts with commas ("a, b and c") to name the sub-topics yourself.
    Criteria set in advance are met or reported with why not (docs/people.md).

    \b
    Examples:
      kb team "sync Spendwise claims into NetSuite, GDPR review, stock counts" --size 4
      kb team "supplier onboarding" --require department=IT:1 --require department=Business:1 \\
        --max-per-team 1 --timezone-within 3 --languages en --balance private.gender
    """
    try:
        criteria = team_criteria(
            require=require,
            max_per_team=max_per_team,
            level_mix=level_mix,
            timezone_within=timezone_within,
            languages=languages,
            balance=balance,
        )
    except CriteriaError as err:
        raise click.UsageError(str(err)) from None
    kb = open_kb(where, description)
    proposal = kb.team(description, size=size, criteria=criteria)
    if as_json:
        echo_json(dump(proposal))
        return
    if nobody := proposal.nobody():
        say(nobody)
    else:
        short = proposal.short_of(size)
        why = f" (asked for {size}; {short})" if short else ""
        say(f"Team of {len(proposal.members)}{why}:")
        for c in proposal.members:
            role = f", {c.role}" if c.role else ""
            say(f"  - {_colleague(c)}{role}")
        say("Who covers what:")
    for cover in proposal.covers:
        who = ", ".join(cover.people) or "no one on the team"
        say(f"  {cover.subtopic}: {who}")
        for ev in cover.evidence:  # each member's best page on it
            say(f"    - {_where(ev)}")
    for part in proposal.uncovered:
        say(f"  {part}: no one kb can name has written about this")
    for part in proposal.unstaffed:
        say(f"  {part}: written only by people kb does not staff (below)")
    if proposal.left_out:
        say(f"Not staffed: {', '.join(proposal.left_out)}")
    if proposal.checks:
        say("Criteria:")
    for check in proposal.checks:
        mark = "met" if check.met else "NOT MET"
        say(f"  {check.criterion}: {mark}" + (f" ({check.detail})" if check.detail else ""))
    for line in proposal.balance:
        say(f"  {line}")


@click.command("barcamp")
@click.option(
    "--slots",
    default=4,
    show_default=True,
    type=WholeRange(1, 20),
    help="Time slots, one after another.",
)
@click.option(
    "--rooms",
    default=2,
    show_default=True,
    type=WholeRange(1, 20),
    help="Rooms: sessions held at once.",
)
@click.option(
    "--log",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="KB_SEARCH_LOG",
    help="The opt-in search log (env KB_SEARCH_LOG): what people looked for and did not find.",
)
@click.option(
    "--ics",
    type=click.Path(path_type=Path, dir_okay=False, writable=True),
    help="Also write the programme as a calendar file (.ics).",
)
@click.option(
    "--date",
    "day",
    type=Day(),
    help="The day it is held (default the next working day): no one who has left by then "
    "(people.yaml left:) speaks or is invited.",
)
@click.option(
    "--start",
    default="10:00",
    show_default=True,
    type=Clock(),
    help="When the first slot starts (HH:MM; for the calendar file).",
)
@click.option(
    "--minutes",
    default=45,
    show_default=True,
    type=WholeRange(10, 240),
    help="Minutes a slot lasts (for the calendar file).",
)
@where_options
@json_option
def barcamp_cmd(
    slots: int,
    rooms: int,
    log: Path | None,
    ics: Path | None,
    day: datetime | None,
    start: time,
    minutes: int,
    where: IndexLocation,
    as_json: bool,
) -> None:
    """Propose an internal barcamp: what people search for and do not find, and topics that
    rest on one person, each with a speaker who knows it and an audience from the other
    department; no speaker twice in one slot.

    \b
    Example:
      kb barcamp --slots 4 --rooms 2 --log ~/.kb/searches.jsonl --ics barcamp.ics
    """
    from kb.people.calendar import barcamp_ics, next_working_day, schedule_problems, time_zone

    kb = open_kb(where, "barcamp")
    # Who speaks is judged on the event's day, the calendar's too.
    when = day.date() if day else next_working_day(datetime.now().date())  # as kb.barcamp's
    programme = kb.barcamp(slots=slots, rooms=rooms, log=log, day=when)
    if ics is not None:
        zone, source = time_zone()
        for problem in schedule_problems(when, start, minutes, slots, zone):
            say(f"warning: {problem}; the calendar is written as asked", err=True)
        try:
            ics.write_bytes(barcamp_ics(programme, when, start, minutes, zone))
        except OverflowError:
            raise click.BadParameter("the day ends after year 9999", param_hint="--date") from None
        except OSError as err:
            raise click.BadParameter(
                f"cannot write {ics}: {err.strerror}", param_hint="--ics"
            ) from None
    if as_json:
        echo_json(dump(programme))
        return
    if programme.note:
        say(f"({programme.note})")
    for n in range(1, slots + 1):
        sessions = [s for s in programme.sessions if s.slot == n]
        if not sessions:
            continue
        say(f"Slot {n}:")
        for s in sessions:
            say(f"  Room {s.room}: {s.title}")
            say(f"    speaker: {_colleague(s.speaker)}; {s.why}")
            audience = ", ".join(_colleague(c) for c in s.audience)
            say(f"    invite: {audience or OPEN_INVITE}")
    if not programme.sessions:
        say("No sessions: no topic rests on one person and the log has no demand.")
    if programme.unscheduled:
        left, total = programme.unscheduled, len(programme.unscheduled)
        more = ", ".join(left[:5]) + (f", … {total - 5} more (--json for all)" if total > 5 else "")
        say(f"Also proposed, no place left ({total}): {more}")
    if ics is not None:
        say(f"Calendar: {ics} ({when.isoformat()}, times in {zone}: {source})")


@click.command("onboard")
@click.argument("name")
@click.option("--team", required=True, help="The team the new joiner joins (as pages name it).")
@click.option(
    "--today",
    type=Day(),
    help="Judge staleness and who has left (people.yaml left:) as of this day.",
)
@where_options
@json_option
def onboard_cmd(
    name: str, team: str, today: datetime | None, where: IndexLocation, as_json: bool
) -> None:
    """A new joiner's reading path through TEAM's pages and the people to meet first.

    \b
    Example:
      kb onboard "Alex Doe" --team finance
    """
    kb = open_kb(where, name)
    team = checked_filters(kb, team=query_text(team)).team
    plan = kb.onboard(name, team=team, today=(today or datetime.now()).date())
    if as_json:
        echo_json(dump(plan))
        return
    say(f"Onboarding {plan.name} in {plan.team}")
    if plan.note:
        say(f"({plan.note})")
    say("Read, in this order:")
    for n, step in enumerate(plan.reading, 1):
        mark = f"  [{step.stale}]" if step.stale else ""
        say(f"  {n}. {step.title}  ({printable_name(step.path)}): {step.why}{mark}")
    say("Meet:")
    for intro in plan.people:
        say(f"  - {intro.kind}: {_colleague(intro.colleague)}, {intro.why}")
    if nobody := plan.no_one():
        say(f"  {nobody}")


@click.command("gaps")
@click.option(
    "--log",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="KB_SEARCH_LOG",
    help="The opt-in search log (env KB_SEARCH_LOG) for searches that found nothing good.",
)
@click.option(
    "--today",
    type=Day(),
    help="Judge staleness and who has left (people.yaml left:) as of this day.",
)
@click.option(
    "--top",
    default=10,
    show_default=True,
    type=WholeRange(1, 1000),
    help="Rows a list shows at most (--json gives all).",
)
@where_options
@json_option
def gaps_cmd(log: Path | None, today, top: int, where: IndexLocation, as_json: bool) -> None:
    """Where knowledge is thin: topics, stale pages, searches that found nothing good.

    Lists topics resting on one person or one department, stale pages by owner and, from
    the opt-in search log, searches that found nothing good with who could write the page.

    \b
    Example:
      KB_SEARCH_LOG=~/.kb/searches.jsonl kb gaps
    """
    kb = open_kb(where)
    report = kb.gaps(today=(today or datetime.now()).date(), log=log, top=top)
    for warning in report.warnings:
        say(f"warning: {warning}", err=True)
    if as_json:
        echo_json(dump(report))
        return
    single = [t for t in report.topics if t.bus_factor <= 1 or t.at_risk]
    say(  # bus factor 1 beside three names read as a contradiction to a trial: say what it is
        "Topics that rest on one person (if the first named left, most of it would have no "
        f"author who knows it), on no one or on people leaving ({len(single)} of "
        f"{len(report.topics)}):"
    )
    for t in single[:top]:
        who = ", ".join(_knower(k) for k in t.knowers[:3]) or "no author"
        lost = ": rests on people who have left" if t.on_leavers else ""
        lost += f": at risk from {t.at_risk}, when it rests on people leaving" if t.at_risk else ""
        say(
            f"  bus factor {t.bus_factor}  {t.label}  ({counted(len(t.pages), 'page')}; {who})"
            + lost
        )
    _more(len(single), top)
    say(f"Topics only one department writes about ({len(report.one_sided)}):")
    for o in report.one_sided[:top]:
        across = ", ".join(c.name for c in o.across) or "no one yet"
        side = o.topic.departments[0]
        say(f"  {o.topic.label}  (only {side}; closest across: {across})")
    _more(len(report.one_sided), top)
    from kb.people.stale import counted_as  # here: `kb --help` loads no content code

    say(f"Stale pages ({len(report.stale)}: {counted_as(report.stale)}):")
    for st in report.stale[:top]:
        left = f" (left on {st.owner_left})" if st.owner_left else ""
        left += f" (leaves on {st.owner_leaves})" if st.owner_leaves else ""
        where = printable_name(st.path)
        say(f"  {st.owner or 'no owner'}{left}: {st.title} ({st.reason})  {where}")
    _more(len(report.stale), top)
    if log is None:
        say("Searches that found nothing good: no search log (set KB_SEARCH_LOG to keep one)")
        return
    if not log.is_file():
        say(f"Searches that found nothing good: no search log at {log} yet")
        return
    asked = report.unanswered_total
    say(
        f"Searches that found nothing good, no relevant result ({counted(asked, 'question')} "
        f"among {report.searches_logged} searches logged):"
    )
    for u in report.unanswered:
        writers = ", ".join(c.name for c in u.writers) or "no one"
        say(
            f'  {u.times}x "{u.query}" (best {u.best_similarity:.2f}, {u.closest}); '
            f"could write it: {writers}"
        )
        # Anyone can start it: the app offers "Start the page" whoever could write it.
        say(f"    start it: {_new_page_command(u.query, u.writers[0] if u.writers else None)}")
    _more(report.unanswered_total, len(report.unanswered))
    if report.note:
        say(f"  ({report.note})")
    elif report.withheld:
        say(
            f"  ({counted(report.withheld, 'search', 'searches')} not shown: they name "
            "someone hidden)"
        )


def _more(total: int, shown: int) -> None:
    if total > shown:
        say(f"  … {total - shown} more (--top {total}, or --json for all)")


def _earlier_pairs(path: Path) -> set[frozenset[str]]:
    try:
        return earlier_pairs(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError, RecursionError) as err:  # nested too deep
        raise click.BadParameter(
            f"{path}: not the --json output of 'kb pairs' ({err})", param_hint="--avoid"
        ) from err


def _where(ev) -> str:
    place = f"{ev.title} > {ev.heading}" if ev.heading else ev.title
    return f"{place}  {printable_name(ev.path)}:{ev.line}"


def _new_page_command(query: str, writer) -> str:
    """The `kb new` line that starts the missing page (by `writer`, if anyone), quoted for a
    POSIX shell. Without a writer no team is guessed: `kb new` asks for it."""
    import shlex

    from kb.importing.stub import title_for

    parts = ["kb", "new", title_for(query)]
    parts += ["--team", writer.team] if writer and writer.team else []
    parts += ["--author", writer.name] if writer else []
    return shlex.join([*parts, "--question", query.strip()])


def _knower(k) -> str:
    when = f"left on {k.left}" if k.left else f"leaves on {k.leaves}" if k.leaves else ""
    return f"{k.name} {k.share:.0%}" + (f" ({when})" if when else "")
