"""Every response the mock sends validates against the vendored documents.

For every operation of every vendored document, Hypothesis generates valid requests and
requests that break one constraint, and fixed probes cover 401, 404, 405, 406, 413 and 415;
each response must have a declared status, a declared content type, and a body valid
against the schema declared for that status.
"""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.contract.checks import (
    NEGATIVE,
    NO_AUTH,
    POSITIVE,
    Case,
    CheckContext,
    Reply,
    run_response_checks,
)
from mockserver.contract.hints import hints_from_declaration
from mockserver.generation.requests import RequestFactory
from mockserver.generation.serialize import WireRequest
from mockserver.serve.mount import MountedApi
from mockserver.serve.request import MAX_BODY_BYTES
from mockserver.spec.model import Operation
from tests.conftest import SPECS, VENDORED, Client, loaded

OPERATIONS = [
    (name, op.operation_id) for name in VENDORED for op in loaded(SPECS / f"{name}.yaml").operations
]
SCHEMA_CHECKS = {
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
}


def send(client: Client, request: WireRequest) -> Reply:
    response: httpx.Response = client.request(
        request.method.upper(),
        request.path,
        params=list(request.query),
        headers=dict(request.headers),
        content=request.body,
    )
    return Reply(
        response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.content
    )


def factory_for(api: MountedApi) -> RequestFactory:
    locations = {
        (op.operation_id, p.name): p.location
        for op in api.document.operations
        for p in op.parameters
    }
    hints, exclusive = ({}, set())
    if api.declaration is not None:
        hints, exclusive = hints_from_declaration(
            api.declaration, api.responder.engine.records if api.responder.engine else {}, locations
        )
    token = "mock-token"
    return RequestFactory(
        api.document, mount=api.mounts[0], token=token, hints=hints, exclusive=exclusive
    )


def api_named(apis: list[MountedApi], name: str) -> MountedApi:
    return next(api for api in apis if api.name == name)


def prepared(
    apis: list[MountedApi], name: str, operation_id: str
) -> tuple[MountedApi, Operation, RequestFactory, CheckContext]:
    api = api_named(apis, name)
    op = api.document.operation(operation_id)
    assert op is not None
    return api, op, factory_for(api), CheckContext(api.document)


@pytest.mark.parametrize(("name", "operation_id"), OPERATIONS)
def test_generated_requests_get_conforming_responses(
    vendored: Client, vendored_apis: list[MountedApi], name: str, operation_id: str
) -> None:
    _, op, factory, context = prepared(vendored_apis, name, operation_id)
    negatives = factory.negative(op)
    cases = factory.valid(op).map(lambda r: Case(op, r, POSITIVE))
    if negatives is not None:
        cases = st.one_of(cases, negatives.map(lambda n: Case(op, n.request, NEGATIVE, n.mutation)))

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(cases)
    def check(case: Case) -> None:
        reply = send(vendored, case.request)
        checks = SCHEMA_CHECKS | {"negative_data_rejection", "positive_data_acceptance"}
        failures = run_response_checks(case, reply, context, checks)
        assert not failures, (failures, case.request.curl("http://mock"))

    check()


@pytest.mark.parametrize(("name", "operation_id"), OPERATIONS)
def test_probes_get_declared_conforming_errors(
    vendored: Client, vendored_apis: list[MountedApi], name: str, operation_id: str
) -> None:
    api, op, factory, context = prepared(vendored_apis, name, operation_id)
    path = api.mounts[0] + op.path.replace("{", "x").replace("}", "")
    good = factory.credentials(op)
    probes: list[tuple[WireRequest, int, str]] = [
        (WireRequest(op.method, path, (), {}), 401, NO_AUTH),
        (WireRequest(op.method, path, (), {**good, "Accept": "image/gif"}), 406, NEGATIVE),
        (WireRequest("patch" if op.method != "patch" else "put", path, (), good), 405, NEGATIVE),
    ]
    if op.request_body is not None:
        probes.append(
            (
                WireRequest(op.method, path, (), {**good, "Content-Type": "text/x-nope"}, b"x"),
                415,
                NEGATIVE,
            )
        )
        probes.append(
            (
                WireRequest(
                    op.method,
                    path,
                    (),
                    {**good, "Content-Type": "application/json"},
                    b" " * (MAX_BODY_BYTES + 1),
                ),
                413,
                NEGATIVE,
            )
        )
    for request, expected, kind in probes:
        reply = send(vendored, request)
        if expected != 401 or op.security:
            assert reply.status == expected, (request.curl("http://mock"), reply.body[:200])
        case = Case(op, request, kind, f"probe for {expected}")
        assert not run_response_checks(case, reply, context, SCHEMA_CHECKS), request


@pytest.mark.parametrize("name", VENDORED)
def test_unknown_paths_get_the_api_s_own_404(
    vendored: Client, vendored_apis: list[MountedApi], name: str
) -> None:
    api = api_named(vendored_apis, name)
    reply = send(vendored, WireRequest("get", api.mounts[0] + "/no/such/thing"))
    sample = next(p.op for p in api.plans if p.declares(404))
    assert reply.status == 404
    assert not run_response_checks(
        Case(sample, WireRequest("get", "/")), reply, CheckContext(api.document), SCHEMA_CHECKS
    )
