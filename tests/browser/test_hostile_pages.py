"""A page on another site, in a real browser, against the mock's own surface (issue 20).

The hostile page comes from a second tiny server on another port, under a host name the
browser resolves to this machine (``--host-resolver-rules``, see conftest.py): one page tries
the cross-site reset a "simple" request allows (no preflight), the other is the page a DNS
rebinding attack serves under the attacker's name at the mock's own port, so that its reads
of ``/__mock/journal`` are same-origin. Both must fail.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from playwright.sync_api import Dialog, Page, Route, expect

from tests.browser.conftest import HOSTILE_HOST
from tests.conftest import RAW_TOKEN, serving

pytestmark = pytest.mark.xdist_group("browser")

LIST = "/launchdarkly/api/v2/auditlog"
TOKEN = "s3cret-control"

RESET_PAGE = """<!doctype html><title>cute cats</title><script>
window.attempts = (async () => {
  const target = "%(mock)s/__mock/reset";
  const tries = [
    fetch(target, {method: "POST", mode: "no-cors", body: "{}",
                   headers: {"Content-Type": "text/plain"}}),
    fetch(target, {method: "POST", mode: "no-cors"}),
    fetch(target, {method: "POST", body: "{}",
                   headers: {"Content-Type": "application/json"}}),
  ];
  const settled = await Promise.allSettled(tries);
  return settled.map((s) => s.status);
})();
</script>"""

REBIND_PAGE = """<!doctype html><title>cute cats</title><script>
window.stolen = (async () => {
  const answer = await fetch("/__mock/journal");
  return {status: answer.status, text: await answer.text()};
})();
</script>"""


class _Pages(BaseHTTPRequestHandler):
    """The hostile site: serves the page named by the path, filled in with the mock's URL."""

    mock = ""

    def do_GET(self) -> None:
        page = RESET_PAGE if self.path.startswith("/reset") else REBIND_PAGE
        body = (page % {"mock": self.mock}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture(scope="module")
def hostile_site(base: str) -> Iterator[str]:
    """The second tiny server, on another port, as http://evil.test:PORT."""
    handler = type("Pages", (_Pages,), {"mock": base})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://{HOSTILE_HOST}:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _journal(base: str) -> list[dict[str, object]]:
    return httpx.get(base + "/__mock/journal", timeout=10).json()["entries"]  # type: ignore[no-any-return]


def test_a_page_on_another_site_cannot_reset_the_mock(
    page: Page, base: str, hostile_site: str
) -> None:
    httpx.get(base + LIST, headers=RAW_TOKEN, timeout=10)
    before = len(_journal(base))
    assert before > 0
    page.goto(hostile_site + "/reset.html")
    outcomes = page.evaluate("window.attempts")
    assert outcomes[2] == "rejected"  # the JSON one: its preflight is refused
    resets = [e for e in _journal(base) if e["path"] == "/__mock/reset"]
    assert len(_journal(base)) >= before, "the journal was cleared by the page"
    assert all(e["status"] == 403 for e in resets)


def test_a_rebinding_page_cannot_read_the_journal(page: Page, base: str, hostile_site: str) -> None:
    httpx.get(base + LIST, headers=RAW_TOKEN, timeout=10)
    port = httpx.URL(base).port
    rebound = f"http://{HOSTILE_HOST}:{port}"

    attacker = f"http://127.0.0.1:{httpx.URL(hostile_site).port}/rebind.html"

    def from_the_attacker(route: Route) -> None:  # the first answer, before the rebinding
        served = httpx.get(attacker, timeout=10)
        route.fulfill(status=200, content_type="text/html", body=served.text)

    page.route(rebound + "/", from_the_attacker)
    page.goto(rebound + "/")
    stolen = page.evaluate("window.stolen")
    assert stolen["status"] == 421
    assert "entries" not in stolen["text"] and LIST not in stolen["text"]


@pytest.fixture(scope="module")
def guarded() -> Iterator[str]:
    """The vendored APIs served with --control-token."""
    with serving("--control-token", TOKEN) as url:
        yield url


def test_the_dashboard_takes_the_control_token_from_its_address(
    page: Page, guarded: str, errors: list[str]
) -> None:
    assert httpx.get(guarded + "/__mock/journal", timeout=10).status_code == 401
    page.goto(guarded + f"/#token={TOKEN}")
    expect(page.locator("#journal-status")).to_contain_text("live")
    assert TOKEN not in page.url
    httpx.get(guarded + LIST + "?q=fragment", headers=RAW_TOKEN, timeout=10)
    expect(page.locator("#entries li").first).to_contain_text("q=fragment")
    page.get_by_role("button", name="Reset", exact=True).click()
    expect(page.locator("#entries li")).to_have_count(0)
    assert errors == []


def test_the_dashboard_asks_for_the_control_token_once(page: Page, guarded: str) -> None:
    asked: list[str] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept(TOKEN)

    page.on("dialog", answer)
    page.goto(guarded + "/")
    expect(page.locator("#journal-status")).to_contain_text("live")
    httpx.get(guarded + LIST + "?q=prompted", headers=RAW_TOKEN, timeout=10)
    expect(page.locator("#entries li").first).to_contain_text("q=prompted")
    assert len(asked) == 1 and "--control-token" in asked[0]
