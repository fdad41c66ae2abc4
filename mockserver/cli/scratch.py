"""The temporary folders ``serve`` makes (the workers' first-load report, a shared journal,
a temporary SQLite store): named after the process that owns them, so that none outlives it.

Each is ``mockserver-<kind>-<pid>-<random>`` in the temporary directory. ``serve`` removes
its own on every exit it sees (a usage error, a failed first load, SIGINT, SIGTERM). A
parent killed by SIGKILL cannot, so every ``serve`` first sweeps the folders of this kind
whose owner is no longer running: a folder of a live process, or not named this way (an
older mockserver's), is left alone.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

PREFIX = "mockserver-"
#: The kinds of folder serve makes.
KINDS = ("start", "journal", "state")
_NAME = re.compile(rf"{PREFIX}({'|'.join(KINDS)})-(\d+)-")


def make_folder(kind: str, root: Path | None = None) -> Path:
    """A new folder of ``kind`` owned by this process, in ``root`` (the temporary
    directory by default); only this user may enter it."""
    return Path(tempfile.mkdtemp(prefix=f"{PREFIX}{kind}-{os.getpid()}-", dir=root))


def sweep_stale(folder: Path | None = None) -> list[Path]:
    """Remove the folders of dead ``serve`` processes from ``folder`` (the temporary
    directory by default); return those removed."""
    root = folder if folder is not None else Path(tempfile.gettempdir())
    try:
        entries = list(root.iterdir())
    except OSError:
        return []
    removed = []
    for entry in entries:
        named = _NAME.match(entry.name)
        if named and _is_ours(entry) and not _running(int(named.group(2))):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _is_ours(entry: Path) -> bool:
    try:
        info = entry.lstat()
    except OSError:
        return False
    owner = info.st_uid == os.getuid() if hasattr(os, "getuid") else True
    return entry.is_dir() and not entry.is_symlink() and owner


def _running(pid: int) -> bool:
    """Whether a process ``pid`` exists (one of another user's counts: it may be ours)."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # none, or a number no pid can be
        return False
    except PermissionError:
        return True
    return True
