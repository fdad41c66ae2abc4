"""The contract judges the server with its own code: its modules import nothing of the
server's, and its schema check shares no validator with it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import mockserver.contract

CONTRACT = Path(mockserver.contract.__file__).parent
#: What the contract may build on: the document model, the declaration, and itself.
ALLOWED = (
    "mockserver.contract",
    "mockserver.generation",
    "mockserver.report",
    "mockserver.spec",
    "mockserver.data.declaration",
    "mockserver.data.dataset",
)
#: The server's compiled validators: the contract checks bodies with its own.
SERVER_VALIDATORS = (
    "mockserver.spec.dialects",
    "mockserver.spec.dialect_classes",
    "mockserver.spec.compiled",
    "mockserver.spec.bundle",
)


def imported(path: Path) -> list[str]:
    """Every mockserver module ``path`` imports, at any depth of its code."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return [n for n in names if n == "mockserver" or n.startswith("mockserver.")]


@pytest.mark.parametrize(
    "path",
    sorted(CONTRACT.glob("*.py")),
    ids=lambda p: p.name,
)
def test_contract_modules_import_nothing_of_the_server(path: Path) -> None:
    foreign = [
        name
        for name in imported(path)
        if not any(name == a or name.startswith(a + ".") for a in ALLOWED)
    ]
    assert foreign == [], f"{path.name} imports {foreign}"


@pytest.mark.parametrize("name", ["checks.py", "schema.py"])
def test_response_checks_use_no_validator_of_the_server(name: str) -> None:
    shared = [n for n in imported(CONTRACT / name) if n.startswith(SERVER_VALIDATORS)]
    assert shared == [], f"{name} imports {shared}"
