"""What every API replica keeps: the loaded index, reloaded when a build publishes a new one,
and what a caller may be told when it cannot be loaded."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from kb.backends.location import IndexLocation
from kb.config import Settings
from kb.errors import (
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    KbError,
    ModelError,
)
from kb.service import KnowledgeBase, open_knowledge_base


class LoadedIndex:
    """The loaded index of one process, reloaded when a build publishes a new one."""

    def __init__(self, where: IndexLocation, search_log: Path | None = None) -> None:
        self.where = where
        self.search_log = search_log
        self._lock = threading.Lock()
        self._kb: KnowledgeBase | None = None
        self._stamp: object = None

    def get(self) -> KnowledgeBase:
        stamp = self.where.stamp()
        with self._lock:
            if self._kb is None or stamp != self._stamp:
                # KbError: no index. The consent key checks logged searches (kb gaps).
                settings = Settings(consent_key=os.environ.get("KB_CONSENT_KEY", ""))
                self._kb = open_knowledge_base(self.where, settings, search_log=self.search_log)
                self._kb.learn_words_ahead()
                self._stamp = stamp
            return self._kb


# What a caller is told: what to run on the server, never where the server keeps things.
_PUBLIC = {
    IndexMissingError: "no index yet; run 'kb index' on the server",
    IndexCorruptError: "the index is damaged or unreadable; run 'kb index' on the server",
    IndexMismatchError: "the index was built with another model or format; "
    "run 'kb index' on the server",
    ModelError: "the embedding model cannot be loaded; see the server's log",
}
_PATH = re.compile(r"(?<![\w:/])/[^\s'\"]+")


def public_message(err: KbError) -> str:
    for kind, message in _PUBLIC.items():
        if isinstance(err, kind):
            return message
    return _PATH.sub("<server path>", str(err))
