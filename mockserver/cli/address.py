"""Where ``serve`` listens, checked before anything is printed.

granian binds its socket with ``SO_REUSEPORT``, so a second server on a busy port would
start silently and the kernel would split the connections between the two. Binding a probe
socket here, without that option, fails on a port anyone listens on: the user gets one line
naming the port (and, when it can be told cheaply, what holds it) instead of a shared port
or a traceback after the banner. ``--port 0`` is resolved here to the port the probe got.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from mockserver.errors import UsageError

#: Seconds to wait for whatever holds a busy port to say whether it is a mockserver.
PROBE_SECONDS = 1.0


@dataclass(frozen=True)
class Address:
    """A checked address: the interface granian binds, and the port (never 0)."""

    host: str
    port: int

    @property
    def url(self) -> str:
        """The base URL users type: IPv6 literals in brackets."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


def check_address(host: str, port: int) -> Address:
    """The address ``host``:``port`` names, once it is known that this process may listen
    there alone; a :class:`UsageError` naming the problem otherwise."""
    if not 0 <= port <= 65535:
        raise UsageError(None, f"--port {port} is not a port", hint="give 1-65535, or 0 for any")
    interface = resolve(host)
    family = socket.AF_INET6 if ":" in interface else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # not SO_REUSEPORT (that would share the port); SO_REUSEADDR only lets a port whose
        # last connections linger in TIME_WAIT be bound, never one somebody listens on
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((interface, port))
        except PermissionError:
            raise UsageError(
                None,
                f"port {port} on {host} needs privileges",
                hint="choose a port above 1023",
            ) from None
        except OSError as error:
            raise _bind_error(host, interface, port, error) from None
        return Address(interface, int(probe.getsockname()[1]))


def resolve(host: str) -> str:
    """``host`` as a numeric address: literals as given, names (``localhost``) resolved."""
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise UsageError(
            None,
            f"--host {host} is neither an IP address nor a name this machine resolves",
            hint="give an interface address such as 127.0.0.1, ::1 or 0.0.0.0",
        ) from None
    ipv4 = [f for f in found if f[0] == socket.AF_INET]
    return str((ipv4 or found)[0][4][0])


def _bind_error(host: str, interface: str, port: int, error: OSError) -> UsageError:
    if error.errno == 98:  # EADDRINUSE
        holder = port_holder(interface, port)
        held = f" by {holder}" if holder else ""
        return UsageError(
            None,
            f"port {port} on {host} is already in use{held}",
            hint="stop it, or choose another --port; 0 picks a free one",
        )
    return UsageError(
        None,
        f"cannot listen on {host} port {port}: {error.strerror or error}",
        hint="give an address of this machine (127.0.0.1, ::1, 0.0.0.0)",
    )


def port_holder(interface: str, port: int) -> str:
    """What listens on ``port``: "another mockserver" when it answers ``/__mock/state``,
    else the program and pid the kernel's socket table names (when this user may see
    them), else ""."""
    if _is_mockserver(interface, port):
        return "another mockserver"
    pid = _listening_pid(port)
    if pid is None:
        return ""
    try:
        program = Path(f"/proc/{pid}/comm").read_text(encoding="utf-8").strip()
    except OSError:
        return f"pid {pid}"
    return f"{program} (pid {pid})"


def _is_mockserver(interface: str, port: int) -> bool:
    import http.client

    target = "127.0.0.1" if interface == "0.0.0.0" else "::1" if interface == "::" else interface
    connection = http.client.HTTPConnection(target, port, timeout=PROBE_SECONDS)
    try:
        connection.request("GET", "/__mock/state")
        response = connection.getresponse()
        body = response.read(65536)
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()
    return response.status == 200 and body.lstrip().startswith(b"{")


def _listening_pid(port: int) -> int | None:
    """The pid owning a socket listening on ``port``, read from /proc (Linux only)."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            links = {os.readlink(fd) for fd in (entry / "fd").iterdir()}
        except OSError:
            continue
        if links & inodes:
            return int(entry.name)
    return None


def _listening_inodes(port: int) -> set[str]:
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text(encoding="ascii").splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            listening = len(fields) > 9 and fields[3] == "0A"
            if listening and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{fields[9]}]")
    return inodes
