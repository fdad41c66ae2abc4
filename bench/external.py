"""One run of a tool `make compare` measures, which can never stop the report.

An external validator may hang (Spectral spins for minutes on a YAML alias bomb), may be
missing (npm or the registry unreachable), or may leave children holding its pipes open
after it is killed, so that waiting for its output never ends. :func:`run` starts the
command in its own process group, kills the whole group at the deadline, and returns what
happened as a value: the report then prints "timeout after N s" or "not installed" for
that tool and document, and goes on with the others.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

NOT_INSTALLED = "not installed"


@dataclass(frozen=True)
class Outcome:
    """What one command did: its exit code and output, or why there is none."""

    code: int
    stdout: str
    stderr: str
    seconds: float
    problem: str | None = None  # "timeout after N s" or "not installed": no report

    @property
    def ok(self) -> bool:
        """The command ran to its end (whatever its exit code)."""
        return self.problem is None


def timeout_text(seconds: float) -> str:
    """How a timeout reads in the reports."""
    return f"timeout after {seconds:g} s"


def run(command: list[str], *, timeout: float, cwd: Path) -> Outcome:
    """Run ``command`` in a process group of its own, killed whole after ``timeout`` s."""
    start = time.perf_counter()
    try:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
    except OSError:
        return Outcome(-1, "", "", 0.0, NOT_INSTALLED)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        return Outcome(-1, "", "", time.perf_counter() - start, timeout_text(timeout))
    return Outcome(process.returncode, out, err, time.perf_counter() - start)


def _kill_group(process: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    # a grandchild that left the group may still hold the pipes: give up on them
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.communicate(timeout=10)
