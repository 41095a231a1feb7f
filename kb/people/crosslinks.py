"""Which indexed pages link to which: the page graph that shadowing and onboarding read.

Links are read from each page's Markdown (kb check's reading of links and targets), once,
on first use: a corpus of many pages pays for it only when a programme needs the graph.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from kb.content.linking import link_target, page_named
from kb.content.parse import links
from kb.models import Page


def page_graph(pages: Mapping[str, Page]) -> dict[str, tuple[str, ...]]:
    """Each page's links to other indexed pages, each target once, in the page's order."""
    graph = {}
    for path, page in pages.items():
        out: list[str] = []
        for href, _ in links(page.body, 0):
            named = link_target(path, href)
            target = page_named(named[0], pages) if named else None
            if target is not None and target != path and target not in out:
                out.append(target)
        graph[path] = tuple(out)
    return graph


def inbound(graph: Mapping[str, tuple[str, ...]]) -> Counter[str]:
    """How many other pages link to each page."""
    return Counter(target for targets in graph.values() for target in targets)
