"""Which bpr computed a result: the installed version and a hash of the sources that decide the numbers.

Stored results are keyed by both (the sweep's run store, the service's job store), so that a result of older
code is never taken for one of newer code, even when the version string did not change (a source tree that
is not installed, a development install edited in place).
"""

from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

__all__ = ["BPR_VERSION", "code_fingerprint"]

try:
    BPR_VERSION = version("bpr")
except PackageNotFoundError:  # running from a source tree that is not installed
    BPR_VERSION = "0+unknown"


def code_fingerprint(*folders: str) -> str:
    """Hash of the sources that decide a result (the ``bpr`` subpackages named, with their subfolders)."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent.parent
    for folder in folders:
        for path in sorted((root / folder).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
