"""Export jobs, stored where every worker process can see them.

``--workers N`` runs N processes; a job created by one must be visible to the others, so
jobs live in files under a folder the parent process chooses (or in memory for tests
and single-process use). Job ids are derived from what the job exports, so creating the
same export twice yields the same job.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol


class JobStore(Protocol):
    """Where export jobs are kept."""

    def create(self, job_id: str, spec: dict[str, Any]) -> dict[str, Any]:
        """Store a job (or return the one already stored under ``job_id``)."""

    def get(self, job_id: str) -> dict[str, Any] | None:
        """The job, or None."""


def _new_job(job_id: str, spec: dict[str, Any]) -> dict[str, Any]:
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return {
        "id": job_id,
        **spec,
        "status": "completed",
        "progress": 100,
        "created_at": now,
        "completed_at": now,
    }


class MemoryJobStore:
    """Jobs in a dict: one process only."""

    def __init__(self) -> None:
        self._jobs: dict[str, dict[str, Any]] = {}

    def create(self, job_id: str, spec: dict[str, Any]) -> dict[str, Any]:
        """Store a job (or return the one already stored under ``job_id``)."""
        return self._jobs.setdefault(job_id, _new_job(job_id, spec))

    def get(self, job_id: str) -> dict[str, Any] | None:
        """The job, or None."""
        return self._jobs.get(job_id)


class FileJobStore:
    """Jobs as JSON files in a folder shared by every worker."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def _path(self, job_id: str) -> Path | None:
        safe = "".join(c for c in job_id if c.isalnum() or c == "-")
        return self.folder / f"{safe}.json" if safe and safe == job_id else None

    def create(self, job_id: str, spec: dict[str, Any]) -> dict[str, Any]:
        """Store a job (or return the one already stored under ``job_id``)."""
        existing = self.get(job_id)
        if existing is not None:
            return existing
        job = _new_job(job_id, spec)
        path = self._path(job_id)
        if path is not None:
            handle, temp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(job, out)
            os.replace(temp, path)  # atomic: readers never see half a job
        return job

    def get(self, job_id: str) -> dict[str, Any] | None:
        """The job, or None."""
        path = self._path(job_id)
        if path is None or not path.is_file():
            return None
        try:
            return dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return None
