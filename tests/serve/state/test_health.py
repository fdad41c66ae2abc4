"""The store's health: which store, whether it answers, why not and since when, the last
error it had, and the latency of a ping, on ``GET /__mock/state`` as in the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockserver.serve.mount import ServeOptions
from mockserver.serve.state import StoreError, open_store
from tests.conftest import DATA, TOKEN, MakeClient, free_port

FIELDS = {"kind", "store", "status", "error", "since", "last_error", "ping_ms", "checked"}


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_store_that_answers_is_ok_with_the_latency_of_a_ping(kind: str, tmp_path: Path) -> None:
    url = "memory:" if kind == "memory" else f"sqlite:///{tmp_path / 'state.db'}"
    store = open_store(url)
    health = store.check()
    assert set(health) == FIELDS
    assert health["kind"] == kind and health["store"] == url and health["status"] == "ok"
    assert health["error"] is None and health["last_error"] is None
    assert isinstance(health["ping_ms"], float) and health["ping_ms"] >= 0
    assert health["checked"] >= health["since"]
    store.close()


def test_a_failing_store_says_why_since_when_and_keeps_no_credentials() -> None:
    url = f"redis://user:secret@127.0.0.1:{free_port()}/0"
    store = open_store(url, timeout=0.5)
    health = store.check()
    assert health["kind"] == "redis" and health["status"] == "unavailable"
    assert health["store"] == url.replace("user:secret@", "")
    assert "ConnectionError" in health["error"] and health["ping_ms"] is None
    assert health["last_error"]["error"] == health["error"]
    assert health["last_error"]["at"] >= health["since"]
    assert "secret" not in json.dumps(health)
    with pytest.raises(StoreError):
        store.write("default", "api/notes", "1", {"id": 1})
    assert store.health()["since"] == health["since"]  # still failing: since the first
    store.close()


@pytest.mark.redis
def test_a_store_that_recovers_is_ok_again_and_remembers_the_last_error(
    redis_url: str,
) -> None:
    store = open_store(f"redis://127.0.0.1:{free_port()}/0", timeout=0.5)
    failed = store.check()
    store.backend = open_store(redis_url).backend  # the same store, answering again
    health = store.check()
    assert health["status"] == "ok" and health["error"] is None
    assert health["last_error"] == failed["last_error"] and health["since"] > failed["since"]
    assert isinstance(health["ping_ms"], float)
    store.close()


def test_the_state_route_shows_the_health_and_can_leave_the_sessions_out(
    make_client: MakeClient, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'state.db'}"
    client = make_client(
        DATA / "crud-3.1.yaml", **vars(ServeOptions(fixtures_dir=None, state=open_store(url)))
    )
    made = client.post("/crud-3.1/api/owners", json={"name": "N", "city": "Oslo"}, headers=TOKEN)
    assert made.status_code == 201
    full = client.get("/__mock/state").json()
    assert set(full["health"]) == FIELDS and full["health"]["kind"] == "sqlite"
    assert full["health"]["status"] == "ok" and full["health"]["ping_ms"] is not None
    alone = client.get("/__mock/state?sessions=0").json()
    assert alone["sessions"] is None and alone["health"]["status"] == "ok"


def test_the_state_route_is_a_503_with_the_health_while_the_store_fails(
    make_client: MakeClient,
) -> None:
    store = open_store(f"redis://127.0.0.1:{free_port()}/0", timeout=0.5)
    client = make_client(
        DATA / "crud-3.1.yaml", **vars(ServeOptions(fixtures_dir=None, state=store))
    )
    answer = client.get("/__mock/state")
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "1"
    health = answer.json()["health"]
    assert health["status"] == "unavailable" and "ConnectionError" in health["error"]
