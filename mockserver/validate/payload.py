"""Check a captured request or response body against the operation it belongs to."""

from __future__ import annotations

from pathlib import Path

from mockserver.data.binding import json_media
from mockserver.errors import MockserverError, UsageError
from mockserver.report.findings import Finding
from mockserver.spec.dialects import SchemaValidator
from mockserver.spec.model import ApiDocument, MediaType, Operation
from mockserver.spec.source import load_source
from mockserver.validate.rules import RULES


def check_payload(
    payload: Path,
    document: ApiDocument,
    operation_id: str,
    *,
    status: int | None,
    request: bool,
    content_type: str | None = None,
) -> list[Finding]:
    """Every way ``payload`` breaks the schema it should follow."""
    op = document.operation(operation_id)
    if op is None:
        known = ", ".join(o.operation_id for o in document.operations)
        raise UsageError(
            document.path, f"no operation {operation_id!r}", hint=f"choose one of: {known}"
        )
    try:
        source = load_source(payload)
    except MockserverError as error:
        return [Finding.from_error(error, RULES)]
    if request:
        media, label = _request_media(op, content_type), f"{op.key} request body"
    else:
        response = op.response_for(status or 200)
        if response is None:
            return [
                Finding(
                    "MS302",
                    payload,
                    "",
                    f"{op.key} declares no response {status}",
                    hint=f"declared: {', '.join(r.status for r in op.responses)}",
                )
            ]
        media = _pick(response.content, content_type) or json_media(response)
        label = f"{op.key} {status}"
    if media is None or media.schema is None:
        return []  # nothing declared: any body conforms
    validator = SchemaValidator(
        media.schema, document.registry, direction="request" if request else "response"
    )
    findings = []
    for violation in validator.iter_violations(source.data):
        pos = source.position(violation.pointer)
        findings.append(
            Finding(
                "MS301",
                payload,
                violation.pointer,
                f"{label}: {violation.message}",
                pos.line,
                pos.column,
            )
        )
    return findings


def _request_media(op: Operation, content_type: str | None) -> MediaType | None:
    if op.request_body is None:
        raise UsageError(None, f"{op.key} takes no request body")
    return _pick(op.request_body.content, content_type) or next(
        (m for m in op.request_body.content if "json" in m.name), None
    )


def _pick(content: tuple[MediaType, ...], content_type: str | None) -> MediaType | None:
    if content_type is None:
        return None
    return next((m for m in content if m.name == content_type), None)
