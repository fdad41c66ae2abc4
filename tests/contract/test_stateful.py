"""The stateful phase: writes must stick. The mock passes it; mutants that forget are caught.

Each mutant sends some requests to a second, fresh copy of the mock, whose state is then
thrown away: the request is answered as the document says, but the write is forgotten
(or the read does not see it). Each is caught by the check named for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.contract.runner import ContractOptions, ContractRun
from mockserver.contract.stateful import SCRATCH_SESSION, STATEFUL_CHECKS, isolate
from mockserver.contract.targets import AsgiTarget
from mockserver.generation.serialize import WireRequest
from mockserver.serve.app import create_app
from mockserver.serve.mount import MountedApi, ServeOptions, load_apis
from tests.conftest import DATA

CRUD = DATA / "crud-3.1.yaml"


def fresh_app() -> ASGIApp:
    options = ServeOptions(fixtures_dir=None)
    return create_app(load_apis([CRUD], options), options)


class Forgetful:
    """The mock, but requests ``chosen`` picks go to a fresh mock each time."""

    def __init__(self, chosen: Callable[[Scope], bool]) -> None:
        self.app, self.chosen = fresh_app(), chosen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        target = fresh_app() if scope["type"] == "http" and self.chosen(scope) else self.app
        await target(scope, receive, send)


class PretendsToDelete(Forgetful):
    """The mock, but every DELETE is answered 204 and nothing is deleted."""

    def __init__(self) -> None:
        super().__init__(lambda scope: False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "DELETE":
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)


MUTANTS: dict[str, tuple[Callable[[], ASGIApp], str]] = {
    "forgets creates": (
        lambda: Forgetful(lambda s: s["method"] == "POST"),
        "create_get_agreement",
    ),
    "lists miss creates": (
        lambda: Forgetful(lambda s: s["method"] == "GET" and s["path"].endswith("/owners")),
        "list_after_create",
    ),
    "pretends to delete": (PretendsToDelete, "delete_then_not_found"),
}


@pytest.fixture(scope="module")
def api() -> MountedApi:
    return load_apis([CRUD], ServeOptions(fixtures_dir=None))[0]


@pytest.fixture
def run_against(api: MountedApi) -> Iterator[Callable[[ASGIApp], ContractRun]]:
    targets: list[AsgiTarget] = []

    def make(app: ASGIApp) -> ContractRun:
        target = AsgiTarget(app)
        targets.append(target)
        engine = api.responder.engine
        options = ContractOptions(max_examples=25, derandomize=True)
        records = engine.records if engine else None
        return ContractRun(api.document, target, api.mounts[0], options, api.declaration, records)

    yield make
    for target in targets:
        target.close()


@pytest.mark.parametrize("operation_id", ["createOwner", "createPet"])
def test_the_mock_keeps_its_writes(
    api: MountedApi, run_against: Callable[[ASGIApp], ContractRun], operation_id: str
) -> None:
    op = api.document.operation(operation_id)
    assert op is not None
    result = run_against(fresh_app()).run(op)
    assert set(STATEFUL_CHECKS) <= result.ran
    assert result.failures == []


@pytest.mark.parametrize("name", MUTANTS)
def test_a_mock_that_forgets_is_caught(
    api: MountedApi, run_against: Callable[[ASGIApp], ContractRun], name: str
) -> None:
    mutant, expected = MUTANTS[name]
    op = api.document.operation("createOwner")
    assert op is not None
    result = run_against(mutant()).run(op)
    assert expected in result.failed, [(f.check, f.message) for f in result.failures]
    failure = next(f for f in result.failures if f.check == expected)
    assert failure.curl.startswith("curl -i -X POST")


def test_other_phases_write_in_a_scratch_session() -> None:
    write = isolate(WireRequest("delete", "/things/1"))
    assert write.headers["X-Mock-Session"] == SCRATCH_SESSION
    assert isolate(WireRequest("get", "/things/1")).headers == {}
