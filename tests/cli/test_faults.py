"""Faults, delays and the journal over a real socket, against `mockserver serve --workers 2`."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import CONTROL, TOKEN, serving

LIST = "/anaconda/api/audit-logs"

pytestmark = [pytest.mark.subprocess, pytest.mark.xdist_group("faults-server")]


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with serving("--workers", "2") as url:
        yield url


def _get(base: str, fault: str, **kwargs: object) -> httpx.Response:
    headers = {**TOKEN, "Prefer": f"fault={fault}"}
    return httpx.get(base + LIST, headers=headers, **kwargs)  # type: ignore[arg-type]


def test_reset_closes_the_connection_before_any_answer(base: str) -> None:
    with pytest.raises(httpx.ReadError, match="reset by peer"):
        _get(base, "reset")


def test_empty_sends_the_headers_then_closes(base: str) -> None:
    with httpx.Client() as client:
        request = client.build_request(
            "GET", base + LIST, headers={**TOKEN, "Prefer": "fault=empty"}
        )
        response = client.send(request, stream=True)
        assert response.status_code == 200
        assert int(response.headers["content-length"]) > 0
        with pytest.raises(httpx.RemoteProtocolError, match="received 0 bytes"):
            response.read()


def test_malformed_sends_garbage_short_of_its_length(base: str) -> None:
    received: list[bytes] = []
    with httpx.Client() as client:
        headers = {**TOKEN, "Prefer": "fault=malformed"}
        request = client.build_request("GET", base + LIST, headers=headers)
        response = client.send(request, stream=True)
        assert response.status_code == 200
        with pytest.raises(httpx.RemoteProtocolError):
            received.extend(response.iter_raw())
    garbage = b"".join(received)
    assert len(garbage) < int(response.headers["content-length"])
    with pytest.raises((UnicodeDecodeError, json.JSONDecodeError)):
        json.loads(garbage)


def test_slow_body_dribbles_the_real_answer_in_chunks(base: str) -> None:
    whole = httpx.get(base + LIST, headers=TOKEN).content
    chunks = []
    with httpx.stream(
        "GET", base + LIST, headers={**TOKEN, "Prefer": "fault=slow-body, delay=300"}
    ) as response:
        chunks = list(response.iter_raw())
    assert b"".join(chunks) == whole
    assert len(chunks) > 1


def test_timeout_holds_until_the_client_gives_up_and_is_journalled(base: str) -> None:
    httpx.post(base + "/__mock/reset", headers=CONTROL)
    with pytest.raises(httpx.ReadTimeout):
        _get(base, "timeout", timeout=0.5)
    entries = _journal(base, lambda es: any(e["fault"] == "timeout" for e in es))
    held = next(e for e in entries if e["fault"] == "timeout")
    # recorded once the hold ended: the client went away long before the 60 s cap
    assert held["status"] == 200 and held["verdict"] == "accepted"


def test_prefer_delay_is_in_the_time_taken(base: str) -> None:
    response = httpx.get(base + LIST + "?mark=delayed", headers={**TOKEN, "Prefer": "delay=250"})
    assert response.status_code == 200
    entry = _journal(base, lambda es: any(e["query"] == "mark=delayed" for e in es))[0]
    assert entry["delay_ms"] == 250
    assert entry["ms"] >= 250


def _journal(base: str, ready: object, query: str = "") -> list[dict[str, object]]:
    """The journal once ``ready(entries)`` holds: a worker writes its entry after the last
    byte is sent, so the client may ask a moment before it is there."""
    for _ in range(200):
        entries = httpx.get(base + "/__mock/journal" + query).json()["entries"]
        if ready(entries):  # type: ignore[operator]
            return entries  # type: ignore[no-any-return]
    raise AssertionError(f"the journal never showed what was expected: {entries}")


def test_the_journal_shows_every_workers_requests(base: str) -> None:
    httpx.post(base + "/__mock/reset", headers=CONTROL)
    for n in range(40):  # a new connection each: either worker may accept it
        httpx.get(f"{base}{LIST}?mark={n}", headers=TOKEN)
    marks = {f"mark={n}" for n in range(40)}
    entries = _journal(base, lambda es: marks <= {e["query"] for e in es})
    workers = {str(e["id"]).split("-")[0] for e in entries}
    assert len(workers) == 2


def test_the_journal_explains_a_refusal_and_masks_credentials(base: str) -> None:
    httpx.get(
        base + LIST + "?limit=abc",
        headers={
            "Authorization": "Bearer s3cret-real-token",
            "Cookie": "sid=abc; mock_session=s1",
        },
    )
    entries = _journal(base, lambda es: any(e["query"] == "limit=abc" for e in es), "?status=4xx")
    entry = next(e for e in entries if e["query"] == "limit=abc")
    assert entry["verdict"] == "refused"
    headers = dict(entry["headers"])  # type: ignore[arg-type]
    assert headers["authorization"] == "Bearer ****"
    assert headers["cookie"] == "sid=****; mock_session=s1"
    assert entry["session"] == "s1"
    assert "s3cret" not in json.dumps(entries)


def test_the_journal_names_near_misses_for_an_unknown_path(base: str) -> None:
    httpx.get(base + "/anaconda/api/audit-log/42", headers=TOKEN)
    entries = _journal(base, lambda es: any(e["path"].endswith("audit-log/42") for e in es))
    entry = next(e for e in entries if e["path"].endswith("audit-log/42"))
    assert entry["status"] == 404
    assert entry["near"][0] == "GET /anaconda/api/audit-logs/{audit_log_id}"


def test_the_stream_sends_new_entries_and_the_reset(base: str) -> None:
    with httpx.stream("GET", base + "/__mock/journal/stream?api=anaconda", timeout=10) as stream:
        lines = stream.iter_lines()
        assert next(lines) == "retry: 500"
        httpx.get(base + LIST + "?mark=streamed", headers=TOKEN)
        event = _next_event(lines)
        assert event["event"] == "entry"
        assert json.loads(event["data"])["query"] == "mark=streamed"
        assert httpx.post(base + "/__mock/reset", headers=CONTROL).json() == {
            "reset": "all sessions"
        }
        assert _next_event(lines)["event"] == "reset"
    assert httpx.get(base + "/__mock/journal").json()["entries"] == []


def _next_event(lines: Iterator[str]) -> dict[str, str]:
    event: dict[str, str] = {}
    for line in lines:
        if not line and event:
            return event
        if ": " in line:
            key, value = line.split(": ", 1)
            event[key] = value
    raise AssertionError("the stream ended")
