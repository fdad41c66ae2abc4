"""The vendored datasets are realistic, complete and valid."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from mockserver.data.binding import served_schemas
from mockserver.data.dataset import load_records
from mockserver.data.declaration import from_source
from mockserver.data.records import field_values, record_time
from mockserver.spec.loader import load_document
from mockserver.spec.navigate import child, declared_properties, deref
from mockserver.spec.source import load_source
from mockserver.validate.runner import validate_paths
from tests.conftest import FIXTURES, SPECS, VENDORED

DAY_MS = 24 * 3600 * 1000
DATASETS = [
    (name, dataset)
    for name in VENDORED
    for dataset in from_source(load_source(FIXTURES / name / "mock.yaml")).datasets
]


def test_validate_finds_every_fixture_clean() -> None:
    outcome = validate_paths([FIXTURES, SPECS], SPECS)
    assert outcome.findings == [] and outcome.exit_code() == 0


def _dataset(name: str, dataset: str) -> tuple[Any, list[dict[str, Any]]]:
    declaration = from_source(load_source(FIXTURES / name / "mock.yaml"))
    spec = declaration.datasets[dataset]
    return spec, load_records(spec)[1]


@pytest.mark.parametrize(("name", "dataset"), DATASETS)
def test_at_least_fifty_records_over_ninety_days_with_distinct_times(
    name: str, dataset: str
) -> None:
    spec, records = _dataset(name, dataset)
    assert len(records) >= 50
    times = [record_time(r, spec.time) for r in records]
    assert None not in times and len(set(times)) == len(times)
    span = max(times) - min(times)  # type: ignore[type-var, operator]
    assert 60 * DAY_MS <= span <= 91 * DAY_MS


@pytest.mark.parametrize(("name", "dataset"), DATASETS)
def test_actors_recur(name: str, dataset: str) -> None:
    _, records = _dataset(name, dataset)
    candidates = [k for k in records[0] if "actor" in k.lower() or k in ("member", "user")]
    assert candidates, "no actor-like field"
    recurring = False
    for key in candidates:
        counts = Counter(str(v) for r in records for v in field_values(r, key) if v is not None)
        if 3 <= len(counts) <= 20 and counts.most_common(1)[0][1] >= 5:
            recurring = True
    assert recurring


#: Datasets whose served schemas declare no enum property: nothing for the test below to check.
WITHOUT_ENUMS = {("launchdarkly", "entries"), ("anaconda", "audit-logs")}


@pytest.mark.parametrize(("name", "dataset"), [d for d in DATASETS if d not in WITHOUT_ENUMS])
def test_every_enum_value_is_used(name: str, dataset: str) -> None:
    document = load_document(SPECS / f"{name}.yaml")
    declaration = from_source(load_source(FIXTURES / name / "mock.yaml"))
    _, records = _dataset(name, dataset)
    schemas = list(served_schemas(declaration, document, dataset))
    assert schemas, f"{name}/{dataset}: no operation serves this dataset"
    enums = 0
    for _, schema, _names in schemas:
        for prop in declared_properties(schema, document.registry) or ():
            sub = child(schema, document.registry, prop)
            node = deref(sub, document.registry).value if sub else None
            if isinstance(node, dict) and node.get("enum"):
                enums += 1
                used = {r.get(prop) for r in records}
                missing = [v for v in node["enum"] if v not in used]
                assert not missing, f"{name}/{dataset}: {prop} never takes {missing}"
    assert enums, f"{name}/{dataset}: no enum property to check"
