"""Generated request values are valid against their original schema, 500 draws each.

Every request schema (each parameter and each request body) of every vendored document,
and of a 3.1 document using prefixItems, unevaluatedProperties, dependentRequired, const
and type arrays, in its own dialect, formats included.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.generation.strategies import StrategyFactory
from mockserver.spec.build import iter_schemas
from mockserver.spec.dialects import SchemaValidator
from tests.conftest import DATA, SPECS, VENDORED, loaded

DOCUMENTS = [SPECS / f"{name}.yaml" for name in VENDORED] + [DATA / "keywords-3.1.yaml"]
REQUEST_SCHEMAS = [
    (path, label)
    for path in DOCUMENTS
    for label, _ in iter_schemas(loaded(path))
    if " parameter " in label or " request " in label
]
DRAWS = 500

pytestmark = pytest.mark.slow  # 500 draws for each request schema of five documents
PER_EXAMPLE = 10


@pytest.mark.parametrize(
    ("path", "label"), REQUEST_SCHEMAS, ids=[f"{p.stem}: {label}" for p, label in REQUEST_SCHEMAS]
)
def test_500_draws_are_all_valid(path: Path, label: str) -> None:
    document = loaded(path)
    schema = dict(iter_schemas(document))[label]
    validator = SchemaValidator(schema, document.registry, direction="request")
    strategy = StrategyFactory(document.registry).from_schema(schema)
    seen: list[object] = []

    @settings(
        max_examples=DRAWS // PER_EXAMPLE,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(st.data())
    def draw(data: st.DataObject) -> None:
        for _ in range(PER_EXAMPLE):
            value = data.draw(strategy)
            seen.append(value)
            assert validator.is_valid(value), value

    draw()
    # Hypothesis stops early only when it has exhausted a tiny space (an enum, a boolean)
    assert len(seen) >= DRAWS or len({repr(v) for v in seen}) <= 10, len(seen)
