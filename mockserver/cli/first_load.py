"""How ``serve``'s workers tell the parent how their first load went, so the document is
loaded once, in the process that serves it.

The granian parent process never loads a document (a copy there would only be checked and
kept, doubling start-up time and resident memory). It makes a small folder and names it in
the options it leaves to the workers. The first worker to load successfully creates
``ready`` there and prints the banner; a worker whose first load fails writes the one-line
reason to ``failed`` and stops the parent with SIGTERM, which stops the workers, reads the
reason, prints it and exits 2, as it would have had it loaded the document itself. Once
``ready`` exists, a later failed load (a file broken while serving) is only that worker's.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import threading
from pathlib import Path

from mockserver.cli.scratch import make_folder

#: Seconds a worker whose first load failed waits for the parent to stop it before it
#: exits by itself (the parent normally stops it within milliseconds).
STOP_GRACE_SECONDS = 15.0


class FirstLoad:
    """The folder one ``serve`` run and its workers share."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def create(cls) -> FirstLoad:
        """A new, empty folder (only this user may enter it)."""
        return cls(make_folder("start"))

    def claim_ready(self) -> bool:
        """Mark the first load done; True only for the first worker to do so."""
        try:
            os.close(os.open(self.folder / "ready", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        return True

    def is_ready(self) -> bool:
        """Whether some worker has loaded successfully."""
        return (self.folder / "ready").exists()

    def fail(self, reason: str) -> None:
        """Leave ``reason`` for the parent, stop it, and wait to be stopped in turn.

        Never returns: the parent's SIGTERM ends this process (default action restored
        here), or it exits with status 2 after :data:`STOP_GRACE_SECONDS`.
        """
        (self.folder / "failed").write_text(reason, encoding="utf-8")
        with contextlib.suppress(ValueError):  # not the main thread: keep granian's
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getppid(), signal.SIGTERM)
        threading.Event().wait(STOP_GRACE_SECONDS)
        os._exit(2)

    def failure(self) -> str | None:
        """Why the first load failed, if it did."""
        try:
            return (self.folder / "failed").read_text(encoding="utf-8")
        except OSError:
            return None

    def remove(self) -> None:
        """Remove the folder (the parent does, once granian has stopped)."""
        shutil.rmtree(self.folder, ignore_errors=True)
