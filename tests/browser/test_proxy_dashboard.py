"""The dashboard's "drift only" filter on a validating proxy, in a real browser.

The proxy (``mockserver serve --proxy``) stands in front of the misbehaving provider of
:mod:`tests.serve.provider_app`; one answer is clean, one drifts from the document (the
provider's body), one request drifts (a parameter beyond its maximum). Ticking "drift
only" must leave exactly the two drifted exchanges, each showing its violations with the
side they are on.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import WriteDoc, serving
from tests.serve.test_proxy import no_fixtures, pets_doc, provider

pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture
def proxied(write_doc: WriteDoc, tmp_path: Path) -> Iterator[str]:
    """The proxy's base URL, in front of the misbehaving provider."""
    doc = write_doc(pets_doc())
    with (
        provider() as upstream,
        serving(str(doc), "--fixtures", no_fixtures(tmp_path), "--proxy", upstream) as base,
    ):
        yield base


def test_drift_only_keeps_the_drifted_exchanges(
    page: Page, proxied: str, errors: list[str]
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(proxied + "/")
    expect(page.locator("#journal-status")).to_contain_text("live")
    assert httpx.get(proxied + "/api/v1/pets/1").status_code == 200  # clean
    assert httpx.get(proxied + "/api/v1/pets/drift").json() == {"id": "one", "name": 7}
    assert httpx.get(proxied + "/api/v1/pets?limit=500").status_code == 200  # request drift
    shown = page.locator("#entries .entry:not([hidden])")
    expect(shown).to_have_count(3)

    page.get_by_label("drift only").check()
    expect(shown).to_have_count(2)
    expect(shown.locator(".verdict")).to_have_text(["drift", "drift"])
    clean = page.locator("#entries .entry", has_text="/v1/pets/1")
    expect(clean).to_be_hidden()

    response_side = shown.filter(has_text="/v1/pets/drift")
    response_side.locator("summary").click()
    table = response_side.locator("table.violations")
    expect(table.locator("caption")).to_have_text("Drift from the document")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).to_contain_text("/body/id")
    expect(table.locator("tbody tr").first.locator("td").first).to_have_text("response")
    request_side = shown.filter(has_text="limit=500")
    request_side.locator("summary").click()
    expect(request_side.locator("table.violations")).to_contain_text("/query/limit")
    expect(request_side.locator("table.violations tbody td").first).to_have_text("request")

    page.get_by_label("drift only").uncheck()
    expect(shown).to_have_count(3)
    assert errors == []
