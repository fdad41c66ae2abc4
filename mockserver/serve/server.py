"""Run the app under granian, whose process manager supervises the workers.

granian (a Rust HTTP server with an ASGI interface) owns the sockets, the worker
processes and their lives: a worker that dies, even by SIGKILL, is replaced and the reason
logged; SIGTERM and SIGINT stop every worker after its in-flight requests are answered.
Each worker builds the app itself through the factory named by ``target``, from options
the parent leaves in the environment; what must be shared between workers (export jobs)
lives in a store they all reach.
"""

from __future__ import annotations

import logging
import os
import signal

from granian.constants import Interfaces
from granian.log import LogLevels
from granian.server import Server

#: Seconds before a dead worker is replaced (granian's default is 3.5).
RESPAWN_SECONDS = 1.0
#: Seconds a stopping worker may take to finish its in-flight requests.
GRACEFUL_SECONDS = 10


def serve_app(
    target: str,
    *,
    host: str,
    port: int,
    workers: int = 1,
    log_level: str = "warning",
    access_log: bool = False,
) -> None:
    """Serve the ASGI app the factory ``target`` (``module:function``) builds, until
    interrupted (the address is checked beforehand: granian shares ports it binds)."""
    server = Server(
        target,
        factory=True,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        respawn_failed_workers=True,
        respawn_interval=RESPAWN_SECONDS,
        workers_kill_timeout=GRACEFUL_SECONDS,
        backlog=2048,
        log_level=LogLevels(log_level if log_level in LogLevels.__members__ else "warning"),
        log_access=access_log,
    )
    os.register_at_fork(after_in_child=_stoppable_while_starting)
    server.serve()


def _stoppable_while_starting() -> None:
    """In a freshly forked worker, let SIGINT and SIGTERM end the process (their default).

    Workers are forked with the parent's handlers, which only set a flag in the parent's
    server object: a worker told to stop while it was still loading documents (or even
    before it began: granian stops the workers it has just spawned when the interrupt
    came during start-up) ignored it until granian killed it ("refused to gracefully
    stop"). granian installs the worker's own graceful handlers once the app is built;
    until then ending the process is the right answer, and a quiet one.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def quiet_injected_faults() -> None:
    """Keep granian from logging a traceback for each fault the mock injects on purpose (it
    logs every exception an app raises, and raising is how a partial answer is cut short)."""

    def keep(record: logging.LogRecord) -> bool:
        return "InjectedFault" not in record.getMessage()

    for handler in logging.getLogger("_granian").handlers:
        handler.addFilter(keep)
