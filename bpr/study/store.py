"""The run store: every finished run of a sweep as one JSON file named by its key, so that a sweep that was
interrupted (Ctrl-C, a lost machine, a full disk) continues where it stopped.

A record is written the moment its run finishes, whole or not at all (a temporary file renamed into place),
under ``<folder>/<first two hex digits of the key>/<key>.json``; a sweep looks each run up before it runs
it. As the key covers the process, the changes, the options and the code (:func:`bpr.study.runs.run_key`),
one folder can serve many sweeps: a catalogue with a process added runs only that process, and the runs of
a catalogue shared by two sweeps are run once. A file that cannot be read back (a disk error) counts as
missing: the run is done again.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from bpr.study.runs import RunRecord

__all__ = ["RunStore"]


class RunStore:
    """Finished runs in ``folder`` (created when the first run is stored)."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        if len(key) < 8 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError(f"not a run key: {key!r}")
        return self.folder / key[:2] / f"{key}.json"

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def get(self, key: str) -> RunRecord | None:
        """The stored record of run ``key``, or ``None``."""
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            record = RunRecord.from_data(data)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return record if record.key == key else None

    def put(self, record: RunRecord) -> None:
        """Store ``record`` atomically (a reader sees the old state or the whole new file)."""
        path = self._path(record.key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{record.key[:8]}-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(record.to_data(), out, ensure_ascii=False, separators=(",", ":"))
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def keys(self) -> list[str]:
        """Keys of every stored run."""
        return sorted(p.stem for p in self.folder.glob("??/*.json"))
