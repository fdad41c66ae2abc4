"""The contract judges the server with its own code: its modules import nothing of the
server's (only ``session`` may, to start the mock in process)."""

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
    "mockserver.spec",
    "mockserver.data.declaration",
    "mockserver.data.dataset",
)
MAY_START_THE_MOCK = {"session.py"}


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
    sorted(p for p in CONTRACT.glob("*.py") if p.name not in MAY_START_THE_MOCK),
    ids=lambda p: p.name,
)
def test_contract_modules_import_nothing_of_the_server(path: Path) -> None:
    foreign = [
        name
        for name in imported(path)
        if not any(name == a or name.startswith(a + ".") for a in ALLOWED)
    ]
    assert foreign == [], f"{path.name} imports {foreign}"
