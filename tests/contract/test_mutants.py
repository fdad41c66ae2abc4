"""Proof that the checks bite: deliberately broken mocks, each caught by the right check.

Each mutant wraps the mock's ASGI app and breaks one thing: the request it sees, or the
response it sends. The contract runs against the mutant exactly as against a provider.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.contract.runner import ContractOptions, ContractRun
from mockserver.contract.targets import AsgiTarget
from mockserver.data.declaration import Filter
from mockserver.generation.serialize import WireRequest
from mockserver.serve.app import create_app
from mockserver.serve.behaviour import selection
from mockserver.serve.mount import MountedApi, ServeOptions, load_apis
from tests.conftest import FIXTURES, RAW_TOKEN, SPECS

Rewrite = Callable[[Scope, int, dict[str, str], bytes], tuple[int, bytes]]
LD_LIST = "/launchdarkly/api/v2/auditlog"


class Mutant:
    """The mock, with its requests or responses rewritten."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        request: Callable[[Scope], Scope] | None = None,
        response: Rewrite | None = None,
    ) -> None:
        self.app, self.request, self.response = app, request, response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = self.request(scope) if self.request else scope
        if self.response is None:
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        headers = {k.decode(): v.decode() for k, v in start["headers"]}
        status, body = self.response(scope, start["status"], headers, b"".join(chunks))
        headers["content-length"] = str(len(body))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _is_list(scope: Scope) -> bool:
    return scope["method"] == "GET" and scope["path"] == LD_LIST


def _json_rewrite(change: Callable[[Scope, int, Any], Any | None]) -> Rewrite:
    def rewrite(
        scope: Scope, status: int, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes]:
        if "json" not in headers.get("content-type", ""):
            return status, body
        changed = change(scope, status, json.loads(body))
        return status, body if changed is None else json.dumps(changed).encode()

    return rewrite


def undocumented_status(
    scope: Scope, status: int, headers: dict[str, str], body: bytes
) -> tuple[int, bytes]:
    return (299 if _is_list(scope) and status == 200 else status), body


def _drop_first_id(scope: Scope, status: int, body: Any) -> Any:
    if _is_list(scope) and status == 200 and body.get("items"):
        del body["items"][0]["_id"]
        return body
    return None


def _repeat_entry(scope: Scope, status: int, body: Any) -> Any:
    if _is_list(scope) and status == 200 and len(body.get("items", [])) > 1:
        body["items"][-1] = body["items"][0]
        return body
    return None


def _disagree(scope: Scope, status: int, body: Any) -> Any:
    if scope["path"].startswith(LD_LIST + "/") and status == 200 and "name" in body:
        body["name"] += " (edited)"
        return body
    return None


def _wrong_error_shape(scope: Scope, status: int, body: Any) -> Any:
    return {"error": True} if 400 <= status < 500 else None


def ignore_q(scope: Scope) -> Scope:
    query = [(k, v) for k, v in parse_qsl(scope["query_string"].decode()) if k != "q"]
    return {**scope, "query_string": urlencode(query).encode()}


def accept_anyone(scope: Scope) -> Scope:
    headers = list(scope["headers"])
    if not any(k == b"authorization" for k, _ in headers):
        headers.append((b"authorization", b"mock-token"))
    return {**scope, "headers": headers}


MUTANTS: dict[str, tuple[dict[str, Any], str, str]] = {
    # name: (Mutant options, operation, the check that must catch it)
    "undocumented status": (
        {"response": undocumented_status},
        "getAuditLogEntries",
        "status_code_conformance",
    ),
    "missing required field": (
        {"response": _json_rewrite(_drop_first_id)},
        "getAuditLogEntries",
        "response_schema_conformance",
    ),
    "filter ignored": ({"request": ignore_q}, "getAuditLogEntries", "filter_soundness"),
    "page repeats an entry": (
        {"response": _json_rewrite(_repeat_entry)},
        "getAuditLogEntries",
        "paging_completeness",
    ),
    "get disagrees with list": (
        {"response": _json_rewrite(_disagree)},
        "getAuditLogEntries",
        "list_get_agreement",
    ),
    "error in the wrong shape": (
        {"response": _json_rewrite(_wrong_error_shape)},
        "getAuditLogEntries",
        "response_schema_conformance",
    ),
    "auth not enforced": ({"request": accept_anyone}, "getAuditLogEntry", "ignored_auth"),
}


@pytest.fixture(scope="module")
def launchdarkly(vendored_apis: list[MountedApi]) -> MountedApi:
    return next(api for api in vendored_apis if api.name == "launchdarkly")


@pytest.fixture
def run_against(
    vendored_apis: list[MountedApi], launchdarkly: MountedApi
) -> Iterator[Callable[[ASGIApp], ContractRun]]:
    targets: list[AsgiTarget] = []

    def make(app: ASGIApp) -> ContractRun:
        target = AsgiTarget(app)
        targets.append(target)
        engine = launchdarkly.responder.engine
        return ContractRun(
            launchdarkly.document,
            target,
            launchdarkly.mounts[0],
            ContractOptions(max_examples=30, derandomize=True),
            launchdarkly.declaration,
            engine.records if engine else None,
        )

    yield make
    for target in targets:
        target.close()


@pytest.mark.parametrize("name", MUTANTS)
def test_each_mutant_is_caught_by_the_right_check(
    name: str,
    vendored_apis: list[MountedApi],
    launchdarkly: MountedApi,
    run_against: Callable[[ASGIApp], ContractRun],
) -> None:
    options, operation_id, expected = MUTANTS[name]
    app = create_app(vendored_apis, ServeOptions(fixtures_dir=FIXTURES))
    run = run_against(Mutant(app, **options))
    op = launchdarkly.document.operation(operation_id)
    assert op is not None
    result = run.run(op)
    assert expected in result.failed, [f.check for f in result.failures]
    failure = next(f for f in result.failures if f.check == expected)
    assert failure.curl.startswith("curl -i -X ")


def test_the_unmodified_mock_passes(
    vendored_apis: list[MountedApi],
    launchdarkly: MountedApi,
    run_against: Callable[[ASGIApp], ContractRun],
) -> None:
    run = run_against(create_app(vendored_apis, ServeOptions(fixtures_dir=FIXTURES)))
    for operation_id in ("getAuditLogEntries", "getAuditLogEntry"):
        op = launchdarkly.document.operation(operation_id)
        assert op is not None
        assert run.run(op).failures == []


# -- the oracle is independent of the server ---------------------------------------------


def test_a_wrong_matcher_in_the_server_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """An off-by-one bound: the server's own matcher reads ``before`` (op ``lt``) as ``lte``
    and keeps the entry exactly at the bound. Had this bug been written into the matcher,
    semantic checks that called the server's matcher to judge the server would have agreed
    with it; the contract's own oracle does not."""
    api = load_apis([SPECS / "launchdarkly.yaml"], ServeOptions(fixtures_dir=FIXTURES))[0]
    engine = api.responder.engine  # a fresh mock: no answers remembered from other tests
    assert engine is not None and api.declaration is not None
    module = selection  # where the behaviour engine matches records against filters
    right = module.record_matcher

    def wrong(flt: Filter, *args: Any, **kwargs: Any) -> Any:
        return right(replace(flt, op="lte") if flt.op == "lt" else flt, *args, **kwargs)

    monkeypatch.setattr(module, "record_matcher", wrong)
    target = AsgiTarget(create_app([api], ServeOptions(fixtures_dir=FIXTURES)))
    try:
        newest = max(e["date"] for e in engine.records["entries"])
        page = target.send(WireRequest("get", LD_LIST, (("before", str(newest)),), RAW_TOKEN))
        assert page.status == 200 and page.json()["items"][0]["date"] == newest  # it bites
        run = ContractRun(
            api.document,
            target,
            api.mounts[0],
            ContractOptions(max_examples=30, derandomize=True),
            api.declaration,
            engine.records,
        )
        list_op = api.document.operation("getAuditLogEntries")
        assert list_op is not None
        result = run.run(list_op)
    finally:
        target.close()
    assert "filter_soundness" in result.failed, [f.check for f in result.failures]
    failure = next(f for f in result.failures if f.check == "filter_soundness")
    assert "before=" in failure.message and "(lt on date)" in failure.message
