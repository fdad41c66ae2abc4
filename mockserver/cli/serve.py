"""``mockserver serve``: load, print what is mounted where, then run uvicorn.

Worker processes (``--workers``) and the reloader each build the app themselves through
:func:`app_from_environment`, from the options this process puts in the environment;
export jobs live in a folder they all share, so no request depends on which worker
answers it.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

from mockserver.errors import MockserverError, UsageError
from mockserver.serve.security import DEVELOPMENT_TOKEN
from mockserver.spec.loader import SPEC_SUFFIXES

ENVIRONMENT_KEY = "MOCKSERVER_SERVE_OPTIONS"


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
        type=Path,
        metavar="PATH",
        help="documents or folders of documents (default: specs/)",
    )
    cmd.add_argument("--host", default="127.0.0.1", help="interface (default: 127.0.0.1)")
    cmd.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    cmd.add_argument("--workers", type=int, default=1, help="worker processes (default: 1)")
    cmd.add_argument(
        "--reload", action="store_true", help="restart when a document or fixture changes"
    )
    cmd.add_argument("--seed", type=int, default=0, help="seed for generated data")
    cmd.add_argument(
        "--any-token",
        action="store_true",
        help="accept any well-formed credential, not only known tokens",
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
        default=Path("fixtures"),
        help="fixture folders (default: fixtures/)",
    )
    cmd.add_argument("--log-level", default="warning", help="uvicorn log level")
    cmd.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    """Check everything loads, print the banner, and serve until interrupted."""
    quiet_third_party_warnings()
    import uvicorn

    from mockserver.serve.mount import load_apis

    if args.workers < 1:
        raise UsageError(None, "--workers must be at least 1")
    documents = spec_files(args.paths or [Path("specs")])
    settings = {
        "paths": [str(p.resolve()) for p in documents],
        "seed": args.seed,
        "any_token": args.any_token,
        "cors_origins": list(args.cors_origin),
        "fixtures": str(args.fixtures.resolve()),
        "jobs": tempfile.mkdtemp(prefix="mockserver-jobs-"),
    }
    apis = load_apis(documents, _options(settings))  # fail fast, before any worker starts
    print(banner(apis, args.host, args.port), flush=True)
    os.environ[ENVIRONMENT_KEY] = json.dumps(settings)
    access_log = args.log_level in ("info", "debug", "trace")
    if args.workers > 1 and not args.reload:
        from mockserver.serve.server import serve_workers

        return serve_workers(args.host, args.port, args.workers, args.log_level, access_log)
    uvicorn.run(
        "mockserver.cli.serve:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        reload=args.reload,
        reload_dirs=sorted({str(p.parent) for p in documents} | {settings["fixtures"]})
        if args.reload
        else None,
        reload_includes=["*.yaml", "*.yml", "*.json"] if args.reload else None,
        log_level=args.log_level,
        access_log=access_log,
        http="httptools",
        loop="uvloop",
    )
    return 0


def app_from_environment() -> Any:
    """The ASGI app, built in each worker from the options ``serve`` left in the environment."""
    quiet_third_party_warnings()
    from mockserver.serve.app import create_app
    from mockserver.serve.mount import load_apis

    settings = json.loads(os.environ[ENVIRONMENT_KEY])
    options = _options(settings)
    try:
        apis = load_apis([Path(p) for p in settings["paths"]], options)
    except MockserverError as error:  # a reload picked up a broken file: say where
        print(f"mockserver serve: {error}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
    app = create_app(apis, options)
    # Everything loaded so far lives as long as the process: keep the collector from
    # walking it on every full collection (a measurable share of each request otherwise).
    gc.collect()
    gc.freeze()
    return app


def _options(settings: dict[str, Any]) -> Any:
    from mockserver.serve.jobs import FileJobStore
    from mockserver.serve.mount import ServeOptions

    return ServeOptions(
        seed=settings["seed"],
        any_token=settings["any_token"],
        cors_origins=tuple(settings["cors_origins"]),
        fixtures_dir=Path(settings["fixtures"]),
        jobs=FileJobStore(Path(settings["jobs"])),
    )


def spec_files(paths: list[Path]) -> list[Path]:
    """The documents named by ``paths``: files as given, folders' YAML/JSON files sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in SPEC_SUFFIXES))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(path, "no such file or folder")
    if not found:
        raise UsageError(None, "no documents to serve", hint="give a path to an OpenAPI file")
    names = [p.stem for p in found]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise UsageError(
            None,
            f"two documents are named {duplicates[0]!r}; each API is "
            "served under /<file name>, so names must differ",
        )
    return found


def banner(apis: list[Any], host: str, port: int) -> str:
    """What is mounted where, and the development token."""
    base = f"http://{host}:{port}"
    lines = [f"mockserver serving {len(apis)} API{'s' * (len(apis) != 1)} at {base}/"]
    for api in apis:
        behaviours = sum(1 for p in api.plans if p.behaviour)
        source = (
            f"{behaviours} from fixtures/{api.name}/"
            if behaviours
            else "examples and generated data"
        )
        mounts = ", ".join(f"{base}{m or '/'}" for m in api.mounts)
        lines.append(
            f"  {api.name:<14} OpenAPI {api.document.version:<6} "
            f"{len(api.plans):>3} operations ({source}) at {mounts}"
        )
    lines.append(
        f"  development token: 'Authorization: Bearer {DEVELOPMENT_TOKEN}' "
        f"(or 'Authorization: {DEVELOPMENT_TOKEN}' for raw API-key headers)"
    )
    lines.append(f"  index and Swagger UI: {base}/")
    return "\n".join(lines)
