"""Another revision of this repository as a folder, for benchmarks that compare against it."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def export_revision(rev: str) -> Path:
    """The files of `rev` (`git archive`) in a new temporary folder; the caller removes it."""
    folder = Path(tempfile.mkdtemp(prefix="kb-baseline-"))
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder
