"""Check a request against its operation, in the order the README gives.

Limits, credentials (401/403), ``Accept`` (406), ``Content-Type`` (415), then every
parameter and the body against the document. Parameter and body violations are collected,
not just the first, so the error the client gets names them all.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from mockserver.serve.multipart import fields_of, read_multipart
from mockserver.serve.plan import OperationPlan, ParameterPlan
from mockserver.serve.problems import InvalidRequest, Problem, Violation, invalid
from mockserver.serve.request import (
    MockRequest,
    RawRequest,
    check_limits,
    parse_cookies,
    parse_json,
    parse_query,
)
from mockserver.serve.xml import is_xml
from mockserver.spec.media import acceptable, media_matches, media_type_of
from mockserver.spec.params import ParameterShape, coerce, read_parameter
from mockserver.spec.sentinel import NOT_SENT

if TYPE_CHECKING:
    from mockserver.serve.api import MountedApi

#: What a body mockserver does not parse (binary, XML) reads as: present, not judged.
UNREAD: Any = object()


def read_request(api: MountedApi, plan: OperationPlan, raw: RawRequest) -> MockRequest:
    """The typed, validated request; raises the first problem in the README's order."""
    check_limits(raw)
    headers = raw.header_map()
    query = parse_query(raw)
    cookies = parse_cookies(headers)
    api.guard.authorize(plan.key, plan.op.security, headers, dict(query), cookies)
    # RFC 9110 lets a server disregard Accept: refuse only where the operation declares 406
    if acceptable(headers.get("accept", ""), plan.produces) is None and plan.declares(406):
        raise Problem(
            406,
            f"cannot produce any of {headers['accept']!r}; this operation "
            f"produces {', '.join(plan.produces)}",
        )
    api.responder.check_preferences(plan, headers)
    return check_request(plan, raw, query, headers, cookies)


def check_request(
    plan: OperationPlan,
    raw: RawRequest,
    query: tuple[tuple[str, str], ...],
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
) -> MockRequest:
    """Parameters and body read and validated; raises 415, or every violation at once."""
    violations: list[Violation] = []
    values: dict[tuple[str, str], Any] = {}
    from_query = _query_reads(plan, query)
    for index, pp in enumerate(plan.parameters):
        if index in from_query:
            value, found = from_query[index]
        else:
            value = read_parameter(
                pp.param, pp.shape, path=raw.path_params, headers=headers, cookies=cookies
            )
            found = tuple(_check_parameter(pp, value))
        violations.extend(found)
        if value is NOT_SENT:
            value = pp.default
        if value is not NOT_SENT:
            values[(pp.param.location, pp.param.name)] = value
    media, body = None, None
    checked_by = time.monotonic() + VALIDATION_SECONDS  # parameters have their own bounds
    try:  # a 415 goes straight out; a missing or unreadable body joins the violations
        media = _body_media(plan, raw, headers)
        if media is not None:
            body = _parse_body(plan, media, raw.body, headers.get("content-type", ""))
            if body is UNREAD:
                body = None  # a body mockserver does not read (binary, XML) is not judged
            else:
                in_body, checked_by = _check_body(plan, media, body)
                violations.extend(in_body)
    except InvalidRequest as unreadable:
        violations.extend(unreadable.violations)
    if violations:
        raise InvalidRequest(bounded(violations, checked_by))
    return MockRequest(raw, headers, query, cookies, values, body, media)


#: Query strings whose reading an operation remembers before it starts afresh.
QUERY_MEMO_SIZE = 256


def _query_reads(
    plan: OperationPlan, query: tuple[tuple[str, str], ...]
) -> dict[int, tuple[Any, tuple[Violation, ...]]]:
    """Each query parameter's value and violations, by its index in the plan, read once
    per distinct query (a filtered list may read a dozen parameters, a deep object among
    them, on every request). The values are shared by the requests that sent the same
    query: nothing downstream changes a request's values."""
    found = plan.query_reads.get(query)
    if found is None:
        found = {}
        for index, pp in enumerate(plan.parameters):
            if pp.param.location == "query":
                value = read_parameter(pp.param, pp.shape, query=query)
                found[index] = (value, tuple(_check_parameter(pp, value)))
        if len(plan.query_reads) >= QUERY_MEMO_SIZE:
            plan.query_reads.clear()
        plan.query_reads[query] = found
    return found


#: Violations an answer lists; the rest are counted in one more line.
MAX_VIOLATIONS = 100
#: Seconds a request's body may be validated for (the event loop waits meanwhile).
VALIDATION_SECONDS = 0.04


def bounded(violations: list[Violation], deadline: float) -> list[Violation]:
    """The first :data:`MAX_VIOLATIONS`, and a line counting the rest (at least, when
    validation stopped at its deadline)."""
    cut = time.monotonic() > deadline
    if len(violations) <= MAX_VIOLATIONS and not cut:
        return violations
    rest = max(len(violations) - MAX_VIOLATIONS, 0)
    counted = (
        f"at least {rest} more (validation stopped after {VALIDATION_SECONDS * 1000:.0f} ms)"
        if cut
        else f"{rest} more"
    )
    more = f"the first {MAX_VIOLATIONS} violations are listed; {counted} not listed"
    return [*violations[:MAX_VIOLATIONS], Violation("request", "", "", more, "more")]


def _check_parameter(pp: ParameterPlan, value: Any) -> list[Violation]:
    param = pp.param
    if value is NOT_SENT:
        if param.required:
            return [Violation(param.location, param.name, "", "is required but missing", "missing")]
        return []
    if pp.validator is None:
        return []
    if not isinstance(value, str | int | float | bool):
        return _violations(pp, value)
    key = (type(value), value)
    found = pp.verdicts.get(key)
    if found is None:
        found = tuple(_violations(pp, value))
        if len(pp.verdicts) >= VERDICT_MEMO_SIZE:
            pp.verdicts.clear()
        pp.verdicts[key] = found
    return list(found)


#: Parameter verdicts remembered per parameter before the memo starts afresh.
VERDICT_MEMO_SIZE = 1024


def _violations(pp: ParameterPlan, value: Any) -> list[Violation]:
    assert pp.validator is not None
    param = pp.param
    return [
        Violation(param.location, param.name, v.pointer, v.message, v.keyword)
        for v in pp.validator.iter_violations(value)
    ]


def _body_media(plan: OperationPlan, raw: RawRequest, headers: Mapping[str, str]) -> str | None:
    """The declared media type the body is read as; None when there is no body to read.

    Raises 415 for an undeclared Content-Type, or for a body where the operation declares
    none but does declare a 415 (else a body it takes none of is ignored: a real server
    ignores it, and refusing it would be stricter than the document); and a violation for
    a missing required body.
    """
    body = plan.op.request_body
    if body is None:
        if raw.body and plan.declares(415):  # the author says content it has no place for
            raise Problem(  # is refused (as Prism refuses it); else ignored, as servers do
                415,
                f"{plan.op.key} takes no request body; {len(raw.body)} bytes were sent",
            )
        return None
    content_type = headers.get("content-type", "")
    if not raw.body and not content_type:
        _no_body(body.required)
        return None
    media = media_type_of(content_type) if content_type else next(iter(plan.bodies), "")
    declared = next((d for d in plan.bodies if media_matches(d, media)), None)
    if declared is None:
        raise Problem(
            415,
            f"Content-Type {content_type or '(none)'!r} is not "
            f"accepted; send one of: {', '.join(plan.bodies)}",
        )
    if not raw.body:
        _no_body(body.required)
        return None
    return declared


def _no_body(required: bool) -> None:
    if required:
        raise invalid("body", "", "a request body is required", "missing")


def _parse_body(plan: OperationPlan, media: str, data: bytes, content_type: str) -> Any:
    """The body as a value; raises an :class:`InvalidRequest` when it cannot be read."""
    if "json" in media:
        return parse_json(data)
    if media == "application/x-www-form-urlencoded":
        return _form(data)
    if media.startswith("multipart/"):
        return read_multipart(
            data, content_type, plan.form_shapes.get(media), plan.encodings.get(media)
        )
    if is_xml(media):  # text/xml too: XML is not read into the schema's shape
        return UNREAD
    if media.startswith("text/"):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise invalid(
                "body", "", f"not valid UTF-8 at byte {exc.start}", "invalid_encoding"
            ) from None
    return UNREAD


def _form(data: bytes) -> Any:
    try:
        pairs = parse_qsl(data.decode("ascii"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError) as exc:
        raise invalid("body", "", f"the form cannot be read: {exc}", "malformed") from None
    return fields_of(pairs)


def _check_body(plan: OperationPlan, media: str, body: Any) -> tuple[list[Violation], float]:
    """The body's violations, and the deadline their search had: it starts once the
    validator that lists them is ready (built on the first body the compiled check does
    not vouch for, a one-time cost that is no part of one request's budget)."""
    validator = plan.bodies.get(media)
    if validator is None:
        return [], time.monotonic() + VALIDATION_SECONDS
    shape = plan.form_shapes.get(media)
    if isinstance(body, dict) and shape is not None:
        body = _coerce_fields(shape, body)
    if not validator.needs_reference(body):
        return [], time.monotonic() + VALIDATION_SECONDS
    deadline = time.monotonic() + VALIDATION_SECONDS
    found = [
        Violation("body", "", v.pointer, v.message, v.keyword)
        for v in validator.iter_violations(body, deadline)
    ]
    return found, deadline


def _coerce_fields(shape: ParameterShape, fields: dict[str, Any]) -> dict[str, Any]:
    """Form fields arrive as strings; read them as the types the schema gives them."""
    result: dict[str, Any] = {}
    for key, sent in fields.items():
        if not isinstance(sent, (str, list)):  # a JSON part, already typed
            result[key] = sent
            continue
        types = shape.properties.get(key, frozenset())
        # one value of a repeatable field is a list of one
        value = [sent] if "array" in types and not isinstance(sent, list) else sent
        if isinstance(value, list):
            items = shape.leaf_types((key, "0"))
            result[key] = [coerce(v, items) if isinstance(v, str) else v for v in value]
        else:
            result[key] = coerce(value, types)
    return result
