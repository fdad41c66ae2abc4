"""Browser tests: Playwright driving Debian's chromium against `mockserver serve`.

Playwright's own browser downloads are not used (nor reachable here): the tests launch
``/usr/bin/chromium``, which ``make test`` installs, with the flags a headless browser
needs as root on a machine with no outside network. A new empty profile is Playwright's
default for ``launch``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page

from tests.conftest import ROOT, serving

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HOSTILE_HOST = "evil.test"
ARTIFACTS = ROOT / "build" / "artifacts"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # a hostile page's host name (test_hostile_pages.py): resolving it to this machine is
    # what DNS rebinding achieves, without a DNS server
    f"--host-resolver-rules=MAP {HOSTILE_HOST} 127.0.0.1",
    # and without Chromium's own local-network guard, which other browsers lack: the mock's
    # checks, not this browser's, must be what stops the page
    "--disable-features=LocalNetworkAccessChecks,PrivateNetworkAccessRespectPreflightResults",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch arguments, pointed at Debian's chromium."""
    if not Path(CHROMIUM).exists():
        pytest.fail("the browser tests need Debian's chromium: run `make test`, which installs it")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": FLAGS}


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    """The four vendored APIs, served as a developer serves them."""
    with serving() as url:
        yield url


@pytest.fixture
def errors(page: Page) -> list[str]:
    """Console errors and uncaught exceptions of ``page``; each test asserts there are none."""
    found: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            found.append(f"console: {message.text} ({message.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: found.append(f"page error: {error}"))
    return found


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go (ignored by git)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/browser/ is in the browser tier, and serves the mock in a
    subprocess."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in item.path.resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.subprocess)
