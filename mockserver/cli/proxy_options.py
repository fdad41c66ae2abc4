"""``serve``'s proxy options (``--proxy``, ``--proxy-strict``, ``--proxy-timeout``,
``--proxy-fallback``, ``--record``): parsed and checked here, so a typo stops start-up with
one clear line, and kept apart from the rest of ``serve``'s options, which they do not touch.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mockserver.errors import UsageError

#: ``NAME=URL``: an API name (no ``:`` or ``/``) before the first ``=``.
_NAMED = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+)=(?P<url>.+)$")


def add_proxy_options(cmd: argparse.ArgumentParser) -> None:
    """Register the proxy options on ``serve``."""
    group = cmd.add_argument_group("validating proxy and recording")
    group.add_argument(
        "--proxy",
        action="append",
        default=[],
        metavar="[NAME=]URL",
        help="forward each request to this provider and check both directions against "
        "the document; NAME=URL for one of several documents (repeatable)",
    )
    group.add_argument(
        "--proxy-strict",
        action="store_true",
        help="refuse invalid requests (not forwarded) and answer 502 for provider answers "
        "that break the document (default: report violations in the journal only)",
    )
    group.add_argument(
        "--proxy-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="answer 504 when the provider has not connected or answered in this time "
        "(default: 10)",
    )
    group.add_argument(
        "--proxy-fallback",
        action="store_true",
        help="when the provider does not answer, answer from the mock, with a Warning",
    )
    group.add_argument(
        "--record",
        type=Path,
        metavar="DIR",
        help="fold each provider answer that passes the document into fixtures under "
        "DIR/<api name>/ (mock.yaml and data files)",
    )


def proxy_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The proxy options as plain values for the environment; raises UsageError."""
    upstreams: dict[str, str] = {}
    for given in args.proxy:
        name, url = parse_proxy(given)
        if name in upstreams:
            raise UsageError(None, f"--proxy {name or 'URL'} is given twice")
        upstreams[name] = url
    if args.proxy_timeout <= 0:
        raise UsageError(None, "--proxy-timeout must be more than 0 seconds")
    if not upstreams and (args.proxy_strict or args.proxy_fallback or args.record):
        raise UsageError(
            None,
            "--proxy-strict, --proxy-fallback and --record need a provider",
            hint="add --proxy URL (the real API's base URL)",
        )
    return {
        "upstreams": upstreams,
        "strict": args.proxy_strict,
        "timeout": args.proxy_timeout,
        "fallback": args.proxy_fallback,
        "record": str(args.record.resolve()) if args.record else None,
    }


def parse_proxy(given: str) -> tuple[str, str]:
    """``URL`` -> ("", URL); ``NAME=URL`` -> (NAME, URL); raises on a URL that is not one."""
    named = _NAMED.match(given)
    name, url = (named["name"], named["url"]) if named else ("", given)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(
            None,
            f"--proxy {given}: not an http(s) URL",
            hint="give the provider's base URL, e.g. --proxy https://api.example.com/v1, "
            "or NAME=URL for one of several documents",
        )
    if parts.query or parts.fragment:
        raise UsageError(None, f"--proxy {given}: a base URL has no query or fragment")
    return name, url


def check_proxied_names(settings: dict[str, Any], names: list[str]) -> None:
    """Every named provider names a served API; an unnamed one needs exactly one API."""
    upstreams: dict[str, str] = settings.get("upstreams", {})
    for name in upstreams:
        if name and name not in names:
            raise UsageError(
                None,
                f"--proxy {name}=...: no API named {name!r} is served",
                hint=f"the APIs served: {', '.join(names)}",
            )
    if "" in upstreams and len(names) > 1:
        raise UsageError(
            None,
            f"--proxy {upstreams['']}: {len(names)} APIs are served; which one?",
            hint=f"name it: --proxy NAME=URL, NAME one of {', '.join(names)}",
        )


def proxy_options(settings: dict[str, Any] | None) -> Any:
    """The server's ProxyOptions from the plain values :func:`proxy_settings` made."""
    from mockserver.serve.options import ProxyOptions

    if not settings:
        return ProxyOptions()
    record = settings.get("record")
    return ProxyOptions(
        upstreams=dict(settings["upstreams"]),
        strict=bool(settings["strict"]),
        timeout=float(settings["timeout"]),
        fallback=bool(settings["fallback"]),
        record=Path(record) if record else None,
    )


def proxy_banner(settings: dict[str, Any]) -> list[str]:
    """Banner lines naming each provider and the recording folder."""
    lines = []
    mode = "strict" if settings.get("strict") else "report only"
    for name, url in settings.get("upstreams", {}).items():
        lines.append(f"  proxy: {name or 'every request'} -> {url} ({mode})")
    if settings.get("record"):
        lines.append(f"  recording valid provider answers into {settings['record']}/<api name>/")
    return lines
