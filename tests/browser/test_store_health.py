"""The dashboard shows the state store's health live: redis-server killed under a running
mock shows as failing, naming the store and the error, then as ok again once it is back,
without a reload."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.cli.test_serve_state import own_redis, start_redis
from tests.conftest import DATA, TOKEN, serving

pytestmark = [pytest.mark.xdist_group("browser"), pytest.mark.redis]

NOTES = "/crud-3.1/api/owners"
#: Chromium logs every non-2xx fetch; the dashboard's health check answered 503 is expected
EXPECTED = "status of 503"


def test_a_killed_redis_shows_failing_then_ok_after_it_restarts(
    page: Page, errors: list[str], tmp_path: Path
) -> None:
    with own_redis() as (url, processes):
        options = ("--fixtures", str(tmp_path), "--state", url, "--state-timeout", "1")
        with serving(str(DATA / "crud-3.1.yaml"), *options) as base:
            page.goto(base + "/")
            store = page.locator("#store-health")
            expect(store).to_have_attribute("data-status", "ok", timeout=15_000)
            expect(store).to_contain_text(f"redis {url}")
            expect(store).to_contain_text("ping")

            processes[0].kill()
            processes[0].wait(timeout=30)
            failed = httpx.post(base + NOTES, json={"name": "N", "city": "Oslo"}, headers=TOKEN)
            assert failed.status_code == 503
            expect(store).to_have_attribute("data-status", "unavailable", timeout=15_000)
            expect(store).to_contain_text("failing since")
            expect(store).to_contain_text("ConnectionError")
            expect(page.locator("#entries .entry .status", has_text="503").first).to_be_visible()

            processes.append(start_redis(int(url.rsplit(":", 1)[1].split("/")[0])))
            expect(store).to_have_attribute("data-status", "ok", timeout=15_000)
            expect(store).to_contain_text("last error at")
            made = httpx.post(base + NOTES, json={"name": "N", "city": "Oslo"}, headers=TOKEN)
            assert made.status_code == 201
    assert [e for e in errors if EXPECTED not in e] == []
