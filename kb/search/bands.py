"""An amount a question gives, and the band of a table that holds it.

"Do I need a purchase order for a £2,000 purchase?" gives an amount and asks what applies
to it; the pages answer with a table of bands ("£500 – £10,000 · 1 (attach it) · Budget
holder", "Up to 10% · ≥ 28% · Sales rep"), one row a band, its first cell the band (the
first cell names what a row is about). The row whose band holds the amount answers, though
the sentence about the amounts holds more of the question's words ("The value is the total
commitment ...: a three-year contract at £20,000 a year is a £60,000 purchase", a trial).
Amounts are read with their unit (a currency or a percentage), and only a band in the same
unit holds one; "10k" names no currency and is held by a band in any ("who approves a
purchase over 10k"). "Over" is strict, in a band and in a question alike: "over £2,500" is
held by "Over £2,500", not by "£500.01 – £2,500" (a trial). Every pattern here runs in
linear time.
"""

from __future__ import annotations

import re
from functools import lru_cache

# A number starts where no digit, comma or point is before it (each run of digits is read
# once, from its start), and takes its digits possessively: linear on a run of thousands.
_NUMBER = r"(?<![\d,.])\d[\d,]*+(?:\.\d++)?+"
# An amount: a currency before the number, or a percentage after it ("£2,000", "20%"), or
# thousands with no currency ("10k").
_AMOUNT = re.compile(
    rf"([£$€])\s?({_NUMBER})(k\b)?|({_NUMBER})\s?(%|percent\b)|({_NUMBER})k\b", re.I
)
_BETWEEN = re.compile(r"\s*(?:[-–—]|to)\s*$", re.I)
_OVER = r"over|above|more\s+than|exceeding|>"
_UNDER = r"under|below|less\s+than|<"
_ABOVE = re.compile(rf"(?:({_OVER})|from|at\s+least|>=|≥)\s*$", re.I)
_BELOW = re.compile(rf"(?:({_UNDER})|up\s+to|at\s+most|max(?:imum)?|<=|≤)\s*$", re.I)
_STEP = 0.01  # what "over £2,500" adds to £2,500: a penny, a hundredth of a percent

ANY = "¤"  # the unit of thousands with no currency: any currency's band may hold them
Amount = tuple[str, float]  # (unit: "£", "$", "€", "%" or ANY, value)


def _amounts(text: str) -> list[tuple[int, int, Amount]]:
    """(start, end, amount) of each amount written in `text`, in order."""
    out = []
    for m in _AMOUNT.finditer(text):
        if m.group(1):
            value = float(m.group(2).replace(",", "")) * (1000 if m.group(3) else 1)
            out.append((m.start(), m.end(), (m.group(1), value)))
        elif m.group(4):
            out.append((m.start(), m.end(), ("%", float(m.group(4).replace(",", "")))))
        else:
            out.append((m.start(), m.end(), (ANY, float(m.group(6).replace(",", "")) * 1000)))
    return out


@lru_cache(maxsize=256)
def asked_amounts(query: str) -> tuple[Amount, ...]:
    """The amounts `query` gives ("£2,000", "20%", "10k"), each with its unit; one asked
    "over" or "under" ("over £2,500") a step past it (£2,500.01), as the band's own "over"."""
    out = []
    for start, _, (unit, value) in _amounts(query):
        before = query[max(0, start - 12) : start]
        if (m := _ABOVE.search(before)) and m.group(1):
            value += _STEP
        elif (m := _BELOW.search(before)) and m.group(1):
            value -= _STEP
        out.append((unit, value))
    return tuple(out)


def holds(cell: str, amount: Amount) -> bool:
    """Whether the band `cell` opens with ("£500 – £10,000", "Up to 10%", "Over £150,000")
    holds `amount`: a range, or a bound from below or above, in the amount's unit. Only the
    first amount in that unit is the band: "Over 25%, or margin below 22%" is a band of
    discounts over 25%, whatever the margin."""
    unit, value = amount
    found = [(a, b, x[1]) for a, b, x in _amounts(cell) if _same(x[0], unit)]
    if not found:
        return False
    start, end, bound = found[0]
    if len(found) > 1 and _BETWEEN.match(cell[end : found[1][0]]):
        return bound <= value <= found[1][2]
    before = cell[:start]
    if below := _BELOW.search(before):
        return value < bound if below.group(1) else value <= bound
    above = _ABOVE.search(before)
    return bool(above) and (value > bound if above.group(1) else value >= bound)


def _same(unit: str, asked: str) -> bool:
    """Whether a band in `unit` may hold an amount in `asked`: the same unit, or thousands
    with no currency against any currency."""
    return unit == asked or (ANY in (unit, asked) and "%" not in (unit, asked))
