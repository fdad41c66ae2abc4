"""Each vendor's list honours its own filters, sort and paging; gets agree with lists.

These run against the vendored documents and their fixtures, through the served app.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from mockserver.data.records import epoch_ms
from tests.conftest import FIXTURES, RAW_TOKEN, TOKEN, Client

LD = "/launchdarkly/api/v2/auditlog"
ANACONDA = "/anaconda/api/audit-logs"
LD_ENTRIES: list[dict[str, Any]] = json.loads((FIXTURES / "launchdarkly/entries.json").read_text())
ANACONDA_LOGS: list[dict[str, Any]] = json.loads(
    (FIXTURES / "anaconda/audit-logs.json").read_text()
)


def walk(client: Client, url: str, next_of: Any, **kwargs: Any) -> list[dict[str, Any]]:
    """Every item from following the pages, in order."""
    items: list[dict[str, Any]] = []
    for _ in range(200):
        response = client.request(kwargs.pop("method", "GET"), url, **kwargs)
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["items"])
        url = next_of(body)
        if url is None:
            return items
    raise AssertionError("paging never ended")


class TestLaunchDarkly:
    def test_list_is_newest_first_with_the_documented_default_limit(self, vendored: Client) -> None:
        body = vendored.get(LD, headers=RAW_TOKEN).json()
        dates = [item["date"] for item in body["items"]]
        assert len(dates) == 10 and dates == sorted(dates, reverse=True)
        assert body["_links"]["self"]["href"] == LD
        assert body["_links"]["next"]["href"].startswith(LD + "?before=")

    def test_walking_next_links_yields_every_entry_exactly_once(self, vendored: Client) -> None:
        def following(body: dict[str, Any]) -> str | None:
            link = body["_links"].get("next")
            return link["href"] if link else None

        items = walk(vendored, LD + "?limit=7", following, headers=RAW_TOKEN)
        ids = [item["_id"] for item in items]
        assert len(ids) == len(set(ids)) == len(LD_ENTRIES)

    def test_before_and_after_bound_the_dates(self, vendored: Client) -> None:
        dates = sorted(e["date"] for e in LD_ENTRIES)
        low, high = dates[10], dates[30]
        items = vendored.get(f"{LD}?after={low}&before={high}&limit=20", headers=RAW_TOKEN).json()[
            "items"
        ]
        assert items and all(low < item["date"] < high for item in items)
        assert len(items) == 19

    def test_q_searches_text(self, vendored: Client) -> None:
        word = LD_ENTRIES[0]["name"].split()[0]
        items = walk(
            vendored,
            f"{LD}?q={quote(word)}&limit=20",
            lambda b: b["_links"].get("next", {}).get("href"),
            headers=RAW_TOKEN,
        )
        assert items
        expected = [
            e
            for e in LD_ENTRIES
            if any(
                word.lower() in str(e.get(f, "")).lower()
                for f in (
                    "name",
                    "title",
                    "description",
                    "shortDescription",
                    "comment",
                    "titleVerb",
                )
            )
            or word.lower() in e.get("target", {}).get("name", "").lower()
        ]
        assert {i["_id"] for i in items} == {e["_id"] for e in expected}

    def test_spec_filters_by_resource_specifier(self, vendored: Client) -> None:
        items = vendored.get(
            f"{LD}?spec={quote('proj/*:env/production:flag/*')}&limit=20", headers=RAW_TOKEN
        ).json()["items"]
        assert items
        for item in items:
            entry = next(e for e in LD_ENTRIES if e["_id"] == item["_id"])
            assert any(
                r.split(";")[0].startswith("proj/") and ":env/production:flag/" in r
                for r in entry["target"]["resources"]
            )

    def test_limit_out_of_range_is_a_launchdarkly_error(self, vendored: Client) -> None:
        response = vendored.get(f"{LD}?limit=21", headers=RAW_TOKEN)
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid_request" and "maximum of 20" in body["message"]

    def test_get_returns_exactly_what_the_list_showed(self, vendored: Client) -> None:
        items = vendored.get(f"{LD}?limit=20", headers=RAW_TOKEN).json()["items"]
        assert items
        for item in items:
            detail = vendored.get(f"{LD}/{item['_id']}", headers=RAW_TOKEN).json()
            assert {k: detail[k] for k in item} == item

    def test_unknown_id_is_the_documented_404(self, vendored: Client) -> None:
        response = vendored.get(f"{LD}/0123456789abcdef01234567", headers=RAW_TOKEN)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    def test_missing_or_bearer_credentials_are_401(self, vendored: Client) -> None:
        assert vendored.get(LD).json()["code"] == "unauthorized"
        assert vendored.get(LD, headers={"Authorization": "nope"}).status_code == 401

    def test_search_applies_policy_statements(self, vendored: Client) -> None:
        allow_flags = [{"effect": "allow", "resources": ["proj/*:env/*:flag/*"], "actions": ["*"]}]
        items = vendored.post(f"{LD}?limit=20", json=allow_flags, headers=RAW_TOKEN).json()
        assert items["items"] and all(i["kind"] == "flag" for i in items["items"])
        deny_all = [*allow_flags, {"effect": "deny", "resources": ["*"], "actions": ["*"]}]
        assert vendored.post(LD, json=deny_all, headers=RAW_TOKEN).json()["items"] == []

    def test_counts_bucket_the_matching_entries(self, vendored: Client) -> None:
        dates = sorted(e["date"] for e in LD_ENTRIES)
        after, before = dates[0] - 1, dates[-1] + 1
        body = vendored.post(
            f"{LD}/counts?after={after}&before={before}&buckets=9", json=[], headers=RAW_TOKEN
        ).json()
        assert len(body["buckets"]) == 9
        assert sum(b["count"] for b in body["buckets"]) == body["totalCount"] == len(LD_ENTRIES)
        stamps = [b["timestamp"] for b in body["buckets"]]
        assert stamps == sorted(stamps) and stamps[0] == after

    def test_counts_require_after(self, vendored: Client) -> None:
        response = vendored.post(f"{LD}/counts", json=[], headers=RAW_TOKEN)
        assert response.status_code == 400 and "after" in response.json()["message"]


class TestAnaconda:
    def test_list_has_a_true_total_count(self, vendored: Client) -> None:
        body = vendored.get(f"{ANACONDA}?limit=5", headers=TOKEN).json()
        assert body["total_count"] == len(ANACONDA_LOGS) and len(body["items"]) == 5

    @pytest.mark.parametrize("query", ["q=", "q=&q=", "q=&search_operator=and"])
    def test_an_empty_search_filters_nothing(self, vendored: Client, query: str) -> None:
        body = vendored.get(f"{ANACONDA}?{query}&limit=5", headers=TOKEN).json()
        assert body["total_count"] == len(ANACONDA_LOGS)

    def test_limit_and_offset_walk_every_record_once(self, vendored: Client) -> None:
        seen = []
        for offset in range(0, len(ANACONDA_LOGS) + 10, 10):
            page = vendored.get(f"{ANACONDA}?limit=10&offset={offset}", headers=TOKEN).json()
            seen += [item["id"] for item in page["items"]]
        assert len(seen) == len(set(seen)) == len(ANACONDA_LOGS)

    def test_default_order_is_most_recent_first(self, vendored: Client) -> None:
        items = vendored.get(ANACONDA, headers=TOKEN).json()["items"]
        times = [item["occurred_at"] for item in items]
        assert times == sorted(times, reverse=True)

    @pytest.mark.parametrize(
        ("sort", "key", "reverse"),
        [("created_at", "created_at", False), ("-created_at", "created_at", True)],
    )
    def test_sort_by_column(self, vendored: Client, sort: str, key: str, reverse: bool) -> None:
        items = vendored.get(f"{ANACONDA}?sort={sort}&limit=1000", headers=TOKEN).json()["items"]
        values = [item[key] for item in items]
        assert values == sorted(values, reverse=reverse)

    def test_q_column_filters_combine_with_or_and_and(self, vendored: Client) -> None:
        either = vendored.get(
            f"{ANACONDA}?q=action_key:user_logged_in,package_downloaded&limit=1000", headers=TOKEN
        ).json()
        assert either["total_count"] == sum(
            1 for e in ANACONDA_LOGS if e["action_key"] in ("user_logged_in", "package_downloaded")
        )
        email = "greta.holm"
        both = vendored.get(
            f"{ANACONDA}?q=action_key:user_logged_in&q=actor_email:{email}"
            "&search_operator=and&limit=1000",
            headers=TOKEN,
        ).json()
        assert both["items"]
        assert all(
            i["action_key"] == "user_logged_in" and email in i["actor_email"] for i in both["items"]
        )
        assert both["total_count"] < either["total_count"]

    def test_date_range_filters_occurred_at(self, vendored: Client) -> None:
        times = sorted(e["occurred_at"] for e in ANACONDA_LOGS)
        low, high = times[5], times[20]
        body = vendored.get(
            f"{ANACONDA}?from_date={low}&to_date={high}&limit=1000", headers=TOKEN
        ).json()
        assert body["total_count"] == len(body["items"]) == 16
        assert all(low <= i["occurred_at"] <= high for i in body["items"])

    def test_validation_errors_are_fastapi_shaped_422(self, vendored: Client) -> None:
        response = vendored.get(f"{ANACONDA}?limit=0&offset=-1", headers=TOKEN)
        assert response.status_code == 422
        detail = response.json()["detail"]
        assert {tuple(d["loc"]) for d in detail} == {("query", "limit"), ("query", "offset")}
        assert all(d["msg"] and d["type"] for d in detail)

    def test_unknown_columns_are_422(self, vendored: Client) -> None:
        response = vendored.get(f"{ANACONDA}?q=password:x", headers=TOKEN)
        assert response.status_code == 422
        # the document's q pattern names the columns: the first q entry is refused
        assert response.json()["detail"][0]["loc"][:2] == ["query", "q"]

    def test_any_organisation_name_sees_the_dataset(self, vendored: Client) -> None:
        body = vendored.get(ANACONDA, headers={**TOKEN, "X-Org-Name": "someone-else"}).json()
        assert body["total_count"] == len(ANACONDA_LOGS)

    def test_get_agrees_with_list_and_unknown_is_404(self, vendored: Client) -> None:
        items = vendored.get(f"{ANACONDA}?limit=10", headers=TOKEN).json()["items"]
        assert items
        for item in items:
            assert vendored.get(f"{ANACONDA}/{item['id']}", headers=TOKEN).json() == item
        missing = vendored.get(f"{ANACONDA}/00000000-0000-4000-8000-000000000000", headers=TOKEN)
        assert missing.status_code == 404 and "detail" in missing.json()

    def test_export_job_completes_and_downloads_json_lines(self, vendored: Client) -> None:
        request = {"q": ["action_key:package_downloaded"]}
        created = vendored.post(f"{ANACONDA}/export", json=request, headers=TOKEN)
        assert created.status_code == 200
        job_id = created.json()["job_id"]
        again = vendored.post(f"{ANACONDA}/export", json=request, headers=TOKEN).json()
        assert again["job_id"] == job_id  # the same export is the same job
        status = vendored.get(f"{ANACONDA}/export/{job_id}", headers=TOKEN).json()
        assert status["status"] == "completed" and status["progress"] == 100
        expected = [e for e in ANACONDA_LOGS if e["action_key"] == "package_downloaded"]
        assert status["total_records"] == len(expected)
        download = vendored.get(status["download_url"], headers=TOKEN)
        assert download.headers["content-type"].startswith("application/x-ndjson")
        lines = [json.loads(line) for line in download.text.splitlines()]
        assert sorted(r["id"] for r in lines) == sorted(e["id"] for e in expected)

    def test_unknown_export_job_is_404(self, vendored: Client) -> None:
        response = vendored.get(
            f"{ANACONDA}/export/00000000-0000-4000-8000-000000000000", headers=TOKEN
        )
        assert response.status_code == 404


LOSANT_ORG = "575ed6e87ae143cd83dc4aa8"
LOSANT = f"/losant/orgs/{LOSANT_ORG}/audit-logs"
LOSANT_LOGS: list[dict[str, Any]] = json.loads((FIXTURES / "losant/audit-logs.json").read_text())
GORULES = "/gorules/api/audit-logs"
GORULES_LOGS: list[dict[str, Any]] = json.loads((FIXTURES / "gorules/audit-logs.json").read_text())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class TestLosant:
    def test_envelope_echoes_paging_and_sort(self, vendored: Client) -> None:
        body = vendored.get(
            f"{LOSANT}?perPage=5&page=2&sortField=actorName&sortDirection=asc", headers=TOKEN
        ).json()
        assert {k: v for k, v in body.items() if k != "items"} == {
            "count": 5,
            "totalCount": len(LOSANT_LOGS),
            "perPage": 5,
            "page": 2,
            "sortField": "actorName",
            "sortDirection": "asc",
            "orgId": LOSANT_ORG,
        }

    @pytest.mark.parametrize(
        ("field", "direction"),
        [
            ("creationDate", "desc"),
            ("creationDate", "asc"),
            ("responseStatus", "desc"),
            ("actorName", "asc"),
        ],
    )
    def test_pages_walk_every_record_once_in_order(
        self, vendored: Client, field: str, direction: str
    ) -> None:
        items: list[dict[str, Any]] = []
        for page in range(0, 20):
            body = vendored.get(
                f"{LOSANT}?perPage=9&page={page}&sortField={field}&sortDirection={direction}",
                headers=TOKEN,
            ).json()
            items += body["items"]
            if not body["items"]:
                break
        assert sorted(i["id"] for i in items) == sorted(r["id"] for r in LOSANT_LOGS)
        values = [i[field] if field != "actorName" else i[field].lower() for i in items]
        assert values == sorted(values, reverse=direction == "desc")

    def test_start_and_end_bound_creation_dates(self, vendored: Client) -> None:
        times = sorted(epoch_ms(r["creationDate"]) or 0 for r in LOSANT_LOGS)
        start, end = times[10], times[40]
        body = vendored.get(f"{LOSANT}?start={start}&end={end}&perPage=100", headers=TOKEN).json()
        assert body["totalCount"] == len(body["items"]) == 31
        assert all(start <= (epoch_ms(i["creationDate"]) or 0) <= end for i in body["items"])

    def test_audit_log_filter_in_bracket_form(self, vendored: Client) -> None:
        actor = LOSANT_LOGS[0]
        query = (
            f"auditLogFilter[actor][0][id]={actor['actorId']}"
            f"&auditLogFilter[actor][0][type]={actor['actorType']}"
            "&auditLogFilter[responseCode][0]=200&auditLogFilter[responseCode][1]=201"
        )
        body = vendored.get(f"{LOSANT}?{query}&perPage=100", headers=TOKEN).json()
        expected = [
            r
            for r in LOSANT_LOGS
            if r["actorId"] == actor["actorId"] and r["responseStatus"] in (200, 201)
        ]
        assert body["totalCount"] == len(expected) > 0
        assert {i["id"] for i in body["items"]} == {r["id"] for r in expected}

    def test_filter_schema_is_enforced(self, vendored: Client) -> None:
        response = vendored.get(f"{LOSANT}?auditLogFilter[actor][0][type]=Robot", headers=TOKEN)
        assert response.status_code == 400
        assert response.json()["type"] == "Validation"

    def test_unknown_org_is_404_and_unknown_entry_is_404(self, vendored: Client) -> None:
        other = "/losant/orgs/0123456789abcdef01234567/audit-logs"
        assert vendored.get(other, headers=TOKEN).json()["type"] == "NotFound"
        missing = vendored.get(f"{LOSANT}/0123456789abcdef01234567", headers=TOKEN)
        assert missing.status_code == 404

    def test_get_agrees_with_list(self, vendored: Client) -> None:
        items = vendored.get(f"{LOSANT}?perPage=15", headers=TOKEN).json()["items"]
        assert items
        for item in items:
            assert vendored.get(f"{LOSANT}/{item['id']}", headers=TOKEN).json() == item

    def test_scopes_decide_between_200_and_403(self, vendored: Client) -> None:
        entry = f"{LOSANT}/{LOSANT_LOGS[0]['id']}"
        assert vendored.get(LOSANT, headers=bearer("losant-audit-list-token")).status_code == 200
        denied = vendored.get(entry, headers=bearer("losant-audit-list-token"))
        assert denied.status_code == 403 and denied.json()["type"] == "Forbidden"
        assert vendored.get(entry, headers=bearer("losant-org-read-token")).status_code == 200
        assert vendored.get(LOSANT, headers=bearer("losant-device-token")).status_code == 403

    def test_instance_logs_are_a_separate_scoped_dataset(self, vendored: Client) -> None:
        url = "/losant/instance/575ec7417ae143cd83dc4a96/audit-logs"
        body = vendored.get(url, headers=bearer("losant-instance-read-token")).json()
        assert body["totalCount"] == len(
            json.loads((FIXTURES / "losant/instance-audit-logs.json").read_text())
        )
        assert body["instanceId"] == "575ec7417ae143cd83dc4a96"


class TestGoRules:
    def test_paginate_block_describes_the_page(self, vendored: Client) -> None:
        body = vendored.get(f"{GORULES}?page=2&pageSize=10", headers=TOKEN).json()
        assert body["paginate"] == {
            "current": 2,
            "from": 11,
            "to": 20,
            "total": len(GORULES_LOGS),
            "pageSize": 10,
        }
        assert len(body["results"]) == 10

    def test_pages_from_one_cover_everything_once(self, vendored: Client) -> None:
        ids: list[str] = []
        for page in range(1, 20):
            results = vendored.get(f"{GORULES}?page={page}&pageSize=7", headers=TOKEN).json()[
                "results"
            ]
            ids += [r["id"] for r in results]
        assert sorted(ids) == sorted(r["id"] for r in GORULES_LOGS)

    def test_list_items_lack_detail_fields_the_get_has(self, vendored: Client) -> None:
        item = vendored.get(GORULES, headers=TOKEN).json()["results"][0]
        detail = vendored.get(f"{GORULES}/{item['id']}", headers=TOKEN).json()
        assert "data" not in item and "organisationId" not in item
        assert {k: detail[k] for k in item} == item and "organisationId" in detail

    def test_filters_combine(self, vendored: Client) -> None:
        project = next(r["project"]["id"] for r in GORULES_LOGS if r["project"])
        url = f"{GORULES}?projectId={project}&type=document&pageSize=100"
        results = vendored.get(url, headers=TOKEN).json()["results"]
        expected = [
            r
            for r in GORULES_LOGS
            if r["project"] and r["project"]["id"] == project and r["type"] == "document"
        ]
        assert {r["id"] for r in results} == {r["id"] for r in expected}

    def test_csv_export_has_the_filtered_records(self, vendored: Client) -> None:
        response = vendored.get(f"{GORULES}/export?type=release", headers=TOKEN)
        assert response.headers["content-type"].startswith("text/csv")
        rows = response.text.strip().splitlines()
        assert rows[0].startswith("id,createdAt,type,action")
        assert len(rows) - 1 == sum(1 for r in GORULES_LOGS if r["type"] == "release")

    def test_errors_are_nest_shaped(self, vendored: Client) -> None:
        response = vendored.get(f"{GORULES}/not-a-uuid", headers=TOKEN)
        body = response.json()
        assert response.status_code == 400
        assert body["statusCode"] == 400 and body["error"] == "Bad Request"
        assert "auditLogId" in str(body["message"])
