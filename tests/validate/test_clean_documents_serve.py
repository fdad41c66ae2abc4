"""Every clean document of the validate corpus also starts ``mockserver serve``.

A document ``mockserver validate`` calls clean must be usable: the server is started as
users start it, in a subprocess on a free port, and must answer ``GET /``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import free_port, launch, started, stop

pytestmark = pytest.mark.subprocess

CLEAN = Path(__file__).resolve().parent / "broken" / "clean"
#: Known serving bugs outside validate, each an honest strict xfail until fixed.
KNOWN: dict[str, str] = {}


def _starts(document: Path) -> tuple[bool, str]:
    port = free_port()
    process = launch("serve", "--port", str(port), str(document))
    try:
        answered = started(process, f"http://127.0.0.1:{port}/")
    finally:
        output = stop(process)
    return answered, output


def _case(path: Path) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=KNOWN[path.name])] if path.name in KNOWN else []
    return pytest.param(path, id=path.name, marks=marks)


@pytest.mark.parametrize("document", [_case(p) for p in sorted(CLEAN.glob("*.yaml"))])
def test_clean_document_starts_the_server(document: Path) -> None:
    answered, output = _starts(document)
    assert answered, output[-2000:]
    assert "Traceback" not in output
