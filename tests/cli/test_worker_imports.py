"""What ``serve``'s worker imports before its first request (issue 24's import diet).

A fresh interpreter does what ``serve`` does: checks the options, imports what the parent
imports before granian forks, then builds the app the way each worker does
(``app_from_environment``), from a warm compiled-document cache. The heavy validation
libraries must still be absent then: they are imported by the first request that
validates a value, not by start-up. The test pins the contract by module names, never by
time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

#: Imported only by the first request that validates (the jsonschema classes of each
#: dialect, and openapi-schema-validator with the pydantic settings it brings).
DEFERRED = (
    "mockserver.spec.dialect_classes",
    "openapi_schema_validator",
    "pydantic",
    "pydantic_settings",
    "hypothesis",
)

WORKER = """
import json, os, sys
from mockserver.cli import build_parser
from mockserver.cli.serve import ENVIRONMENT_KEY, _settings, app_from_environment
import mockserver.serve.server  # what the parent imports before the workers fork

args = build_parser().parse_args(["serve", sys.argv[1], "--fixtures", sys.argv[2]])
settings, _ = _settings(args)
os.environ[ENVIRONMENT_KEY] = json.dumps(settings)
app_from_environment()
print(json.dumps(sorted(name for name in json.loads(sys.argv[3]) if name in sys.modules)))
"""


def _build_worker(document: Path, fixtures: Path, cache: Path) -> list[str]:
    """The deferred modules present once a worker has built its app."""
    environment = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    result = subprocess.run(
        [sys.executable, "-c", WORKER, str(document), str(fixtures), json.dumps(DEFERRED)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env=environment,
        cwd=Path(__file__).resolve().parents[2],
    )
    present: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return present


def test_the_worker_builds_its_app_without_the_validation_libraries(tmp_path: Path) -> None:
    document = Path(__file__).resolve().parents[1] / "data" / "petstore-v2.yaml"
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    cache = tmp_path / "cache"
    _build_worker(document, fixtures, cache)  # fills the cache
    assert any(cache.rglob("*")), "the first build wrote no cache entry"
    assert _build_worker(document, fixtures, cache) == []
