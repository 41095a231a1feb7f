"""Every error kb raises on purpose; the CLI and app turn these into one-line messages."""

from __future__ import annotations

import errno
import os
from pathlib import Path


def folder_text(path: Path | str) -> str:
    """A folder as messages show it: its path with one trailing slash (`/`, not `//`)."""
    text = os.fspath(path)
    return text if text.endswith(os.sep) else text + os.sep


class KbError(Exception):
    """Base class: a problem the user can fix; the message says how."""


class ContentError(KbError):
    """The content folder is missing or holds nothing to index."""


class IndexMissingError(KbError):
    """No index where one was expected."""


class IndexMismatchError(KbError):
    """The index was built with another model or format than the one in use."""


class IndexTooNewError(IndexMismatchError):
    """The index was written by a newer kb, in a format this one cannot read."""


class IndexCorruptError(KbError):
    """The index files are unreadable or inconsistent with the manifest."""


class IndexIncompleteError(IndexCorruptError):
    """Files the manifest names are missing or cut short: a copy not finished, or lost."""


class IndexUnreachableError(KbError):
    """The server holding the index (a Milvus server) could not be reached or opened."""


class ModelError(KbError):
    """The embedding model could not be loaded from its installed package."""


class EvalDataError(KbError):
    """An evaluation data set is missing a file or has a malformed line."""


class StrictModeError(KbError):
    """`--strict` was given and the build produced warnings (kept in `problems`)."""

    def __init__(self, message: str, problems: tuple = ()) -> None:
        super().__init__(message)
        self.problems = problems


class IndexFolderError(KbError):
    """The index folder is one kb must not write into (the content folder, another's files)."""


class IndexWriteError(KbError):
    """The index folder cannot be written: disk full, read-only, no permission."""

    @classmethod
    def of(cls, index_dir: Path, err: OSError) -> IndexWriteError:
        """The one-line message for `err`, raised while writing `index_dir`."""
        if err.errno in (errno.ENOSPC, errno.EDQUOT):
            return cls(
                f"disk full while writing {folder_text(index_dir)}; the index was not changed; "
                "free space and run again"
            )
        return cls(
            f"cannot write {folder_text(index_dir)} ({err.strerror or err}); the index was not "
            "changed; make the folder writable or pick another with --index-dir"
        )


class IndexLockedError(KbError):
    """Another `kb index` run is writing the same index folder."""


class UnknownPersonError(KbError):
    """No one of that name (or alias) wrote in the index."""


class SettingError(KbError):
    """An environment setting (KB_EDIT_URL, KB_APP_URL, ...) has a value kb cannot use."""


class ImportSourceError(KbError):
    """A file given to `kb import` cannot be converted (corrupt, encrypted, empty, mislabelled)."""
