"""`python -m bench.diff_timing`: time `mockserver diff` on the 2.6 MB document.

The LaunchDarkly document (tests/data/ld-openapi.full.json, OpenAPI 3.0.3) against a
copy with three breaks (an operation removed, a maximum lowered, a required parameter
added), the whole command as a user runs it, median of five runs. Timings belong here,
never in the tests.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FULL = ROOT / "tests" / "data" / "ld-openapi.full.json"
RUNS = 5


def broken_copy(folder: Path) -> Path:
    """The document with three breaking changes, written into ``folder``."""
    data = json.loads(FULL.read_text())
    apps = data["paths"]["/api/v2/applications"]["get"]
    next(p for p in apps["parameters"] if p.get("name") == "limit")["schema"]["maximum"] = 5
    apps["parameters"].append(
        {"name": "tenant", "in": "query", "required": True, "schema": {"type": "string"}}
    )
    del data["paths"]["/api/v2/applications/{applicationKey}"]["get"]
    path = folder / "ld-openapi.changed.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        changed = broken_copy(Path(folder))
        command = [sys.executable, "-m", "mockserver", "diff", str(FULL), str(changed)]
        seconds, cpu = [], []
        for _ in range(RUNS):
            start, used = time.perf_counter(), _children_cpu()
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            seconds.append(time.perf_counter() - start)
            cpu.append(_children_cpu() - used)
            if result.returncode != 1:
                print(result.stdout, result.stderr, file=sys.stderr)
                return 1
        findings = result.stdout.strip().splitlines()[-1]
    print(f"mockserver diff, 2.6 MB document vs a copy with 3 breaks: {findings}")
    print(
        f"wall: median {statistics.median(seconds):.2f} s, runs: "
        + ", ".join(f"{s:.2f}" for s in seconds)
    )
    # CPU time does not grow when other processes share the cores
    print(
        f"cpu (user+sys): median {statistics.median(cpu):.2f} s, runs: "
        + ", ".join(f"{s:.2f}" for s in cpu)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
