"""Response bodies as JSON: whatever a value holds, the encoder answers."""

from __future__ import annotations

import json

import pytest

from mockserver.serve.encoding import dumps


@pytest.mark.parametrize(
    "value",
    [
        {"a": 1, "b": "é"},
        {"big": 2**70},  # beyond 64 bits: JSON allows it, orjson does not
        {"echoed": "x\udbffy"},  # a lone surrogate echoed from a request
        ["\udbff", 2**70],
    ],
)
def test_every_value_becomes_json_text_that_reads_back(value: object) -> None:
    assert json.loads(dumps(value)) == value
