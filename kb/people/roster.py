"""A round of pairs as a CSV file to act on: a mail merge, a sheet of who meets whom.

Each person's `contact:` comes from people.yaml only, as it was checked when the index was
built (an email, a chat handle or an http(s) URL: `contact_kind`): never guessed from a
name, never of someone hidden (they are in no pair, and the directory an index records
holds none of them) and never of someone who has left. Without one the cell says so.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from kb.models import Colleague, Directory, Pairing

NO_CONTACT = "(no contact in people.yaml)"
COLUMNS = (
    "kind", "round", "person 1", "department 1", "team 1", "contact 1",
    "person 2", "department 2", "team 2", "contact 2", "reason", "pages to read",
)  # fmt: skip
# A spreadsheet reads a cell that starts with one of these as a formula ("@grace" too); a
# NUL is on OWASP ASVS's list (1.2.10).
_FORMULA = ("=", "+", "-", "@", "\t", "\r", "\0")
# A cell also starts after a `;`, a tab or a line break inside a value: Excel splits a line at
# its locale's separator (`;` in much of Europe) and reads a quote only at a cell's start, so
# a title "VPN;=HYPERLINK(...)" was a formula there (OWASP: mind the field separator).
_INSIDE = re.compile(r"([;\t\r\n][ \"]*)([=+\-@])")


def contact(colleague: Colleague, directory: Directory, today: date | None = None) -> str:
    """Their directory contact, "" when there is none kb may give."""
    listed = directory.find(colleague.name)
    if listed is None or listed.hidden or listed.has_left(today):
        return ""
    return listed.contact


def pairs_csv(pairing: Pairing, directory: Directory, today: date | None = None) -> str:
    """One row per pair, with each person's contact (`contact`) and the pages to read."""
    out = io.StringIO()
    rows = csv.writer(out)
    rows.writerow(COLUMNS)
    for pair in pairing.pairs:
        people = []
        for c in (pair.first, pair.second):
            people += [c.name, c.department, c.team, contact(c, directory, today) or NO_CONTACT]
        pages = "; ".join(f"{e.title} ({e.path})" for e in pair.evidence)
        row = [pair.kind, str(pairing.seed), *people, pair.reason, pages]
        rows.writerow([_cell(v) for v in row])
    return out.getvalue()


def _cell(value: str) -> str:
    """A value a spreadsheet shows as text: one that would start a formula, at its start (after
    spaces, which a sheet may trim) or after a separator inside it, gets a quote before it
    (OWASP, CSV injection), which the sheet does not show at a cell's start."""
    value = _INSIDE.sub(r"\1'\2", value)
    return f"'{value}" if value.lstrip(" ").startswith(_FORMULA) else value
