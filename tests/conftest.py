"""Shared test fixtures: factories for documents, and the Hypothesis profiles."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
FIXTURES = ROOT / "fixtures"
DATA = Path(__file__).resolve().parent / "data"
VENDORED = ("losant", "launchdarkly", "anaconda", "gorules")

settings.register_profile("dev", max_examples=50)
settings.register_profile(
    "ci",
    max_examples=50,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

WriteDoc = Callable[..., Path]


@pytest.fixture
def write_doc(tmp_path: Path) -> WriteDoc:
    """Write a document (a dict, or YAML text) into ``tmp_path`` and return its path."""

    def write(content: dict[str, Any] | str, name: str = "api.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        elif name.endswith(".json"):
            path.write_text(json.dumps(content, indent=2), encoding="utf-8")
        else:
            path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
        return path

    return write


def minimal_doc(version: str = "3.1.0", **paths: Any) -> dict[str, Any]:
    """A valid document of ``version`` with the given paths."""
    head: dict[str, Any] = {"swagger": "2.0"} if version == "2.0" else {"openapi": version}
    return {**head, "info": {"title": "t", "version": "1"}, "paths": paths}
