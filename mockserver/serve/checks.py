"""Check a request against its operation: content negotiation, parameters and body.

Every violation is collected, not just the first, so the error the client gets names
them all.
"""

from __future__ import annotations

import email.parser
import email.policy
import functools
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from mockserver.serve.error_shapes import Problem, Violation
from mockserver.serve.plan import OperationPlan, ParameterPlan
from mockserver.serve.request import MockRequest, RawRequest, parse_json
from mockserver.spec.params import MISSING, ParameterShape, coerce, read_parameter

JSON_LIKE = ("json",)


def media_type_of(header: str) -> str:
    """``application/json; charset=utf-8`` -> ``application/json``."""
    return header.split(";", 1)[0].strip().lower()


def media_matches(pattern: str, media: str) -> bool:
    """Whether ``media`` falls under ``pattern`` (``*/*``, ``application/*``, exact)."""
    p_type, _, p_sub = pattern.lower().partition("/")
    m_type, _, m_sub = media.lower().partition("/")
    return p_type in ("*", m_type) and p_sub in ("*", m_sub)


@functools.lru_cache(maxsize=1024)
def acceptable(accept: str, produces: tuple[str, ...]) -> str | None:
    """The first produced media type the Accept header allows; None if it allows none."""
    if not accept.strip() or not produces:
        return produces[0] if produces else ""
    ranges = []
    for part in accept.split(","):
        media, *params = [p.strip() for p in part.split(";")]
        quality = next((p.split("=", 1)[1] for p in params if p.startswith("q=")), "1")
        try:
            if float(quality) > 0:
                ranges.append(media)
        except ValueError:
            ranges.append(media)
    for media_range in ranges:
        for media in produces:
            if media_matches(media_range, media) or media_matches(media, media_range):
                return media
    return None


def read_request(
    plan: OperationPlan,
    raw: RawRequest,
    query: tuple[tuple[str, str], ...],
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
) -> MockRequest | Problem:
    """The typed, validated request, or the problem with it (415, or the bad-request status)."""
    violations: list[Violation] = []
    values: dict[tuple[str, str], Any] = {}
    for pp in plan.parameters:
        value = read_parameter(
            pp.param, pp.shape, query=query, path=raw.path_params, headers=headers, cookies=cookies
        )
        violations.extend(_check_parameter(pp, value))
        if value is MISSING:
            value = pp.default
        if value is not MISSING:
            values[(pp.param.location, pp.param.name)] = value
    body, media, problem = _read_body(plan, raw, headers)
    if problem is not None:
        return problem
    if isinstance(body, Violation):
        violations.append(body)
        body = None
    elif media is not None:
        violations.extend(_check_body(plan, media, body))
    if violations:
        return Problem(
            plan.bad_request, "The request does not match the API description", tuple(violations)
        )
    return MockRequest(raw, headers, query, cookies, values, body, media)


def _check_parameter(pp: ParameterPlan, value: Any) -> list[Violation]:
    param = pp.param
    if value is MISSING:
        if param.required:
            return [Violation(param.location, param.name, "", "is required but missing", "missing")]
        return []
    if pp.validator is None:
        return []
    return [
        Violation(param.location, param.name, v.pointer, v.message, v.keyword)
        for v in pp.validator.iter_violations(value)
    ]


def _read_body(
    plan: OperationPlan, raw: RawRequest, headers: Mapping[str, str]
) -> tuple[Any, str | None, Problem | None]:
    """(parsed body or a Violation, its declared media type, a 415 problem)."""
    body = plan.op.request_body
    if body is None:
        return None, None, None
    content_type = headers.get("content-type", "")
    if not raw.body and not content_type:
        if body.required:
            return Violation("body", "", "", "a request body is required", "missing"), None, None
        return None, None, None
    media = media_type_of(content_type) if content_type else next(iter(plan.bodies), "")
    declared = next((d for d in plan.bodies if media_matches(d, media)), None)
    if declared is None:
        return (
            None,
            None,
            Problem(
                415,
                f"Content-Type {content_type or '(none)'!r} is not "
                f"accepted; send one of: {', '.join(plan.bodies)}",
            ),
        )
    if not raw.body:
        if body.required:
            return Violation("body", "", "", "a request body is required", "missing"), None, None
        return None, None, None
    return _parse_body(declared, media, raw.body, content_type, plan), declared, None


def _parse_body(
    declared: str, media: str, data: bytes, content_type: str, plan: OperationPlan
) -> Any:
    if "json" in media:
        value, violation = parse_json(data)
        return violation or value
    if media == "application/x-www-form-urlencoded":
        return _form(data)
    if media.startswith("multipart/"):
        return _multipart(data, content_type)
    if media.startswith("text/"):
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return Violation(
                "body", "", "", f"not valid UTF-8 at byte {exc.start}", "invalid_encoding"
            )
    return None  # binary bodies are not validated


def _form(data: bytes) -> Any:
    try:
        pairs = parse_qsl(data.decode("ascii"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError) as exc:
        return Violation("body", "", "", f"the form cannot be read: {exc}", "invalid")
    return _pairs_to_fields(pairs)


def _multipart(data: bytes, content_type: str) -> Any:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + data)
    if not message.is_multipart():
        return Violation("body", "", "", "the multipart body cannot be read", "invalid")
    pairs = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True)
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
        pairs.append((str(name), text))
    return _pairs_to_fields(pairs)


def _pairs_to_fields(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key, value in pairs:
        if key in fields:
            existing = fields[key]
            fields[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
        else:
            fields[key] = value
    return fields


def _check_body(plan: OperationPlan, media: str, body: Any) -> list[Violation]:
    validator = plan.bodies.get(media)
    if validator is None:
        return []
    shape = plan.form_shapes.get(media)
    if isinstance(body, dict) and shape is not None:
        body = _coerce_fields(shape, body)
    return [
        Violation("body", "", v.pointer, v.message, v.keyword)
        for v in validator.iter_violations(body)
    ]


def _coerce_fields(shape: ParameterShape, fields: dict[str, Any]) -> dict[str, Any]:
    """Form fields arrive as strings; read them as the types the schema gives them."""
    result: dict[str, Any] = {}
    for key, value in fields.items():
        types = shape.properties.get(key, frozenset())
        if isinstance(value, list):
            result[key] = [coerce(v, frozenset()) for v in value]
        else:
            result[key] = coerce(value, types)
    return result
