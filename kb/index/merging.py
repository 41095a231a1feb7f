"""Which segments a build folds into the segment it writes: a bounded, tiered merge policy.

A build writes one small segment for the pages it read afresh. Left alone, segments would pile
up (one per edit) and every query would visit them all; merged every time, an edit would
rewrite the whole index again. The policy sits between, as Lucene's log merge policy does:

- going from the newest segment back, a segment no more than `FACTOR` times the size of what
  is being written joins it, so sizes fall by more than `FACTOR` from oldest to newest and
  there are about log(rows) / log(FACTOR) segments;
- a merge never grows past `CAP` of the index (the large base segment is not rewritten for a
  one-page edit; `kb index --merge` does that on request);
- a segment with more deleted rows than live ones is folded in whatever its size: search
  would otherwise scan mostly dead rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

FACTOR = 4
CAP = 0.1  # of the index's live rows: the largest merge an edit may cause
SMALL = 1000  # rows: segments this small merge freely, whatever the index's size


@dataclass(frozen=True)
class SegmentSize:
    rows: int  # rows written in the segment
    live: int  # rows of its pages not deleted


def to_fold(segments: Sequence[SegmentSize], new: int) -> set[int]:
    """The positions (oldest first) of the segments to fold into a new one of `new` rows."""
    total = sum(s.live for s in segments) + new
    cap = max(SMALL, CAP * total)
    fold = {i for i, s in enumerate(segments) if s.live * 2 < s.rows}
    size = new + sum(segments[i].live for i in fold)
    grown = new  # what the cascade adds (a mostly deleted segment is rewritten anyway)
    for i in range(len(segments) - 1, -1, -1):
        if i in fold:
            continue
        live = segments[i].live
        if live > FACTOR * max(size, 1) or grown + live > cap:
            break
        fold.add(i)
        size += live
        grown += live
    return fold
