"""Segment files parsed once per process (and what is made of them, such as a catalogue).

A segment never changes after it is written, and the manifest names each file's SHA-256, so
what a process parsed from a file with that digest stands for the file. A process that indexes
again and again (the app's reindex, a watcher, a benchmark) then parses only the segments that
are new since its last run, as Lucene's IndexWriter pools its segment readers. A `kb index`
command parses each file once anyway.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

LIMIT = 48  # three per segment (sources, catalogue, words): an index has a handful
_parsed: OrderedDict[tuple[str, str], object] = OrderedDict()
_lock = threading.Lock()


def parsed(kind: str, digest: str | None, parse: Callable[[], T]) -> T:
    """`parse()`, or what it returned for the file of this kind and SHA-256 before (without
    a digest, as in an index from before checksums, it always parses)."""
    if not digest:
        return parse()
    key = (kind, digest)
    with _lock:
        if key in _parsed:
            _parsed.move_to_end(key)
            return _parsed[key]  # type: ignore[return-value]
    value = parse()
    offer(kind, digest, value)
    return value


def offer(kind: str, digest: str, value: object) -> None:
    """Keep `value` as what parsing the file of this kind and SHA-256 gives (its writer has
    it in hand: the next run in this process then parses nothing)."""
    with _lock:
        _parsed[(kind, digest)] = value
        _parsed.move_to_end((kind, digest))
        while len(_parsed) > LIMIT:
            _parsed.popitem(last=False)


def clear() -> None:
    with _lock:
        _parsed.clear()
