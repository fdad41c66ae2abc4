"""Latency and faults: distributions, seeded draws, Prefer, the error rate, and mock.yaml."""

from __future__ import annotations

import asyncio
import random
import statistics
import threading
from pathlib import Path

import httpx
import pytest
from anyio.from_thread import start_blocking_portal
from jsonschema import Draft202012Validator

from mockserver.data.declaration import from_source
from mockserver.errors import DeclarationError
from mockserver.serve.app import create_app_from_paths
from mockserver.serve.latency import (
    NO_PACING,
    Fixed,
    LogNormal,
    Pacer,
    Pacing,
    Uniform,
    error_statuses,
    parse_delay,
    parse_prefer,
)
from mockserver.serve.mount import ServeOptions
from mockserver.serve.problems import InvalidRequest
from mockserver.spec.model import Operation, Response
from mockserver.spec.source import load_source
from tests.conftest import MakeClient, WriteDoc, minimal_doc

ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "enum": ["UNAVAILABLE"]},
        "message": {"type": "string"},
    },
    "additionalProperties": False,
}


def _things_doc() -> dict[str, object]:
    ok = {"type": "object", "properties": {"id": {"type": "integer"}}}
    responses = {
        "200": {"description": "ok", "content": {"application/json": {"schema": ok}}},
        "400": {"description": "bad", "content": {"application/json": {"schema": ERROR_SCHEMA}}},
        "503": {"description": "down", "content": {"application/json": {"schema": ERROR_SCHEMA}}},
    }
    params = [{"name": "n", "in": "query", "schema": {"type": "integer"}}]
    return minimal_doc(
        "3.1.0",
        **{
            "/things": {
                "get": {"operationId": "listThings", "parameters": params, "responses": responses}
            }
        },
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (250, Fixed(250)),
        ("250", Fixed(250)),
        ("100-900", Uniform(100, 900)),
        ("100 - 900ms", Uniform(100, 900)),
        ({"fixed": 5}, Fixed(5)),
        ({"min": 1, "max": 2}, Uniform(1, 2)),
        ({"median": 120, "p99": 900}, LogNormal(120, 900)),
        ("median=120,p99=900", LogNormal(120, 900)),
    ],
)
def test_every_delay_form_parses(value: object, expected: object) -> None:
    assert parse_delay(value) == expected


@pytest.mark.parametrize(
    "value", ["soon", "900-100", -1, 60_001, {"median": 900, "p99": 100}, True]
)
def test_a_delay_that_cannot_be_drawn_is_refused_saying_the_forms(value: object) -> None:
    with pytest.raises(ValueError, match=r"250.*100-900"):
        parse_delay(value)


def test_log_normal_has_the_median_and_p99_it_was_given() -> None:
    rng = random.Random(7)
    draws = sorted(LogNormal(120, 900).sample(rng) for _ in range(20_000))
    assert statistics.median(draws) == pytest.approx(120, rel=0.05)
    assert draws[int(len(draws) * 0.99)] == pytest.approx(900, rel=0.1)


def _operation(*statuses: str) -> Operation:
    """An operation ``op`` declaring ``statuses``."""
    responses = tuple(Response(s, "", (), (), f"/r/{s}") for s in statuses)
    return Operation("op", "get", "/things", (), None, responses, (), "/paths/~1things/get")


def _pacer(pacing: Pacing, seed: int, *statuses: str) -> Pacer:
    """A pacer whose one operation ``k`` is paced by ``pacing`` (its mock.yaml block)."""
    return Pacer({"k": _operation(*statuses)}, {"op": pacing}, NO_PACING, seed)


def test_draws_are_seeded_per_operation_and_reproducible() -> None:
    pacing = Pacing(Uniform(0, 1000), error_rate=0.3, fault_rate=0.2)

    def sequence(seed: int) -> list[object]:
        pacer = _pacer(pacing, seed, "200", "503")
        return [pacer.draw("k", ()) for _ in range(50)]

    assert sequence(1) == sequence(1)
    assert sequence(1) != sequence(2)
    turns = sequence(1)
    assert {t.error for t in turns} == {None, 503}
    assert {t.fault is None for t in turns} == {True, False}


def test_a_prefer_header_does_not_shift_the_sequence_of_the_requests_after_it() -> None:
    pacing = Pacing(Uniform(0, 1000))
    plain = _pacer(pacing, 0, "200")
    asked = _pacer(pacing, 0, "200")
    first = [plain.draw("k", ()) for _ in range(3)]
    asked.draw("k", ((b"prefer", b"delay=5"),))
    assert asked.draw("k", ()) == first[1]


def test_prefer_takes_delays_ranges_and_faults() -> None:
    assert parse_prefer("delay=250").delay_ms == 250
    assert 100 <= parse_prefer("delay=100-900").delay_ms <= 900
    assert parse_prefer("fault=reset, delay=10").fault == "reset"
    assert parse_prefer("code=404").prefer is False  # the responder's, not ours


@pytest.mark.parametrize("header", ["fault=explode", "delay=later", "delay=70000"])
def test_prefer_asking_the_impossible_is_a_bad_request(header: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_prefer(header)
    assert caught.value.violations[0].name == "Prefer"


def test_error_statuses_are_server_errors_then_transient_then_standing_client_errors() -> None:
    assert error_statuses(["200", "400", "503", "500"]) == (503, 500)
    assert error_statuses(["200", "400", "401", "415", "429"]) == (429,)
    assert error_statuses(["200", "400", "default"]) == (500,)
    assert error_statuses(["200", "400", "403", "404", "422"]) == (403, 404)
    assert error_statuses(["200", "400", "415"]) == ()  # never blame a valid request


def test_the_error_rate_answers_a_declared_status_with_a_schema_valid_body(
    write_doc: WriteDoc, make_client: MakeClient
) -> None:
    client = make_client(write_doc(_things_doc()), pacing=Pacing(error_rate=1.0), fixtures_dir=None)
    response = client.get("/api/things")
    assert response.status_code == 503
    Draft202012Validator(ERROR_SCHEMA).validate(response.json())  # the document's own schema
    # an invalid request is refused for what it is, not failed at random
    assert client.get("/api/things?n=x").status_code == 400


def test_a_bad_prefer_delay_is_refused_over_http(
    write_doc: WriteDoc, make_client: MakeClient
) -> None:
    client = make_client(write_doc(_things_doc()), fixtures_dir=None)
    response = client.get("/api/things", headers={"Prefer": "fault=explode"})
    assert response.status_code == 400
    assert "explode" in response.text


@pytest.mark.slow
def test_a_thousand_delayed_requests_take_no_thread_each(write_doc: WriteDoc) -> None:
    app = create_app_from_paths([write_doc(_things_doc())], ServeOptions(fixtures_dir=None))

    async def run() -> tuple[list[int], int, int]:
        before = threading.active_count()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            asked = [
                client.get("/api/things", headers={"Prefer": "delay=200"}) for _ in range(1000)
            ]
            pending = asyncio.gather(*asked)
            await asyncio.sleep(0.05)  # every request is now asleep in its delay
            during = threading.active_count()
            return [r.status_code for r in await pending], before, during

    with start_blocking_portal() as portal:  # its own thread and event loop
        statuses, before, during = portal.call(run)
    assert statuses == [200] * 1000
    assert during == before


def _declaration(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mock.yaml"
    path.write_text("datasets: {things: {file: things.json, id: id}}\n" + text)
    return path


def test_mock_yaml_takes_latency_rates_and_faults_per_api_and_operation(tmp_path: Path) -> None:
    path = _declaration(
        tmp_path,
        "latency: 50-200\nerror-rate: 0.01\noperations:\n"
        "  listThings: {behaviour: list, latency: {median: 120, p99: 900}, faults: [reset]}\n",
    )
    declaration = from_source(load_source(path))
    assert declaration.pacing[""] == Pacing(Uniform(50, 200), error_rate=0.01)  # parsed once
    assert declaration.pacing["listThings"] == Pacing(LogNormal(120, 900), faults=("reset",))


@pytest.mark.parametrize(
    ("text", "pointer"),
    [
        ("latency: {median: 900, p99: 100}\noperations: {}\n", "/latency"),
        (
            "operations:\n  listThings: {behaviour: list, latency: 9-1}\n",
            "/operations/listThings/latency",
        ),
        (
            "operations:\n  listThings: {behaviour: list, faults: [explode]}\n",
            "/operations/listThings/faults/0",
        ),
        ("error-rate: 2\noperations: {}\n", "/error-rate"),
    ],
)
def test_a_broken_latency_block_names_file_and_pointer(
    tmp_path: Path, text: str, pointer: str
) -> None:
    with pytest.raises(DeclarationError) as caught:
        from_source(load_source(_declaration(tmp_path, text)))
    assert caught.value.pointer == pointer


def test_mock_yaml_latency_reaches_the_operation_over_http(
    tmp_path: Path, write_doc: WriteDoc, make_client: MakeClient
) -> None:
    thing = {"type": "object", "properties": {"id": {"type": "integer"}}}
    listing = {"type": "array", "items": thing}
    ok = {"description": "ok", "content": {"application/json": {"schema": listing}}}
    doc = minimal_doc("3.1.0", **{"/things": {"get": {"operationId": "listThings",
                                                       "responses": {"200": ok}}}})  # fmt: skip
    folder = tmp_path / "fixtures" / "api"
    folder.mkdir(parents=True)
    (folder / "things.json").write_text('[{"id": 1}]')
    (folder / "mock.yaml").write_text(
        "latency: 5\ndatasets: {things: {file: things.json, id: id}}\n"
        "operations:\n  listThings: {behaviour: list, latency: 30}\n"
    )
    client = make_client(write_doc(doc), fixtures_dir=tmp_path / "fixtures")
    assert client.get("/api/things").json() == [{"id": 1}]
    (entry,) = client.get("/__mock/journal").json()["entries"]
    assert (entry["delay_ms"], entry["source"]) == (30, "dataset")  # the operation's wins
    assert entry["ms"] >= 30
