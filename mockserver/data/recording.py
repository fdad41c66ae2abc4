"""Recording: folding a real provider's answers into fixtures (``serve --proxy --record``).

Realistic fixtures come from what the real API answered. Each answer the proxy found valid
for a ``list`` or ``get`` operation is folded into ``DIR/<api name>/`` in the fixtures
format (``fixtures/README.md``): a ``mock.yaml`` declaring the dataset and the operations,
and a JSON array of records per dataset. Records are keyed by their id, so a record seen in
a list and again in a get is one record (the get's fields, the full form, win), and the
list and the get serve the same record afterwards.

Nothing secret is written: values of ``writeOnly`` and ``format: password`` properties are
left out, and so is any string carrying a credential the request sent. Existing files are
merged, never overwritten wholesale, and written atomically (a temporary file, then
``os.replace``), under a lock, so several workers can record into one folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mockserver.data.declaration import DECLARATION_NAME, Dataset, OperationBehaviour
from mockserver.spec.model import Schema, SchemaRegistry
from mockserver.spec.navigate import at_pointer, child, deref
from mockserver.spec.pointer import resolve_pointer

#: The behaviours whose answers are records worth keeping.
RECORDED = ("list", "get")
_THREAD_LOCK = threading.Lock()


@dataclass(frozen=True)
class Answered:
    """One valid provider answer to fold in: the operation's behaviour, its dataset, the
    body (parsed JSON), the body's schema, and the credentials the request carried."""

    behaviour: OperationBehaviour
    dataset: Dataset
    body: Any
    schema: Schema | None
    secrets: frozenset[str] = frozenset()


class Recording:
    """The fixture folder of one API, folded into answer by answer."""

    def __init__(self, folder: Path, spec: str, registry: SchemaRegistry) -> None:
        self.folder = folder
        self.spec = spec
        self.registry = registry

    def fold(self, answered: Answered) -> int:
        """Fold one answer's records in; returns how many records it carried."""
        behaviour = answered.behaviour
        if behaviour.kind not in RECORDED:
            return 0
        records = self._records(answered)
        if not records:
            return 0
        with self._locked():
            self._merge_records(answered.dataset, records)
            self._merge_declaration(answered.dataset, behaviour)
        return len(records)

    def _records(self, answered: Answered) -> list[dict[str, Any]]:
        behaviour, body = answered.behaviour, answered.body
        if behaviour.kind == "get":
            found, item_pointer = [body], ""
        else:
            try:
                found = resolve_pointer(body, behaviour.items)
            except LookupError:
                return []
            item_pointer = behaviour.items + "/0"
        schema = answered.schema
        item = at_pointer(schema, self.registry, item_pointer) if schema is not None else None
        id_field = answered.dataset.id_field
        cleaned = [
            _clean(record, item, self.registry, answered.secrets)
            for record in (found if isinstance(found, list) else [])
            if isinstance(record, dict)
        ]
        return [r for r in cleaned if isinstance(r, dict) and r.get(id_field) is not None]

    def _merge_records(self, dataset: Dataset, records: list[dict[str, Any]]) -> None:
        path = self.folder / f"{dataset.name}.json"
        kept: list[dict[str, Any]] = json.loads(path.read_text("utf-8")) if path.exists() else []
        by_id = {_key(r.get(dataset.id_field)): r for r in kept if isinstance(r, dict)}
        for record in records:
            key = _key(record[dataset.id_field])
            by_id[key] = {**by_id.get(key, {}), **record}
        _write_atomically(path, json.dumps(list(by_id.values()), indent=2, ensure_ascii=False))

    def _merge_declaration(self, dataset: Dataset, behaviour: OperationBehaviour) -> None:
        path = self.folder / DECLARATION_NAME
        data: dict[str, Any] = {}
        if path.exists():
            data = yaml.safe_load(path.read_text("utf-8")) or {}
        data.setdefault("spec", self.spec)
        datasets = data.setdefault("datasets", {})
        datasets.setdefault(dataset.name, {"file": f"{dataset.name}.json", "id": dataset.id_field})
        operations = data.setdefault("operations", {})
        operations.setdefault(behaviour.operation_id, declared(behaviour))
        _write_atomically(path, yaml.safe_dump(data, sort_keys=False, allow_unicode=True))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer at a time: threads of this process, then processes (workers)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with _THREAD_LOCK, open(self.folder / ".recording.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def declared(behaviour: OperationBehaviour) -> dict[str, Any]:
    """The operation's entry in ``mock.yaml``: its behaviour, dataset, and where its
    records are (a list's items, a get's id parameter, a list's paging)."""
    entry: dict[str, Any] = {"behaviour": behaviour.kind, "dataset": behaviour.dataset}
    if behaviour.kind == "list":
        entry["items"] = behaviour.items
        paging = behaviour.paging
        if paging is not None:
            entry["paging"] = _paging(paging)
    if behaviour.param:
        entry["param"] = behaviour.param
    if behaviour.scope:
        entry["scope"] = behaviour.scope
    return entry


def _paging(paging: Any) -> dict[str, Any]:
    names = {"style": paging.style, "page-param": paging.page_param,
             "offset-param": paging.offset_param, "size-param": paging.size_param,
             "cursor-param": paging.cursor_param, "default-size": paging.default_size}  # fmt: skip
    if paging.style == "page":
        names["first"] = paging.first
    return {k: v for k, v in names.items() if v is not None}


def _clean(
    value: Any, schema: Schema | None, registry: SchemaRegistry, secrets: frozenset[str]
) -> Any:
    """``value`` without secret properties (``writeOnly``, ``format: password``) and
    without strings that carry a credential the request sent."""
    if isinstance(value, dict):
        kept: dict[str, Any] = {}
        for key, item in value.items():
            sub = child(schema, registry, key) if schema is not None else None
            if sub is not None and _secret(deref(sub, registry).value):
                continue
            if isinstance(item, str) and _carries(item, secrets):
                continue
            kept[key] = _clean(item, sub, registry, secrets)
        return kept
    if isinstance(value, list):
        sub = child(schema, registry, "0") if schema is not None else None
        return [_clean(v, sub, registry, secrets) for v in value]
    return value


def _secret(node: Any) -> bool:
    return isinstance(node, Mapping) and (
        node.get("writeOnly") is True or node.get("format") == "password"
    )


def _carries(text: str, secrets: frozenset[str]) -> bool:
    return any(secret in text for secret in secrets)


def _key(value: Any) -> str:
    """Ids compare as JSON: ``1`` and ``"1"`` are different records."""
    return json.dumps(value, sort_keys=True)


def _write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file next to ``path``, then put it in place."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text if text.endswith("\n") else text + "\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
