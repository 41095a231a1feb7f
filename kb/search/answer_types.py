"""The kind of answer a question asks for, and whether a sentence holds one.

Question answering's expected answer type (Moldovan et al. 2000; Harabagiu et al.): "how
many weeks" asks for a number, "how often" for a frequency, "when" for a date or time, "who"
for a role. A sentence that holds nothing of the kind asked for rarely answers: "Rotate it
immediately" for "how often are secrets rotated", "Requests up to £500 are approved by your
manager" beside "Everyone · £1,000" for the learning budget (a trial).

Only the question's opening words give its type ("what happens when a test fails" asks no
time), and a small rule set recognises each kind in a sentence; "who" is answered by a role
or team word, or by the name of a colleague (`naming`: the index's people, two words at
least). Libraries were measured first:
quantulum3 (no downloads) takes ~5 ms a sentence and misses "4 business hours", "09:30",
"monthly" and "Sunday"; dateparser and datefinder read dates only and are slower still. Every
pattern here runs in linear time (no nested repeats).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

NUMBER, DURATION, FREQUENCY, TIME, PERCENT, ROLE = (
    "number",
    "duration",
    "frequency",
    "time",
    "percent",
    "role",
)

# The question's opening words -> the kind of answer it asks for.
_ASKS = (
    (re.compile(r"how\s+(?:many|much)\b"), NUMBER),
    (re.compile(r"how\s+(?:long|quickly|soon|fast|far\s+in\s+advance)\b"), DURATION),
    (re.compile(r"how\s+(?:often|frequently)\b"), FREQUENCY),
    (re.compile(r"(?:when|by\s+when|until\s+when|what\s+(?:time|day|date))\b"), TIME),
    (re.compile(r"(?:what|which)\s+(?:percentage|percent|proportion)\b"), PERCENT),
    (re.compile(r"(?:who|whom)\b"), ROLE),
)
_LEAD = re.compile(r"^\W*(?:(?:and|but|so|ok|okay|hi|hey|please)\W+)*", re.I)

_WORD_NUMBER = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty|fifty|sixty|ninety|hundred|thousand|million|half|dozen)"
)
_NUMERAL = rf"(?:(?<![\w.,])\d[\d,.]*|\b{_WORD_NUMBER})"
_TIME_UNIT = (
    r"(?:(?:working|business|calendar|school)\s+)?"
    r"(?:seconds?|minutes?|mins?|hours?|hrs?|days?|nights?|weeks?|months?|quarters?|years?)\b"
)
_DAYS = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_MONTHS = (
    r"(?:January|February|March|April|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)"  # capitalised: "may" is a verb
)

_HOLDS = {
    # A numeral of any kind: an amount, a count, a price, a duration.
    NUMBER: re.compile(rf"{_NUMERAL}|[£$€¥]\s?\d", re.I),
    # A number of time units ("30 days", "4 business hours", "a week", "2-3 weeks").
    DURATION: re.compile(rf"(?:{_NUMERAL}|\b(?:a|an)\b)(?:\s*[-–]\s*\d+)?\+?\s*{_TIME_UNIT}", re.I),
    FREQUENCY: re.compile(
        r"\b(?:every|each|daily|weekly|fortnightly|monthly|quarterly|annually|yearly|hourly|"
        rf"nightly|twice|once)\b|\b(?:per|a)\s+{_TIME_UNIT}|{_NUMERAL}\s*times\b",
        re.I,
    ),
    # A clock time, weekday, month, year, working day ("WD2"), ordinal ("15th week").
    TIME: re.compile(
        r"\b\d{1,2}:\d{2}\b|\b\d{1,2}\s?(?:am|pm)\b|\b(?:noon|midnight)\b|"
        rf"(?i:\b{_DAYS}s?\b)|\b{_MONTHS}\b|\b(?:19|20)\d{{2}}\b|\bWD\s?-?\d+\b|"
        r"\b\d+(?:st|nd|rd|th)\b|(?i:\b(?:month|quarter|year)[- ]end\b)|"
        r"(?i:\b(?:end|start|beginning|middle)\s+of\s+(?:the\s+)?(?:month|quarter|year)\b)"
    ),
    PERCENT: re.compile(r"\d\s?%|\bper\s?cent\b", re.I),
    # Who: a role, team or function ("your manager", "Head of Sales", "L&D", "the CFO").
    ROLE: re.compile(
        r"(?i:\b(?:managers?|head\s+of|directors?|leads?|owners?|controllers?|officers?|"
        r"chief|teams?|department|committee|board|approvers?|signator(?:y|ies)|"
        r"administrators?|partners?|holders?|ops)\b)|"
        r"\b(?:CFO|CEO|CTO|COO|CIO|CISO|DPO|HR|L&D|IT|Finance|Legal|Procurement|Payroll|"
        r"Security|Logistics|Sales)\b"
    ),
}
# A kind asked for, and the kinds that answer it: "when" is answered by a date or a time, or
# by a span of time ("within 5 working days", "15 working days before start").
_ANSWERED_BY = {
    NUMBER: (NUMBER,),
    DURATION: (DURATION,),
    FREQUENCY: (FREQUENCY,),
    TIME: (TIME, DURATION),
    PERCENT: (PERCENT,),
    ROLE: (ROLE,),
}


# "How do I sign up for a tandem", "how to book a room": the verb of the task asked.
_TASK = re.compile(
    r"how\s+(?:(?:do|can|should|could|would|shall|must)\s+(?:i|we|you|one)\s+|to\s+)([a-z]+)"
)


@lru_cache(maxsize=256)
def asked(query: str) -> str | None:
    """The kind of answer `query` asks for by its opening words, or None."""
    rest = query[_LEAD.match(query).end() :].lower()
    return next((kind for pattern, kind in _ASKS if pattern.match(rest)), None)


@lru_cache(maxsize=256)
def asked_task(query: str) -> str | None:
    """The verb of the task `query` asks how to do by its opening words ("sign" of "how do
    I sign up for a tandem"), or None."""
    rest = query[_LEAD.match(query).end() :].lower()
    return m.group(1) if (m := _TASK.match(rest)) else None


@lru_cache(maxsize=8192)
def holds(text: str, kind: str, names: re.Pattern[str] | None = None) -> bool:
    """Whether `text` holds an answer of `kind` (one of `asked`'s kinds); `names` (`naming`)
    are people who answer "who" as a role does."""
    if kind == ROLE and names is not None and names.search(text):
        return True
    return any(_HOLDS[k].search(text) for k in _ANSWERED_BY[kind])


def naming(names: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern finding any of `names` written in full ("Grace O'Connor", whatever the
    apostrophe): a first name alone is no one ("grace period")."""
    full = {" ".join(n.split()) for n in names if len(n.split()) >= 2}
    full = sorted(full, key=len, reverse=True)
    if not full:
        return None
    spelled = (re.escape(n).replace("'", "['’]").replace(r"\ ", r"\s+") for n in full)
    return re.compile(r"(?<!\w)(?:" + "|".join(spelled) + r")(?!\w)")
