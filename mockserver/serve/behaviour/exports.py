"""The export behaviours: the selected records as a CSV or JSON Lines file, at once
(``export``) or through a job kept in the state store (``export-create``, then
``export-status`` and ``export-download``)."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from mockserver.data.dataset import Record
from mockserver.data.declaration import Declaration, OperationBehaviour
from mockserver.data.records import field_value
from mockserver.data.templates import Facts, apply
from mockserver.serve.behaviour.result import BehaviourResult
from mockserver.serve.behaviour.selection import matching
from mockserver.serve.problems import Problem
from mockserver.serve.request import MockRequest
from mockserver.serve.sessions import SessionView
from mockserver.serve.state import StateStore
from mockserver.serve.state.store import new_job
from mockserver.serve.writes import Writer
from mockserver.spec.model import ApiDocument

JOB_NAMESPACE = uuid.UUID("6f6b3c52-54a1-4c39-9d32-3a4d5b0d7e11")


class Exports:
    """One document's exports and export jobs."""

    def __init__(
        self, declaration: Declaration, document: ApiDocument, state: StateStore, writer: Writer
    ) -> None:
        self.declaration = declaration
        self.document = document
        self.state = state
        self.writer = writer

    def export(
        self, behaviour: OperationBehaviour, request: MockRequest, view: SessionView
    ) -> BehaviourResult:
        """The selected records as a file, at once."""
        ordered, _ = matching(behaviour, request, view)
        return self._exported(behaviour, ordered)

    def create(
        self, behaviour: OperationBehaviour, request: MockRequest, view: SessionView
    ) -> BehaviourResult:
        """A job that remembers the selected records, to download later."""
        ordered, _ = matching(behaviour, request, view)
        dataset = self.declaration.datasets[behaviour.dataset]
        ids = [str(r[dataset.id_field]) for r in ordered]
        job_id = str(uuid.uuid5(JOB_NAMESPACE, json.dumps([behaviour.dataset, ids])))
        kept = apply(behaviour.job, {}, Facts(request))  # what the declaration keeps with it
        spec = {**kept, "dataset": behaviour.dataset, "ids": ids}
        job = self.state.create_job(view.session, new_job(job_id, spec))
        facts = Facts(request, job=self._job_facts(job, request))
        return BehaviourResult(200, apply(behaviour.set, {}, facts))

    def status(
        self, behaviour: OperationBehaviour, request: MockRequest, view: SessionView
    ) -> BehaviourResult:
        """What the job the request names holds."""
        job = self._job(behaviour, request, view)
        facts = Facts(request, job=self._job_facts(job, request))
        return BehaviourResult(200, apply(behaviour.set, {}, facts))

    def download(
        self, behaviour: OperationBehaviour, request: MockRequest, view: SessionView
    ) -> BehaviourResult:
        """The records of the job the request names, as a file."""
        job = self._job(behaviour, request, view)
        by_id = view.index(job["dataset"]).by_id
        records = [by_id[i] for i in job["ids"] if i in by_id]
        return self._exported(behaviour, records, job["dataset"])

    def _exported(
        self, behaviour: OperationBehaviour, records: list[Record], dataset: str | None = None
    ) -> BehaviourResult:
        """The records as a CSV or JSON Lines file, without what is never returned."""
        served = [self.writer.served(dataset or behaviour.dataset, r) for r in records]
        if behaviour.format == "csv":
            return BehaviourResult(200, _csv(served, behaviour.columns), "text/csv")
        return BehaviourResult(200, _json_lines(served), "application/x-ndjson")

    def _job(
        self, behaviour: OperationBehaviour, request: MockRequest, view: SessionView
    ) -> Mapping[str, Any]:
        job_id = str(request.value(behaviour.param or "job_id"))
        job = self.state.get_job(view.session, job_id)
        if job is None:
            raise Problem(404, f"export job {job_id!r} was not found")
        return job

    def _job_facts(self, job: Mapping[str, Any], request: MockRequest) -> dict[str, Any]:
        download = next(
            (b for b in self.declaration.operations.values() if b.kind == "export-download"),
            None,
        )
        url = None
        if download is not None:
            op = self.document.operation(download.operation_id)
            if op is not None and download.param:
                path = op.path.replace("{" + download.param + "}", str(job["id"]))
                url = request.raw.mount + path
        return {**job, "count": len(job["ids"]), "download_url": url}


def _csv(records: Iterable[Record], columns: Sequence[str]) -> str:
    records = list(records)
    columns = list(columns) or sorted({k for r in records for k in r})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([_cell(field_value(record, c)) for c in columns])
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _json_lines(records: Iterable[Record]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in records)
