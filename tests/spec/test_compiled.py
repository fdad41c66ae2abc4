"""The compiled fast path never accepts what the reference validator rejects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.generation.strategies import StrategyFactory
from mockserver.spec.build import iter_schemas
from mockserver.spec.compiled import compiled
from mockserver.spec.dialects import SchemaValidator, compiled_check
from mockserver.spec.model import ApiDocument, Dialect, Schema
from tests.conftest import DATA, SPECS, VENDORED, loaded

pytestmark = pytest.mark.slow  # every schema of every vendored document, both validators

DOCUMENTS = [SPECS / f"{n}.yaml" for n in VENDORED] + [
    DATA / "keywords-3.1.yaml",
    DATA / "petstore-v2.yaml",
    DATA / "formats-3.0.yaml",
    DATA / "formats-3.1.yaml",
    DATA / "recursive-3.0.yaml",
    DATA / "recursive-3.1.yaml",
]


def _has_compiled_check(document: ApiDocument, schema: Schema) -> bool:
    return compiled_check(schema, document.registry) is not None


# Parametrization needs the labels at collection: each document is loaded once for it.
CASES = [
    (path, label)
    for path in DOCUMENTS
    for label, schema in iter_schemas(loaded(path))
    if _has_compiled_check(loaded(path), schema)
]

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.uuids().map(str),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@pytest.mark.parametrize(("path", "label"), CASES, ids=[f"{p.stem}: {name}" for p, name in CASES])
def test_compiled_yes_means_reference_yes(path: Path, label: str) -> None:
    document = loaded(path)
    schema = dict(iter_schemas(document))[label]
    fast = compiled_check(schema, document.registry)
    assert fast is not None
    # single use: no compiled check of its own, so every answer is the reference's
    reference = SchemaValidator(schema, document.registry, direction="any", single_use=True)
    near_valid = StrategyFactory(document.registry, "any")._build(schema, 0)

    @settings(
        max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(st.one_of(near_valid, JSON, near_valid.map(_perturb)))
    def agree(value: Any) -> None:
        if fast.accepts(value):
            assert reference.is_valid(value), value

    agree()


def _perturb(value: Any) -> Any:
    """Small breakages: a field's type changed, an item dropped, an extra key."""
    if isinstance(value, dict) and value:
        key = sorted(value)[0]
        return {**value, key: [value[key]], "zz-extra": 1}
    if isinstance(value, list) and value:
        return [*value[1:], None]
    if isinstance(value, str):
        return value + "!"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return -value - 10**19
    return {"unexpected": value}


@pytest.mark.parametrize("dialect", [Dialect.OPENAPI_3_1, Dialect.OPENAPI_3_0])
def test_each_integer_format_is_bounded_where_it_stands(dialect: Dialect) -> None:
    schema = {
        "type": "object",
        "properties": {
            "count": {"type": "integer", "format": "int32"},
            "at": {"type": "integer", "format": "int64"},
        },
    }
    fast = compiled(schema, dialect)
    assert fast is not None
    assert fast.accepts({"count": 3, "at": 1_654_104_600_000})  # an int64 timestamp: fast
    assert not fast.accepts({"count": 2**31, "at": 1})  # beyond int32: the reference judges
    assert not fast.accepts({"count": 1, "at": 2**63})
