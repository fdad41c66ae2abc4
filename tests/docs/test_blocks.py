"""Every shell, curl and Python block of README.md and docs/ runs as a reader would paste it.

Documentation drifts silently; these tests make a drifted command fail the suite. Each
block runs against a real ``mockserver serve`` subprocess on a free port (``127.0.0.1:8000``
and ``localhost:8000`` rewritten to it), from the repository's root, with ``mockserver``
on the ``PATH`` as this checkout's code. A command must exit as the page says (0, a
``# exits N`` comment, or the curl error it shows), a curl with no output shown must get
an HTTP success, and shown output must match, ``...`` standing for anything and dates,
decimals and ids normalised. Blocks that cannot run are marked ``<!-- not-run: reason -->``
and listed in :data:`NOT_RUN`, so a new exemption is a visible change.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, serving
from tests.docs.markdown_blocks import Block, Command, read_blocks

# One xdist worker runs them all, so `make test -n auto` starts one default server, not one each.
pytestmark = [pytest.mark.subprocess, pytest.mark.xdist_group("docs-blocks")]

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]
BLOCKS = [block for page in PAGES for block in read_blocks(page)]
ADDRESS = re.compile(r"(127\.0\.0\.1|localhost):8000")
ASSIGNMENT = re.compile(r"^[A-Za-z_]\w*=\S")
DYNAMIC = (
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?"), "<date>"),
    (re.compile(r"\d+\.\d+"), "<decimal>"),
    (re.compile(r"\d+ milliseconds"), "<n> milliseconds"),
    (re.compile(r"\b[0-9a-f]{24}\b|\b[0-9a-f]{8}-[0-9a-f-]{27}\b"), "<id>"),
)

# The blocks that do not run, by page and first line: each is marked in its page with why.
NOT_RUN = {
    ("README.md", "make serve"),
    ("getting-started.md", "make serve"),
    ("getting-started.md", ".venv/bin/mockserver --help"),
    (
        "contract.md",
        "mockserver contract --spec launchdarkly --base-url https://staging.example.com",
    ),
    ("diff.md", "mockserver diff OLD.yaml NEW.yaml"),
    ("serve.md", "# pip install launchdarkly-api"),
    ("serve.md", "# pip install losant-rest"),
    ("serve.md", "// npm install losant-rest"),
    ("sessions.md", "$ curl -sN 'localhost:8000/__mock/journal/stream?status=200'"),
    ("validate.md", "$ mockserver validate --spec anaconda --operation get_audit_logs__get"),
    ("state.md", "mockserver serve specs/ --host 0.0.0.0 --port 8000 --workers 2"),
    ("proxy.md", "mockserver serve specs/launchdarkly.yaml --proxy https://app.launchdarkly.com"),
    (
        "proxy.md",
        "mockserver serve specs/petstore.yaml --proxy https://example.com/v2 --record recorded",
    ),
    (
        "proxy.md",
        "mockserver contract --spec launchdarkly --base-url https://app.launchdarkly.com \\",
    ),
}


def _id(block: Block) -> str:
    return block.where


@pytest.fixture(scope="module")
def shim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder whose ``mockserver`` is this checkout's, run by this interpreter."""
    folder = tmp_path_factory.mktemp("bin")
    script = folder / "mockserver"
    script.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m mockserver "$@"\n')
    script.chmod(0o755)
    return folder


@pytest.fixture(scope="module")
def default_server() -> Iterator[str]:
    """``mockserver serve`` of specs/ with its fixtures, as ``make serve`` starts it."""
    with serving() as base:
        yield base


def _environment(shim: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT),
    }


def _normalise(text: str, base: str) -> str:
    text = text.replace(base.removeprefix("http://"), "127.0.0.1:8000")
    text = text.replace(
        base.replace("127.0.0.1", "localhost").removeprefix("http://"), "localhost:8000"
    )
    for pattern, replacement in DYNAMIC:
        text = pattern.sub(replacement, text)
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def _matches(expected: str, actual: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in expected.split("..."))
    return re.fullmatch(pattern, actual, re.DOTALL) is not None


def _run(command: Command, prelude: list[str], base: str, shim: Path) -> str:
    line = ADDRESS.sub(base.removeprefix("http://"), command.line)
    if line.startswith("curl ") and not command.output:
        line = "curl --fail-with-body" + line[len("curl") :]
    script = "\n".join([*prelude, line])
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=ROOT,
        env=_environment(shim),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # one stream, in the order a terminal shows it
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == command.exit_code, f"{command.line}\n{done.stdout}"
    assert "Traceback" not in done.stdout, f"{command.line}\n{done.stdout}"
    return done.stdout


@pytest.mark.parametrize(
    "block", [b for b in BLOCKS if b.runnable and b.language == "shell"], ids=_id
)
def test_shell_block(block: Block, default_server: str, shim: Path) -> None:
    commands = block.commands()
    if commands and commands[0].line.startswith("mockserver serve") and not commands[0].exit_code:
        with serving(*shlex.split(commands[0].line)[2:]) as base:
            _run_all(block, commands[1:], base, shim)
    else:
        _run_all(block, commands, default_server, shim)


def _run_all(block: Block, commands: list[Command], base: str, shim: Path) -> None:
    prelude: list[str] = []
    for command in commands:
        if ASSIGNMENT.match(command.line):
            prelude.append(ADDRESS.sub(base.removeprefix("http://"), command.line))
            continue
        output = _run(command, prelude, base, shim)
        if block.compare_output and command.output:
            expected = _normalise("\n".join(command.output), base)
            actual = _normalise(output, base)
            assert _matches(expected, actual), (
                f"{block.where}: {command.line}\n{actual}\n!=\n{expected}"
            )


@pytest.mark.parametrize(
    "block", [b for b in BLOCKS if b.runnable and b.language == "python"], ids=_id
)
def test_python_block(block: Block, default_server: str, shim: Path) -> None:
    code = ADDRESS.sub(default_server.removeprefix("http://"), block.text)
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_environment(shim),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"{block.where}\n{done.stdout}\n{done.stderr}"


def test_blocks_that_do_not_run_are_the_listed_ones() -> None:
    marked = [(b.path.name, b.text.splitlines()[0]) for b in BLOCKS if not b.runnable]
    listed = {
        (page, first)
        for page, first in NOT_RUN
        for name, line in marked
        if name == page and line.startswith(first)
    }
    assert len(marked) == len(NOT_RUN) == len(listed), marked
    assert all(b.marks["not-run"].strip() for b in BLOCKS if not b.runnable)


def test_every_page_has_its_blocks_found() -> None:
    assert {b.path.name for b in BLOCKS} >= {
        "README.md",
        "serve.md",
        "validate.md",
        "contract.md",
        "diff.md",
    }
