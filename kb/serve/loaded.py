"""What every API replica keeps: the loaded index, reloaded when a build publishes a new one,
and what a caller may be told when it cannot be loaded."""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

from kb.backends.location import IndexLocation
from kb.config import Settings
from kb.embed.base import Embedder, query_embedder_for
from kb.errors import (
    IndexCorruptError,
    IndexIncompleteError,
    IndexMismatchError,
    IndexMissingError,
    IndexTooNewError,
    IndexUnreachableError,
    KbError,
    ModelError,
)
from kb.service import KnowledgeBase, open_knowledge_base

_log = logging.getLogger("kb.serve")


class LoadedIndex:
    """The loaded index of one process, reloaded when a build publishes a new one.

    A new build is loaded, and its first search made, in a background thread while the last
    one goes on answering: at 100,000 pages that takes half a minute, which every request
    (they share this object) would otherwise wait for after each edit. The request that
    notices the new build waits for it up to `PATIENCE` seconds, by when a small index is
    ready. A new build that cannot be loaded is logged, and the last one answers on. One whose
    files have not all arrived (a manifest copied before them) is tried again, after
    `RETRY_FIRST` seconds, then twice as long each time up to `RETRY_MAX`: its manifest does
    not change when they arrive, and a build that does not change is otherwise not retried."""

    PATIENCE = 1.0
    RETRY_FIRST = 2.0
    RETRY_MAX = 300.0

    def __init__(
        self,
        where: IndexLocation,
        search_log: Path | None = None,
        *,
        embedder_for: Callable[[str], Embedder] = query_embedder_for,
    ) -> None:
        """`embedder_for`: the query embedder of a model name; each build of the same model
        reuses the one made for the first."""
        self.where = where
        self.search_log = search_log
        self._embedder_for = embedder_for
        self._embedder: tuple[str, Embedder] | None = None
        self._lock = threading.Lock()
        self._warm_lock = threading.Lock()
        self._kb: KnowledgeBase | None = None
        self._stamp: object = None
        self._loading = False  # a newer build is being loaded
        self._failed: object = None  # the stamp of a build that could not be loaded
        self._failure = ""  # why, as a caller may be told
        self._retry_at: float | None = None  # when to try the failed build again, if ever
        self._retry_wait = 0.0
        self._warming: threading.Thread | None = None  # a first load `ready` started
        self._not_ready = ""  # why the last such load failed, as a caller may be told

    def get(self) -> KnowledgeBase:
        stamp = self.where.stamp()
        with self._lock:
            if self._kb is None:  # nothing to answer with: load now (KbError: no index)
                self._kb = self._open()
                self._kb.learn_words_ahead()
                self._stamp = stamp
                return self._kb
            if stamp == self._stamp or self._loading:
                return self._kb
            retry = stamp == self._failed
            if retry and (self._retry_at is None or time.monotonic() < self._retry_at):
                return self._kb
            self._loading = True
            loader = threading.Thread(target=self._load, args=(stamp,), daemon=True)
            loader.start()
        if not retry:  # a retry is likely to fail again: no request waits for it
            loader.join(self.PATIENCE)
        with self._lock:
            return self._kb

    def _load(self, stamp: object) -> None:
        kb, failure, incomplete = None, "see the server's log", False
        try:
            kb = self._open()
            kb.prepare()
        except KbError as err:
            _log.warning("a new index could not be loaded (%s); the last one answers", err)
            kb, failure = None, public_message(err)
            incomplete = isinstance(err, IndexIncompleteError)
        except Exception:  # noqa: BLE001 - no request would hear of it: said in the log
            _log.exception("a new index could not be loaded; the last one answers")
            kb = None
        finally:
            with self._lock:
                if kb is None:
                    if stamp != self._failed:
                        self._retry_wait = 0.0
                    self._failed, self._failure = stamp, failure  # tried again on the next
                    self._retry_at = self._next_retry() if incomplete else None
                else:
                    self._kb, self._stamp, self._failed, self._failure = kb, stamp, None, ""
                    self._retry_at = None
                    kb.learn_words_ahead()  # typo correction's words, as at the first load
                self._loading = False

    def _next_retry(self) -> float:
        """When a build whose files have not all arrived is tried again (backing off)."""
        self._retry_wait = min(self.RETRY_MAX, max(self.RETRY_FIRST, 2 * self._retry_wait))
        return time.monotonic() + self._retry_wait

    def status(self) -> dict:
        """What a health check adds to the loaded build: whether a newer one is loading, and
        why the newest could not be loaded (what to run, never a server path)."""
        with self._lock:
            out: dict = {"loading": self._loading}
            if self._failure:
                out["newer_build"] = f"could not be loaded: {self._failure}"
            return out

    def ready(self) -> str:
        """ "" when a build answers; else why not, at once: a probe must not wait for a first
        load (half a minute at 100,000 pages). Starts that load in the background unless
        one is under way, so a server becomes ready without a request, and takes up an index
        built after it started."""
        if self._kb is not None:
            return ""
        with self._warm_lock:
            if self._warming is None or not self._warming.is_alive():
                self._warming = threading.Thread(target=self._warm, daemon=True)
                self._warming.start()
            return self._not_ready or "loading the index"

    def _warm(self) -> None:
        try:
            self.get()
        except KbError as err:
            _log.warning("no index to answer with: %s", err)
            self._not_ready = public_message(err)
        except Exception:  # noqa: BLE001 - no request would hear of it: said in the log
            _log.exception("the index could not be loaded")
            self._not_ready = "the index could not be loaded; see the server's log"

    @property
    def loaded(self) -> bool:
        """Whether a build is loaded (`get` then answers at once)."""
        return self._kb is not None

    def _open(self) -> KnowledgeBase:
        # The consent key checks logged searches (kb gaps).
        settings = Settings(consent_key=os.environ.get("KB_CONSENT_KEY", ""))
        model = self.where.model()
        if self._embedder is None or self._embedder[0] != model:
            self._embedder = (model, self._embedder_for(model))
        return open_knowledge_base(
            self.where, settings, embedder=self._embedder[1], search_log=self.search_log
        )


# What a caller is told: what to run on the server, never where the server keeps things.
_PUBLIC = {
    IndexMissingError: "no index yet; run 'kb index' on the server",
    # Before IndexCorruptError, its base: the first kind that fits says it.
    IndexIncompleteError: "the newest build's files have not all arrived (copy its data files "
    "before its manifest.json); it is loaded once they have",
    IndexCorruptError: "the index is damaged or unreadable; run 'kb index' on the server",
    IndexTooNewError: "a newer kb built the index; upgrade kb on the server to the version "
    "that built it",
    IndexMismatchError: "the index was built with another model or format; "
    "run 'kb index' on the server",
    ModelError: "the embedding model cannot be loaded; see the server's log",
    # Its message names the server's Milvus address, which pymilvus's error repeats.
    IndexUnreachableError: "the index's database cannot be reached; see the server's log",
}
_PATH = re.compile(r"(?<![\w:/])/[^\s'\"]+")
# Where the server's index lives (a Milvus URI, maybe with a password) is the server's too.
_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"]+")


def public_message(err: KbError) -> str:
    for kind, message in _PUBLIC.items():
        if isinstance(err, kind):
            return message
    return _PATH.sub("<server path>", _URL.sub("<server address>", str(err)))
