"""Several runners indexing one shared location: the shards of the pages, and the `finish`.

A page belongs to shard I of N by a hash of its path, so N runners split any corpus the same
way without talking to each other. Each builds its share into a folder of its own and
publishes it (`IndexLocation.publish`), deleting only within its own pages; `finish` (the
final step) deletes the pages that no longer exist.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kb.backends.base import PublishReport
from kb.backends.location import IndexLocation
from kb.content.discover import discover


@dataclass(frozen=True)
class Shard:
    """Shard `number` of `count` (1-based); 1/1 is everything."""

    number: int = 1
    count: int = 1

    @classmethod
    def parse(cls, text: str) -> Shard:
        try:
            number, count = (int(x) for x in text.split("/"))
        except ValueError:
            raise ValueError(f"--shard takes I/N, e.g. 1/4, not {text!r}") from None
        if not 1 <= number <= count:
            raise ValueError(f"--shard {text}: I must be between 1 and N")
        return cls(number, count)

    def owns(self, path: str) -> bool:
        """Whether the page at `path` (relative, with '/') is this shard's."""
        digest = int(hashlib.sha1(path.encode("utf-8")).hexdigest()[:8], 16)
        return digest % self.count == self.number - 1

    @property
    def whole(self) -> bool:
        return self.count == 1

    @property
    def select(self) -> Callable[[str], bool] | None:
        """The build's page filter (`build_index(select=...)`): None, every page, for 1/1."""
        return None if self.whole else self.owns

    def folder(self, index_dir: Path) -> Path:
        """Where this shard builds: `index_dir` itself for 1/1, else a folder of its own in it
        (so that shards run on one machine do not share a working index)."""
        return index_dir if self.whole else index_dir / f"shard-{self.number}-of-{self.count}"

    def pages(self, content_dir: Path, index_dir: Path) -> list[Path]:
        """This shard's pages in `content_dir` (`index_dir` left out, should it be inside)."""
        found = discover(content_dir, exclude=index_dir)
        return [f for f in found if self.owns(f.relative_to(content_dir).as_posix())]

    def __str__(self) -> str:
        return f"{self.number}/{self.count}"


def finish_shards(content_dir: Path, location: IndexLocation) -> PublishReport:
    """After all shards: keep the pages `content_dir` holds now, drop the others from
    `location`, and name the pages no shard has published."""
    present = {
        f.relative_to(content_dir).as_posix()
        for f in discover(content_dir, exclude=location.index_dir)
    }
    return location.finish(present)
