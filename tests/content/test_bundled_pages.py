"""The bundled pages agree where two of them state the same fact (read through the parser,
as the index reads them): a reader who finds one page must not be told another deadline."""

from __future__ import annotations

import re

from helpers import CONTENT

from kb.content.parse import parse_markdown

# The HR process and the service desk's laptop page both give the day the "New starter"
# request must be in by (they said 15 and 10 working days).
NEW_STARTER = ("hr/new-starter-process.md", "service-desk/laptop-provisioning.md")
BEFORE_START = re.compile(r"(\d+) (?:working|business) days before start")


def deadlines(path: str) -> set[int]:
    doc, problems = parse_markdown((CONTENT / path).read_bytes(), path)
    assert not problems
    lines = (line for s in doc.sections for line in s.text.splitlines())
    return {int(n) for line in lines if '"New starter"' in line for n in BEFORE_START.findall(line)}


def test_the_new_starter_pages_give_one_deadline_for_the_new_starter_request():
    hr, laptops = map(deadlines, NEW_STARTER)
    # 15, as HR says and explains: the laptop page's own stock-out lead time (5-8 business
    # days after a device is assigned) and the service portal's 10 business days for a
    # hardware order do not fit in 10.
    assert hr == {15}
    assert laptops == hr
