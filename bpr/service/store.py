"""Job records and results in SQLite, so that a restart loses no finished result.

One table, ``jobs``; a row per request that ran (inline or as a job). Results are kept as JSON text, so
an identical request (same ``key``: the hash of its canonical JSON) is answered from here without
simulating again. WAL mode lets readers go on while a result is written. At start-up every job still
marked queued or running belonged to a server that was killed: it is marked failed with that reason.

The stdlib ``sqlite3`` module is enough: writes are a few per job, and each takes well under a millisecond.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ACTIVE", "FINISHED", "JobRecord", "JobStore"]

ACTIVE = ("queued", "running")
FINISHED = ("done", "failed", "cancelled")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id        TEXT PRIMARY KEY,
    key       TEXT NOT NULL,
    kind      TEXT NOT NULL,
    status    TEXT NOT NULL,
    progress  REAL NOT NULL DEFAULT 0,
    estimate  REAL NOT NULL DEFAULT 0,
    created   REAL NOT NULL,
    started   REAL,
    finished  REAL,
    result    TEXT,
    issues    TEXT
);
CREATE INDEX IF NOT EXISTS jobs_key ON jobs (key, status);
"""


@dataclass(frozen=True, slots=True)
class JobRecord:
    """One row of the store, as the API shows it."""

    id: str
    key: str
    kind: str
    status: str
    progress: float
    estimate: float
    created: float
    started: float | None
    finished: float | None
    result: Any | None
    issues: list[dict[str, Any]] | None

    def to_dict(self, with_result: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "progress": self.progress,
            "estimate_seconds": round(self.estimate, 3),
            "created_at": _iso(self.created),
            "started_at": _iso(self.started),
            "finished_at": _iso(self.finished),
        }
        data["result"] = self.result if with_result and self.status == "done" else None
        data["issues"] = self.issues or None
        return data


def _iso(stamp: float | None) -> str | None:
    if stamp is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(stamp)) + f".{int(stamp % 1 * 1000):03d}Z"


class JobStore:
    """Thread-safe access to the jobs table of one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- writing -----------------------------------------------------------------------------------

    def create(self, key: str, kind: str, estimate: float) -> JobRecord:
        job_id = uuid.uuid4().hex
        now = time.time()
        with self._lock:
            self._db.execute(
                "INSERT INTO jobs (id, key, kind, status, progress, estimate, created) VALUES (?,?,?,?,?,?,?)",
                (job_id, key, kind, "queued", 0.0, estimate, now),
            )
        record = self.get(job_id)
        assert record is not None
        return record

    def mark_running(self, job_id: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET status='running', started=? WHERE id=? AND status='queued'", (time.time(), job_id)
            )

    def set_progress(self, job_id: str, progress: float) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET progress=? WHERE id=? AND status IN ('queued','running')",
                (max(0.0, min(1.0, progress)), job_id),
            )

    def finish(self, job_id: str, result: Any) -> bool:
        """Store the result of an active job; False when it had already ended (cancelled meanwhile)."""
        text = json.dumps(result, ensure_ascii=False, separators=(",", ":"))
        with self._lock:
            cursor = self._db.execute(
                "UPDATE jobs SET status='done', progress=1, finished=?, result=? WHERE id=? AND status IN ('queued','running')",
                (time.time(), text, job_id),
            )
            return cursor.rowcount == 1

    def fail(self, job_id: str, issues: list[dict[str, Any]], status: str = "failed") -> bool:
        """Mark an active job failed (or cancelled); False when it had already finished."""
        with self._lock:
            cursor = self._db.execute(
                "UPDATE jobs SET status=?, finished=?, issues=? WHERE id=? AND status IN ('queued','running')",
                (status, time.time(), json.dumps(issues, ensure_ascii=False), job_id),
            )
            return cursor.rowcount == 1

    def fail_interrupted(self, reason: str) -> int:
        """At start-up: jobs left queued or running by a killed server are failed with ``reason``."""
        issues = json.dumps([{"message": reason, "path": "", "file": "<server>", "line": None, "column": None,
                              "hint": "submit the request again", "severity": "error"}], ensure_ascii=False)
        with self._lock:
            cursor = self._db.execute(
                "UPDATE jobs SET status='failed', finished=?, issues=? WHERE status IN ('queued','running')",
                (time.time(), issues),
            )
            return cursor.rowcount

    def prune(self, older_than_seconds: float) -> int:
        with self._lock:
            cursor = self._db.execute(
                "DELETE FROM jobs WHERE finished IS NOT NULL AND finished < ?", (time.time() - older_than_seconds,)
            )
            return cursor.rowcount

    # --- reading -----------------------------------------------------------------------------------

    def get(self, job_id: str) -> JobRecord | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM jobs WHERE id=?", (job_id,)).fetchone()
        return _record(row) if row else None

    def find_done(self, key: str) -> JobRecord | None:
        """The latest finished result of an identical request, if any."""
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM jobs WHERE key=? AND status='done' ORDER BY finished DESC LIMIT 1", (key,)
            ).fetchone()
        return _record(row) if row else None

    def find_active(self, key: str) -> JobRecord | None:
        """A queued or running job of an identical request, if any."""
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM jobs WHERE key=? AND status IN ('queued','running') ORDER BY created LIMIT 1", (key,)
            ).fetchone()
        return _record(row) if row else None


_COLUMNS = ("id", "key", "kind", "status", "progress", "estimate", "created", "started", "finished", "result",
            "issues")


def _record(row: tuple[Any, ...]) -> JobRecord:
    values = dict(zip(_COLUMNS, row))
    values["result"] = json.loads(values["result"]) if values["result"] is not None else None
    values["issues"] = json.loads(values["issues"]) if values["issues"] is not None else None
    return JobRecord(**values)
