"""Every error kb raises on purpose; the CLI and app turn these into one-line messages."""

from __future__ import annotations


class KbError(Exception):
    """Base class: a problem the user can fix; the message says how."""


class ContentError(KbError):
    """The content folder is missing or holds nothing to index."""


class IndexMissingError(KbError):
    """No index where one was expected."""


class IndexMismatchError(KbError):
    """The index was built with another model or format than the one in use."""


class IndexCorruptError(KbError):
    """The index files are unreadable or inconsistent with the manifest."""


class ModelError(KbError):
    """The embedding model could not be loaded from its installed package."""


class EvalDataError(KbError):
    """An evaluation data set is missing a file or has a malformed line."""


class StrictModeError(KbError):
    """`--strict` was given and the build produced warnings (kept in `problems`)."""

    def __init__(self, message: str, problems: tuple = ()) -> None:
        super().__init__(message)
        self.problems = problems


class IndexLockedError(KbError):
    """Another `kb index` run is writing the same index folder."""


class UnknownPersonError(KbError):
    """No one of that name (or alias) wrote in the index."""
