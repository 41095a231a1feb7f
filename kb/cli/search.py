"""`kb search` and `kb experts`: the sections that answer a query, the people who know."""

from __future__ import annotations

import os

import click

from kb.backends.location import IndexLocation
from kb.cli.options import (
    WholeRange,
    echo_json,
    json_option,
    mode_option,
    open_kb,
    since_option,
    where_options,
)
from kb.facade import Facade
from kb.inputs import UnknownValueError, checked_filters
from kb.links import PageLinks
from kb.models import Directory, Expert, Filters, Hit
from kb.models.names import counted, named_in, printable, printable_name, spoken
from kb.search.cards import sections_shown
from kb.serve.codec import expert_records, hit_records


@click.command("search")
@click.argument("query")
@click.option(
    "-k",
    "k",
    default=10,
    show_default=True,
    type=WholeRange(1, 1000),
    help="Most sections to list (the first k of what -k 10 lists, when fewer).",
)
@click.option("--department", default="", help="Only pages of this department (IT, Business).")
@click.option(
    "--team", "teams", multiple=True, help="Only pages of this team; repeat for any of several."
)
@click.option("--tag", default="", help="Only pages with this tag.")
@click.option("--author", default="", help="Only pages written by this person.")
@since_option
@mode_option
@click.option("--exact", is_flag=True, help="Search the words as typed (no spelling correction).")
@where_options
@json_option
def search_cmd(
    query: str,
    k: int,
    department: str,
    teams: tuple[str, ...],
    tag: str,
    author: str,
    since,
    mode: str | None,
    exact: bool,
    where: IndexLocation,
    as_json: bool,
) -> None:
    """Find the sections that answer QUERY.

    \b
    Example:
      kb search "laptop won't connect from home" -k 5 --team security
    """
    kb = open_kb(where, query)
    filters = _filters(kb, department=department, team=teams, tag=tag, author=author, since=since)
    found = kb.search(query, k=k, filters=filters, mode=mode or "", log=True, exact=exact)
    if as_json:
        directory = Directory.recorded(kb.manifest)
        echo_json(hit_records(found, PageLinks.from_env(os.environ), directory))
        return
    _say_colleagues(kb, query)
    if found.corrected:
        click.echo(
            f"Showing results for {click.style(found.corrected, italic=True)} — search instead "
            f"for {click.style(found.query, italic=True)} with --exact"
        )
    if not found:
        loosen = kb.loosen(query, filters) if filters.active else []
        options = ", ".join("--since" if f == "updated_since" else f"--{f}" for f in loosen)
        click.echo("No results." + (f" Drop {options} to get some." if loosen else ""))
        return
    relevant = found.relevant
    if not relevant:
        click.echo(click.style("No page answers this well.", bold=True))
        if found.elsewhere:
            click.echo(found.elsewhere_note(filters))
        # Say when none of them holds a word of it: a German question on English pages got
        # three random "closest" pages and no hint why (a new-user trial). Of these hits, not
        # of every page: "canteen" is in a page far from the canteen menu (a trial).
        unmatched = not any(h.coverage > 0 for h in found)
        click.echo(
            "None of the closest uses a word of it. Closest by meaning:"
            if unmatched
            else "Closest:"
        )
        for hit in found[:3]:
            click.echo(f"  - {_place(hit)}  {printable_name(hit.chunk.path)}:{hit.chunk.line}")
            # One that uses every word is shown, as the app opens it: a word the model cannot
            # read ("minibar") is answered by no page, yet one says it (a trial).
            if hit.coverage >= 1.0 and hit.snippet:
                click.echo("    " + printable(hit.snippet, lines=True).replace("\n", "\n    "))
        return
    relevant = sections_shown(relevant)
    standing = Directory.recorded(kb.manifest).standing  # no one writes to a leaver
    for n, hit in enumerate(relevant, 1):
        c = hit.chunk
        # How sure kb is of its first answer; not of the others, whose order is the ranking's
        # and whose sections' percentages would not follow it (a trial read "71%" over "88%").
        sure = f"  ({_sure(hit, found.searched)})" if n == 1 else ""
        click.echo(f"{n:>2}. {click.style(_place(hit), bold=True)}{sure}")
        people = ", ".join(_marked(a.name, standing(a.name)) for a in c.authors)
        people = people or "unknown author"
        where = f"{printable_name(c.path)}:{c.line}"
        click.echo(printable(f"    {where} · {c.team or 'no team'} · {people}"))
        click.echo("    " + printable(hit.snippet, lines=True).replace("\n", "\n    "))
    rest = found[len(found.relevant) :]  # not `relevant`: a contents list it left out
    if rest:
        click.echo(click.style(f"  -- {len(rest)} more, less likely to answer --", dim=True))
        for n, hit in enumerate(rest, len(relevant) + 1):
            click.echo(f"{n:>2}. {_place(hit)}  {printable_name(hit.chunk.path)}:{hit.chunk.line}")


def _marked(name: str, standing: str) -> str:
    """An author's name, with "(left on D)" or "(leaves on D)" when people.yaml says so."""
    return f"{name} ({standing})" if standing else name


def _say_colleagues(kb: Facade, query: str) -> None:
    """A colleague the query names, with how to see their profile: "what does Tomasz Nowak
    do" got "No page answers this well" and "No one has written about this yet" (a trial)."""
    from kb.search.asking import about_people  # here: `kb --help` loads no BM25

    named = named_in(query, kb.people())
    for name in named:
        quoted = name.replace('"', '\\"')
        click.echo(printable(f'{name} wrote pages here: kb person "{quoted}" lists them.'))
        if about_people(query, named):
            _their_pages(kb, name)


def _their_pages(kb: Facade, name: str, most: int = 5) -> None:
    """A search for a colleague alone leads to them: the pages they wrote, theirs most
    first, before the pages that name them ("Grace O'Connor" gave the Coupa page's
    "Contacts" first: a page that sends readers to her, a trial)."""
    profile = kb.profile(name)
    pages = profile.theirs_first() if profile else []
    for p in pages[:most]:
        click.echo(printable(f"  - {p.title} ({p.share:.0%} theirs)  {printable_name(p.path)}"))
    if len(pages) > most:
        click.echo(f"  - … and {len(pages) - most} more")


def _sure(hit: Hit, query: str) -> str:
    """How sure kb is of a hit, as the first answer says it: "87% sure", or for a lookup of
    codes the section holds, that it holds them ("contains LDS-Aire"): it is relevant by
    holding them, at the floor, and "50% sure" read like a placeholder (a trial)."""
    if not (hit.lookup or hit.named):
        return f"{hit.percent} sure"
    from kb.search.relevance import codes_held  # here: `kb check` loads no numpy

    # Only the codes it holds: a question may name one no page has (a review).
    text = hit.chunk.embed_text.casefold()
    held = [c for c in codes_held(query) if c.casefold() in text] or codes_held(query)
    return printable(f"contains {spoken(held)}")


def _place(hit: Hit) -> str:
    """A hit's title and heading, as they may be printed (a page may hold escape codes)."""
    c = hit.chunk
    return printable(f"{c.title} > {c.heading}" if c.heading else c.title)


@click.command("experts")
@click.argument("query")
@click.option(
    "-k",
    "k",
    default=5,
    show_default=True,
    type=WholeRange(1, 1000),
    help="Most people to list; fewer when fewer wrote what answers it.",
)
@click.option(
    "--team",
    "teams",
    multiple=True,
    help="Only people whose home team is this one; repeat for any of several teams.",
)
@click.option("--department", default="", help="Only people of this department (IT, Business).")
@click.option("--tag", default="", help="Judge people only on pages with this tag.")
@since_option
@mode_option
@click.option("--exact", is_flag=True, help="Search the words as typed (no spelling correction).")
@where_options
@json_option
def experts_cmd(
    query: str,
    k: int,
    teams: tuple[str, ...],
    department: str,
    tag: str,
    since,
    mode: str | None,
    exact: bool,
    where: IndexLocation,
    as_json: bool,
) -> None:
    """Find the people who know most about QUERY, with the sections that show it.

    \b
    Example:
      kb experts "vendor onboarding" --team procurement
      kb experts "approving expense claims" --team finance --team sales
    """
    kb = open_kb(where, query)
    _filters(kb, department=department, team=teams)  # validates the names
    filters = _filters(kb, tag=tag, since=since)
    people = kb.experts(
        query, k=k, filters=filters, team=teams, department=department, mode=mode or "", exact=exact
    )
    if as_json:
        echo_json(expert_records(people))
        return
    # The correction `kb search` shows (a trial found experts corrected without a word).
    fixed = people.corrected
    _say_colleagues(kb, query)
    if fixed:
        click.echo(
            f"Showing experts for {click.style(printable(fixed), italic=True)} — ask instead "
            f"for {click.style(printable(query), italic=True)} with --exact"
        )
    if not people:
        # With a team or department, say whether anyone outside it wrote about it (a trial
        # read "No one has written about this" of parental leave, which HR wrote).
        outside = (
            kb.experts(fixed or query, k=k, filters=filters, exact=True)
            if teams or department
            else []
        )
        if outside:
            among = " or ".join(x for x in (*teams, department) if x)
            click.echo(
                f"No one in {printable(among)} has written about this; "
                f"{counted(len(outside), 'person', 'people')} outside it did (try fewer "
                "options)."
            )
        else:  # unless a page uses its words without answering it ("minibar")
            from kb.search.relevance import NEAR_MISS  # here: `kb check` loads no numpy

            found = kb.search(fixed or query, filters=filters, mode=mode or "", exact=True)
            gone = Directory.recorded(kb.manifest).left_on
            click.echo(printable(found.unwritten_note(NEAR_MISS, gone)))
        return
    _say_weak(people)
    # Relevance as the app's bars show it (`rated`): a raw vote of 1.024 read as a
    # percentage, and the best person's 1.00 as certainty over a page 55% sure to answer (a
    # trial; --json keeps the votes). Someone who has left shows none.
    for n, person in enumerate(people, 1):
        home = ", ".join(x for x in (person.team, person.department) if x)
        label = f" ({home})" if home else ""
        name, label = printable(person.name), printable(label)
        share = person.relevance
        shown = f"{share:.2f}" if share >= 0.005 else "<0.01"  # a relevant section's author
        shown = "" if person.left else f"  {shown}"
        click.echo(f"{n:>2}. {click.style(name, bold=True)}{label}{shown}")
        available = ", ".join(person.available_for)
        gone = f"left on {person.left}" if person.left else ""  # wrote it; ask someone else
        leaves = f"leaves on {person.leaves}" if person.leaves else ""  # ask them soon
        about = [
            person.role,
            gone,
            leaves,
            f"available for {available}" if available else "",
            person.contact,
        ]
        if any(about):
            click.echo(printable("    " + " · ".join(x for x in about if x)))
        for ev in person.evidence:
            where = f"{ev.title} > {ev.heading}" if ev.heading else ev.title
            click.echo(printable(f"    - {where}  {printable_name(ev.path)}:{ev.line}"))


def _say_weak(people: list[Expert]) -> None:
    """Say so when every expert's best section only barely answers (`weakly_known`): their
    names are the closest authors, not people known to know (a trial asked a data engineer
    about revenue recognition)."""
    from kb.search.experts import weakly_known  # here: `kb check` loads no numpy

    if weakly_known(people):
        best = max(p.confidence for p in [p for p in people if not p.left] or people)
        click.echo(
            click.style("Weak evidence:", bold=True)
            + f" the best page is only {best:.0%} sure to answer this; its closest authors:"
        )


def _filters(kb: Facade, *, since=None, **values) -> Filters:
    """`checked_filters`, a value the index does not know being a usage error of its option."""
    try:
        return checked_filters(kb, since=since.date() if since else None, **values)
    except UnknownValueError as err:
        facet, value = err.other
        if facet:  # "Finance" is a team: the option to use, as the shell spells it
            said = f"'{err.value.strip()}' is not a {err.field}; {value} is a {facet}"
            raise click.BadParameter(
                f"{said}: use --{facet} {value}", param_hint=f"--{err.field}"
            ) from None
        raise click.BadParameter(str(err), param_hint=f"--{err.field}") from None
