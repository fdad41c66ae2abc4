"""``mockserver serve``: load, print what is mounted where, then run granian.

Worker processes (``--workers``) and the reloader each build the app themselves through
:func:`app_from_environment`, from the options this process puts in the environment;
writes, id sequences and export jobs live in the ``--state`` store they all share, so no
request depends on which worker answers it. ``memory:`` cannot be shared: with more than
one worker and no ``--state``, a SQLite file in a temporary folder is used instead.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import gc
import json
import os
import shutil
import signal
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mockserver.cli.address import Address, check_address
from mockserver.cli.common import fixtures_folder, local_documents, spec_files
from mockserver.cli.first_load import FirstLoad
from mockserver.cli.proxy_options import (
    add_proxy_options,
    check_proxied_names,
    proxy_banner,
    proxy_options,
    proxy_settings,
)
from mockserver.cli.scratch import make_folder, sweep_stale
from mockserver.errors import EXIT_COULD_NOT_RUN, DeclarationError, MockserverError, UsageError

ENVIRONMENT_KEY = "MOCKSERVER_SERVE_OPTIONS"
#: What :func:`state_url` answers for a temporary SQLite file, made once options are checked.
TEMPORARY_SQLITE = "sqlite:"


def quiet_third_party_warnings() -> None:
    """Silence a warning users cannot act on: connexion 3.3 imports starlette's test
    client at import time, which starlette 1.x flags as deprecated."""
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")


def add_serve(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``mockserver serve``."""
    cmd = verbs.add_parser(
        "serve",
        help="serve OpenAPI documents as a mock API",
        description="Serve every document in specs/ (or the documents given) under "
        "/<name>, answering from fixtures/<name>/, examples, or generated data.",
    )
    cmd.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="documents, folders of documents, or http(s) URLs of documents (default: specs/)",
    )
    cmd.add_argument("--host", default="127.0.0.1", help="interface (default: 127.0.0.1)")
    cmd.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    cmd.add_argument("--workers", type=int, default=1, help="worker processes (default: 1)")
    cmd.add_argument(
        "--reload", action="store_true", help="restart when a document or fixture changes"
    )
    cmd.add_argument("--seed", type=int, default=0, help="seed for generated data")
    cmd.add_argument(
        "--state",
        metavar="URL",
        help="where writes are kept: memory: (the default with one worker), "
        "sqlite:///path/state.db (the default with --workers N: a temporary file), "
        "redis://host:port/db",
    )
    cmd.add_argument(
        "--state-timeout",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="answer 503 when the store has not answered in this time (default: 2)",
    )
    cmd.add_argument(
        "--any-token",
        action="store_true",
        help="accept any well-formed credential, not only known tokens",
    )
    cmd.add_argument(
        "--errors",
        action="store_true",
        help="answer 500, naming the violations, where the document's example for an "
        "answer breaks its schema (as Prism's --errors); by default a valid value answers, "
        "with a Warning",
    )
    cmd.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="also allow this origin (local origins are always allowed)",
    )
    cmd.add_argument(
        "--fixtures",
        type=Path,
        help="the folder of fixture folders (default: fixtures/ when it exists)",
    )
    cmd.add_argument(
        "--log-level",
        default="warning",
        choices=["critical", "error", "warning", "info", "debug"],
        help="server log level; info and debug also log each request (default: warning)",
    )
    cmd.add_argument(
        "--no-cache",
        action="store_true",
        help="neither read nor keep loaded documents in the cache "
        "($XDG_CACHE_HOME/mockserver/compiled, else ~/.cache/mockserver/compiled)",
    )
    add_pacing_options(cmd)
    add_exposure_options(cmd)
    add_proxy_options(cmd)
    cmd.set_defaults(run=run_serve)


def add_exposure_options(cmd: argparse.ArgumentParser) -> None:
    """Who may reach the mock's own surface (SECURITY.md)."""
    group = cmd.add_argument_group("who may reach the mock (see SECURITY.md)")
    group.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests whose Host is NAME (localhost, loopback addresses and "
        "--host are always answered; '*' answers any); others get 421",
    )
    group.add_argument(
        "--control-token",
        metavar="TOKEN",
        help="require 'X-Mock-Token: TOKEN' on /__mock/ (reset, state, journal); the "
        "dashboard takes it from #token=TOKEN in its address",
    )


def add_pacing_options(cmd: argparse.ArgumentParser) -> None:
    """Latency, errors, faults and the request journal (mock.yaml's settings win)."""
    group = cmd.add_argument_group("latency, faults and the request journal")
    group.add_argument(
        "--latency",
        metavar="MS",
        help="delay every answer: 250 (fixed), 50-200 (uniform) or median=120,p99=900 "
        "(log-normal), in milliseconds",
    )
    group.add_argument(
        "--error-rate",
        type=float,
        metavar="P",
        help="answer this share of valid requests (0 to 1) with one of the operation's "
        "declared error statuses",
    )
    group.add_argument(
        "--fault-rate", type=float, metavar="P", help="give this share of requests a fault"
    )
    group.add_argument(
        "--faults",
        metavar="NAMES",
        help="the faults --fault-rate draws from, comma-separated "
        "(default: reset,empty,malformed,slow-body; also timeout)",
    )
    group.add_argument(
        "--journal-size",
        type=int,
        default=1000,
        metavar="N",
        help="requests the journal at /__mock/journal keeps; 0 turns it off (default: 1000)",
    )


def run_serve(args: argparse.Namespace) -> int:
    """Check the options, the address and the store, then serve until interrupted: the
    workers load the documents (this process never holds one) and the first prints the
    banner, or the reason they cannot be served (see :mod:`mockserver.cli.first_load`).

    Every option is checked before any temporary folder is made, and the folders made are
    removed on every exit this process sees (SIGTERM included); those of a ``serve`` killed
    outright are swept by the next one (see :mod:`mockserver.cli.scratch`)."""
    quiet_third_party_warnings()
    settings, documents = _settings(args)
    sweep_stale()
    made: list[Path] = []
    with _sigterm_exits():
        failure = _serve_with_folders(args, settings, documents, made)
    if failure is not None:
        print(f"mockserver serve: {failure}", file=sys.stderr, flush=True)
        return EXIT_COULD_NOT_RUN
    return 0


def _serve_with_folders(
    args: argparse.Namespace, settings: dict[str, Any], documents: list[Path], made: list[Path]
) -> str | None:
    """Make the temporary folders, serve, and remove them however serving ends."""
    try:
        first_load = FirstLoad.create()
        made.append(first_load.folder)
        settings.update(_temporary_settings(args, made))
        settings["first_load"] = str(first_load.folder)
        return _serve(args, settings, documents, first_load)
    finally:
        for folder in made:
            shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def _sigterm_exits() -> Iterator[None]:
    """While inside, SIGTERM leaves through ``finally`` blocks, as SIGINT does (until
    granian installs its own handler, which stops the workers first); restored after."""

    def leave(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, leave)
    except ValueError:  # not the main thread (a test calling run_serve): nothing to catch
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _settings(args: argparse.Namespace) -> tuple[dict[str, Any], list[Path]]:
    """Every option checked, as the workers read them (raises UsageError)."""
    if args.workers < 1:
        raise UsageError(None, "--workers must be at least 1")
    if args.reload and args.workers > 1:
        raise UsageError(None, "--reload serves with one worker: leave --workers out")
    fixtures = fixtures_folder(args.fixtures)
    documents = spec_files(local_documents(args.paths) or [Path("specs")])
    address = check_address(args.host, args.port)  # before any banner: one line, exit 2
    state = state_url(args.state, args.workers)
    settings = {
        "paths": [str(p.resolve()) for p in documents],
        "seed": args.seed,
        "any_token": args.any_token,
        "errors": bool(args.errors),
        "cors_origins": list(args.cors_origin),
        "fixtures": str(fixtures.resolve()),
        "state": state,
        "reload": bool(args.reload),
        "state_timeout": args.state_timeout,
        "cache": not args.no_cache,
        "address": [address.host, address.port],
        "allowed_hosts": [address.host, *args.allowed_host],
        "control_token": args.control_token,
        **_pacing_settings(args),
        "proxy": proxy_settings(args),
    }
    return settings, documents


def _temporary_settings(args: argparse.Namespace, made: list[Path]) -> dict[str, Any]:
    """The folders serve makes for ``--workers N`` (each added to ``made`` at once): the
    journal the workers share, and the SQLite store when no ``--state`` is given."""
    found: dict[str, Any] = {}
    if args.workers > 1 and args.journal_size:
        made.append(make_folder("journal"))
        found["journal"] = str(made[-1])
    if args.state is None and args.workers > 1:  # state_url said TEMPORARY_SQLITE
        made.append(make_folder("state"))
        found["state"] = f"sqlite:///{made[-1].resolve() / 'state.db'}"
    return found


def _serve(
    args: argparse.Namespace, settings: dict[str, Any], documents: list[Path], first_load: FirstLoad
) -> str | None:
    """Run granian until it stops; why the first load failed, if it did."""
    from mockserver.serve.server import serve_app

    _reach(settings["state"], args.state_timeout)  # fail fast, before any worker starts
    # each API is named after its document's stem, so this needs no document loaded
    check_proxied_names(settings["proxy"], [path.stem for path in documents])
    host, port = settings["address"]
    warn_if_exposed(host, args.control_token)
    for line in proxy_banner(settings["proxy"]):
        print(line, flush=True)
    os.environ[ENVIRONMENT_KEY] = json.dumps(settings)
    try:
        serve_app(
            "mockserver.cli.serve:app_from_environment",
            host=host,
            port=port,
            workers=args.workers,
            log_level=args.log_level,
            access_log=args.log_level in ("info", "debug"),
        )
    except SystemExit:  # granian's, when a worker died: a failed first load says why
        if first_load.failure() is None:
            raise
    return first_load.failure()


def app_from_environment() -> Any:
    """The ASGI app, built in each worker from the options ``serve`` left in the environment;
    with ``--reload``, an app that rebuilds itself when a watched file changes. The first
    worker to build it prints the banner, and a first build that fails stops ``serve`` with
    its reason (see :mod:`mockserver.cli.first_load`)."""
    from mockserver.cli.reload import ReloadingApp
    from mockserver.serve.server import quiet_injected_faults

    quiet_third_party_warnings()
    settings = json.loads(os.environ[ENVIRONMENT_KEY])
    options = _options(settings)

    first_load = FirstLoad(Path(settings["first_load"])) if "first_load" in settings else None

    def build() -> Any:
        from mockserver.serve.app import create_app
        from mockserver.serve.mount import load_apis

        apis = load_apis([Path(p) for p in settings["paths"]], options)
        if first_load is not None and first_load.claim_ready():
            host, port = settings["address"]
            print(banner(apis, host, port, settings["state"]), flush=True)
        return create_app(apis, options)

    try:
        with _collector_paused():
            app = ReloadingApp(build, _watched(settings)) if settings.get("reload") else build()
    except MockserverError as error:
        if first_load is not None and not first_load.is_ready():
            first_load.fail(str(error))  # the parent says it and exits 2
        print(f"mockserver serve: {error}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
    quiet_injected_faults()
    # Everything loaded so far lives as long as the process: keep the collector from
    # walking it on every full collection (a measurable share of each request otherwise).
    # No collection first: loading leaves a few thousand cyclic objects (no resident
    # memory to speak of on GitHub's description) and finding them walked the whole heap.
    gc.freeze()
    return app


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No garbage collection while the documents load: loading makes millions of objects
    that all live on, and each full collection on the way walked every one of them (a
    fifth of GitHub's load)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _watched(settings: dict[str, Any]) -> list[Path]:
    """The folders ``--reload`` watches: the documents' and the fixtures'."""
    documents = {Path(p).parent for p in settings["paths"]}
    return sorted(documents | {Path(settings["fixtures"])})


def _pacing_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The latency and journal options, checked here so a typo stops start-up."""
    from mockserver.data.pacing import Pacing

    pacing = {
        "latency": args.latency,
        "error-rate": args.error_rate,
        "fault-rate": args.fault_rate,
        "faults": args.faults.split(",") if args.faults else None,
    }
    try:
        Pacing.from_mapping(pacing)
    except ValueError as error:
        raise UsageError(None, f"{error}") from None
    if args.journal_size < 0:
        raise UsageError(None, "--journal-size must be 0 (off) or more")
    # workers are processes: more than one share the journal through files in a folder,
    # made with the other temporary folders (see _temporary_settings)
    return {"pacing": pacing, "journal": None, "journal_size": args.journal_size}


def state_url(given: str | None, workers: int) -> str:
    """The store to use: as given (refusing ``memory:`` for several workers, which could
    not share it), else memory for one worker; for several, None (a temporary SQLite
    file, made once every option is checked: see _temporary_settings). A relative SQLite
    path is made absolute, so every worker opens the same file."""
    from mockserver.serve.state.store import sqlite_path

    if given is None:
        return "memory:" if workers == 1 else TEMPORARY_SQLITE
    if given.startswith("memory") and workers > 1:
        raise UsageError(
            None,
            f"--state memory: cannot be shared by {workers} worker processes",
            hint="leave --state out (a temporary SQLite file is used), or give "
            "sqlite:///state.db or redis://host:port/0",
        )
    if given.startswith("sqlite:"):
        return f"sqlite:///{sqlite_path(given).resolve()}"
    return given


def _reach(url: str, timeout: float) -> None:
    """Stop now, with one clear line, when the store cannot be reached. (Only the store is
    opened here: the documents are loaded by the workers, and so are the modules that read
    them, which this process has no use for.)"""
    from mockserver.serve.state import open_store

    store = open_store(url, timeout)
    try:
        store.version("default")
    except Exception as error:
        raise UsageError(
            None,
            f"--state {store.url}: the store cannot be reached: {error}",
            hint="start the server it names, or choose another --state",
        ) from None
    finally:
        store.close()


def _options(settings: dict[str, Any]) -> Any:
    from mockserver.serve.journal import FileJournal, MemoryJournal
    from mockserver.serve.latency import Pacing
    from mockserver.serve.options import ServeOptions
    from mockserver.serve.state import open_store
    from mockserver.spec.cache import DocumentCache

    size = settings.get("journal_size", 1000)
    folder = settings.get("journal")
    return ServeOptions(
        check_fixtures=check_fixtures,
        seed=settings["seed"],
        any_token=settings["any_token"],
        errors=settings.get("errors", False),
        cors_origins=tuple(settings["cors_origins"]),
        fixtures_dir=Path(settings["fixtures"]),
        state=open_store(settings.get("state", "memory:"), settings.get("state_timeout", 2.0)),
        pacing=Pacing.from_mapping(settings.get("pacing", {})),
        journal=FileJournal(Path(folder), size) if folder else MemoryJournal(size),
        proxy=proxy_options(settings.get("proxy")),
        cache=DocumentCache() if settings.get("cache") else None,
        allowed_hosts=tuple(settings.get("allowed_hosts", ["127.0.0.1"])),
        control_token=settings.get("control_token"),
    )


def warn_if_exposed(host: str, token: str | None) -> None:
    """One line on stderr when ``--host`` reaches beyond this machine."""
    from mockserver.serve.surface import is_loopback

    if is_loopback(host):
        return
    guarded = (
        "the control routes want --control-token's X-Mock-Token"
        if token
        else "give --control-token TOKEN to guard the control routes"
    )
    print(
        f"mockserver serve: warning: --host {host} exposes to the network every mocked API "
        f"with its writes, POST /__mock/reset, /__mock/state, the request journal (with "
        f"request bodies) and the dashboard; {guarded} (see SECURITY.md)",
        file=sys.stderr,
        flush=True,
    )


def banner(apis: list[Any], host: str, port: int, state: str = "memory:") -> str:
    """What is mounted where, where writes are kept, and how to send the development token."""
    base = Address(host, port).url
    lines = [f"mockserver serving {len(apis)} API{'s' * (len(apis) != 1)} at {base}/"]
    for api in apis:
        behaviours = sum(1 for p in api.plans if p.behaviour)
        inferred = api.declaration is not None and api.declaration.source.path == api.document.path
        source = (
            f"{behaviours} {'inferred' if inferred else f'from fixtures/{api.name}/'}"
            if behaviours
            else "examples and generated data"
        )
        mounts = ", ".join(f"{base}{m or '/'}" for m in api.mounts)
        lines.append(
            f"  {api.name:<14} OpenAPI {api.document.version:<6} "
            f"{len(api.plans):>3} operations ({source}) at {mounts}"
        )
    lines += token_lines(apis)
    lines.append(
        f"  state: {state} (sessions: 'X-Mock-Session: NAME'; reset: POST {base}/__mock/reset)"
    )
    lines.append(f"  index and Swagger UI: {base}/")
    return "\n".join(lines)


def token_lines(apis: list[Any]) -> list[str]:
    """One line per way of sending the development token, naming the schemes that use it."""
    users: dict[str, list[str]] = {}
    for api in apis:
        for key, scheme in api.document.security_schemes.items():
            users.setdefault(token_hint(scheme), []).append(f"{api.name}: {key}")
    if not users:
        return ["  no API asks for credentials"]
    return [f"  development token: {hint} ({', '.join(names)})" for hint, names in users.items()]


def token_hint(scheme: Any) -> str:
    """How a request carries the development token for ``scheme``."""
    from mockserver.serve.security import DEVELOPMENT_TOKEN as token

    if scheme.type == "apiKey":
        if scheme.location == "query":
            return f"'?{scheme.parameter_name}={token}'"
        if scheme.location == "cookie":
            return f"'Cookie: {scheme.parameter_name}={token}'"
        return f"'{scheme.parameter_name}: {token}'"
    if scheme.type == "http" and scheme.scheme.lower() == "basic":
        encoded = base64.b64encode(f"user:{token}".encode()).decode("ascii")
        return f"'Authorization: Basic {encoded}' (any user, password {token})"
    return f"'Authorization: Bearer {token}'"


def check_fixtures(folder: Path, specs_folder: Path) -> None:
    """Stop start-up at the first problem ``mockserver validate`` finds in a fixture folder."""
    from mockserver.spec.source import Position
    from mockserver.validate.fixtures import check_fixture_folder
    from mockserver.validate.rules import RULES

    findings = check_fixture_folder(folder, specs_folder)
    if findings:
        first = findings[0]
        more = (
            f" (and {len(findings) - 1} more; run mockserver validate)" if len(findings) > 1 else ""
        )
        raise DeclarationError(
            first.file,
            first.message + more,
            code=first.code,
            pointer=first.pointer,
            hint=RULES.fix(first),
            position=Position(first.line, first.column),
        )
