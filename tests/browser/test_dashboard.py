"""The dashboard and Swagger UI in a real browser (Debian's chromium, through Playwright)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import RAW_TOKEN, VENDORED

pytestmark = pytest.mark.xdist_group("browser")

LIST = "/launchdarkly/api/v2/auditlog"


def _open(page: Page, base: str, width: int = 1280) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(base + "/")
    expect(page.locator("#journal-status")).to_contain_text("live")


def test_the_index_lists_every_api(page: Page, base: str, errors: list[str]) -> None:
    _open(page, base)
    for name in VENDORED:
        api = page.locator(f"#api-{name}")
        expect(api).to_be_visible()
        expect(api.get_by_role("link", name="Swagger UI")).to_have_attribute("href", f"/{name}/ui/")
        expect(api.get_by_role("link", name="openapi.json")).to_be_visible()
    expect(page.locator("#api-launchdarkly tbody tr")).to_have_count(4)
    assert errors == []


def test_swagger_ui_runs_a_list_request_against_the_mock(
    page: Page, base: str, errors: list[str]
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base + "/launchdarkly/ui/")
    expect(page.locator(".info .title")).to_contain_text("OAS 3.1")
    page.get_by_role("button", name="Authorize").first.click()
    page.get_by_label("Value:").fill("mock-token")
    page.get_by_role("button", name="Apply credentials").click()
    page.locator(".modal-ux").get_by_role("button", name="Close").click()
    operation = page.locator("#operations-Audit_log-getAuditLogEntries")
    operation.locator(".opblock-summary-control").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    live = operation.locator(".live-responses-table .response")
    expect(live.locator(".response-col_status")).to_have_text("200", timeout=15_000)
    expect(live.locator(".response-col_description")).to_contain_text('"items"')
    assert errors == []


def test_a_refused_request_shows_in_the_journal_with_its_violation(
    page: Page, base: str, errors: list[str], artifacts: Path
) -> None:
    _open(page, base)
    httpx.get(base + LIST, headers=RAW_TOKEN)
    httpx.get(base + LIST + "?limit=50", headers=RAW_TOKEN)  # at most 20
    refused = page.locator("#entries .entry.refused").first
    expect(refused.locator(".status")).to_have_text("400")
    refused.locator("summary").click()
    violations = refused.locator("table.violations")
    expect(violations).to_contain_text("/query/limit")
    expect(violations).to_contain_text("maximum")
    expect(refused.locator(".curl")).to_contain_text("limit=50")
    expect(refused.locator(".curl")).to_contain_text("authorization: mock-token")
    page.screenshot(path=artifacts / "dashboard.png", full_page=False)
    assert errors == []


def test_prefer_delay_shows_in_the_measured_time(page: Page, base: str, errors: list[str]) -> None:
    _open(page, base)
    httpx.get(base + LIST + "?q=slow", headers={**RAW_TOKEN, "Prefer": "delay=400"})
    entry = page.locator("#entries .entry", has_text="q=slow").first
    expect(entry).to_be_visible()
    measured = float(re.sub(r"[^\d.]", "", entry.locator(".ms").inner_text()))
    assert measured >= 400
    entry.locator("summary").click()
    expect(entry).to_contain_text("delay 400 ms")
    assert errors == []


def test_filters_reset_and_a_narrow_window(page: Page, base: str, errors: list[str]) -> None:
    _open(page, base, width=400)
    httpx.get(base + "/anaconda/api/audit-log/1", headers=RAW_TOKEN)  # no such path
    missed = page.locator("#entries .entry", has_text="audit-log/1").first
    expect(missed).to_be_visible()
    missed.locator("summary").click()
    expect(missed).to_contain_text("Did you mean")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("Status").fill("2xx")
    expect(missed).to_be_hidden()
    httpx.get(base + LIST + "?q=alice", headers={**RAW_TOKEN, "X-Mock-Session": "alice"})
    session = page.locator("#session-list li", has_text="alice")
    expect(session).to_be_visible()  # a session a request named
    session.get_by_role("button", name="Reset alice").click()
    expect(page.locator("#entries .entry", has_text="q=alice")).to_have_count(0)
    page.get_by_role("button", name="Reset", exact=True).click()
    expect(page.locator("#entries .entry")).to_have_count(0)
    assert httpx.get(base + "/__mock/journal").json()["entries"] == []
    assert errors == []
