"""A baseline: the findings a project has today, so that only new ones fail its CI.

A team with a legacy document cannot fix hundreds of findings before turning the check
on. It records them once (``--baseline-write``) and from then on (``--baseline``) sees
only findings the baseline does not hold. A finding is matched by its rule, its file and
its JSON pointer, never its line: editing one part of a document moves every line below
it, and an old finding must not come back as new because of that. The match counts: two
findings of one rule at one place where the baseline has one leaves one of them new.
A file that could not be checked (``MS0xx``) is never recorded nor hidden.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mockserver.errors import UsageError
from mockserver.report.config import display_path
from mockserver.report.findings import Finding

FORMAT_VERSION = 1
Key = tuple[str, str, str]


def key(finding: Finding) -> Key:
    """What a baseline entry matches on: rule, file (as the run shows it) and pointer."""
    return finding.code, display_path(finding.file), finding.pointer


def write_baseline(path: Path, findings: Iterable[Finding]) -> int:
    """Record ``findings`` (less the fatal ones) in ``path``; returns how many."""
    entries = [
        {"code": c, "file": f, "pointer": p}
        for c, f, p in sorted(key(finding) for finding in findings if not finding.fatal)
    ]
    document = {"tool": "mockserver", "version": FORMAT_VERSION, "findings": entries}
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return len(entries)


def read_baseline(path: Path) -> Counter[Key]:
    """The entries recorded in ``path``; an unreadable or malformed file is an error."""
    try:
        document: Any = json.loads(path.read_text(encoding="utf-8"))
        entries = document["findings"]
        return Counter((e["code"], e["file"], e["pointer"]) for e in entries)
    except (OSError, UnicodeError, ValueError, KeyError, TypeError) as error:
        message = f"not a baseline written by --baseline-write ({type(error).__name__}: {error})"
        raise UsageError(path, message) from error


def new_findings(findings: Iterable[Finding], baseline: Counter[Key]) -> list[Finding]:
    """The findings ``baseline`` does not account for, in their order."""
    left = Counter(baseline)
    new = []
    for finding in findings:
        entry = key(finding)
        if not finding.fatal and left[entry] > 0:
            left[entry] -= 1
        else:
            new.append(finding)
    return new
