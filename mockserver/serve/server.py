"""Several worker processes, each with its own listening socket (SO_REUSEPORT).

uvicorn's own ``--workers`` shares one socket between processes, and the kernel hands
each new connection to whichever process happens to be waiting, so long-lived keep-alive
connections pile up on one worker while another idles. With a socket per worker bound with
SO_REUSEPORT the kernel spreads connections evenly. Each worker builds the app itself from
the options ``serve`` put in the environment; export jobs live in a folder they all share.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
from types import FrameType

import uvicorn


def serve_workers(host: str, port: int, workers: int, log_level: str, access_log: bool) -> int:
    """Run ``workers`` processes until interrupted; the exit code is the first failure's."""
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(
            target=_worker, args=(host, port, log_level, access_log), name=f"mockserver-worker-{n}"
        )
        for n in range(workers)
    ]
    for process in processes:
        process.start()

    def stop(signum: int, _frame: FrameType | None) -> None:
        for process in processes:
            if process.is_alive():
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = 0
    for process in processes:
        process.join()
        if process.exitcode and not code:
            code = process.exitcode if process.exitcode > 0 else 0
            stop(signal.SIGTERM, None)  # one worker failed: stop the others too
    return code


def _worker(host: str, port: int, log_level: str, access_log: bool) -> None:
    listener = reusable_socket(host, port)
    config = uvicorn.Config(
        "mockserver.cli.serve:app_from_environment",
        factory=True,
        log_level=log_level,
        access_log=access_log,
        http="httptools",
        loop="uvloop",
    )
    try:
        uvicorn.Server(config).run(sockets=[listener])
    except KeyboardInterrupt:  # the parent asked us to stop
        sys.exit(0)


def reusable_socket(host: str, port: int) -> socket.socket:
    """A listening socket other processes may bind to the same address."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    listener = socket.socket(family, kind, proto)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind(address)
    listener.listen(2048)
    listener.set_inheritable(True)
    return listener
