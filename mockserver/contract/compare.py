"""The drift report (``contract --base-url URL --compare-mock``): provider and mock, side by side.

The contract checks one target against the document. This runs the same seeded, valid
cases against two targets, the real provider and the in-process mock of the same document,
and reports where their answers part: in status class (2xx against 4xx), in content type,
or in the schema branch the body matches (which ``oneOf``/``anyOf`` branches accept it, or
whether the declared schema accepts it at all). A difference is not necessarily the
provider's fault: it is where the mock the frontend was built against stops telling the
truth about the provider, which is what a team wants to know before it ships.

The cases come from Hypothesis with a fixed seed and derandomized, so the same seed draws
the same requests for both targets and on every run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as seeded

from mockserver.contract.checks import Reply
from mockserver.contract.schema import ResponseSchema
from mockserver.contract.targets import Target
from mockserver.generation.requests import RequestFactory
from mockserver.generation.serialize import WireRequest
from mockserver.report.findings import LOADING_RULES, Finding, Registry, Rule
from mockserver.spec.media import media_type_of
from mockserver.spec.model import ApiDocument, Operation
from mockserver.spec.navigate import deref, descend

ASPECTS = ("status-class", "content-type", "schema-branch")
COMPARE_RULES = Registry(
    (
        *LOADING_RULES,
        Rule("status-class", "status-class",
             "The provider and the mock answer the same request with different status classes.",
             "align the mock's fixtures or the document with what the provider does"),
        Rule("content-type", "content-type",
             "The provider and the mock answer the same request with different content types.",
             "declare the provider's content type, or fix the provider"),
        Rule("schema-branch", "schema-branch",
             "The provider's body and the mock's match different branches of the schema.",
             "update the fixtures (or record them with serve --proxy --record)"),
    )
)  # fmt: skip


@dataclass(frozen=True)
class Side:
    """What one target answered, reduced to what is compared."""

    status: int
    media: str
    branch: str

    def aspect(self, name: str) -> str:
        """The value compared for ``name``."""
        if name == "status-class":
            return f"{self.status // 100}xx"
        return self.media if name == "content-type" else self.branch


@dataclass(frozen=True)
class Difference:
    """One request whose answers differ in one aspect."""

    operation: Operation
    aspect: str
    provider: Side
    mock: Side
    curl: str


@dataclass
class Comparison:
    """Every case of one document, and where the two targets parted."""

    document: ApiDocument
    cases: dict[str, int]
    differences: list[Difference]


def seeded_requests(
    factory: RequestFactory, op: Operation, count: int, seed: int
) -> list[WireRequest]:
    """``count`` valid requests for ``op``, the same for the same seed on every run."""
    drawn: list[WireRequest] = []

    @seeded(seed)
    @settings(max_examples=count, derandomize=False, database=None, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(factory.valid(op))
    def draw(request: WireRequest) -> None:
        drawn.append(request)

    draw()
    return drawn


def compare(
    document: ApiDocument,
    targets: tuple[tuple[Target, str], tuple[Target, str]],
    count: int,
    seed: int,
    only: set[str] | None = None,
) -> Comparison:
    """Send each seeded case to the provider and to the mock (each with its mount)."""
    (provider, provider_mount), (mock, mock_mount) = targets
    factory = RequestFactory(document, "")
    result = Comparison(document, {}, [])
    for op in document.operations:
        if only is not None and op.operation_id not in only and op.key not in only:
            continue
        requests = seeded_requests(factory, op, count, seed)
        result.cases[op.operation_id] = len(requests)
        for request in requests:
            theirs = provider.send(replace(request, path=provider_mount + request.path))
            ours = mock.send(replace(request, path=mock_mount + request.path))
            curl = replace(request, path=provider_mount + request.path).curl(provider.base_url)
            result.differences += differences(op, document, theirs, ours, curl)
    return result


def differences(
    op: Operation, document: ApiDocument, theirs: Reply, ours: Reply, curl: str
) -> list[Difference]:
    """The aspects in which two answers to one request differ (the first one only: a
    different status class makes the content type and body differ as a matter of course)."""
    provider, mock = side(op, document, theirs), side(op, document, ours)
    for aspect in ASPECTS:
        if provider.aspect(aspect) != mock.aspect(aspect):
            return [Difference(op, aspect, provider, mock, curl)]
    return []


def side(op: Operation, document: ApiDocument, reply: Reply) -> Side:
    """The status, media type and schema branch of one answer."""
    media = media_type_of(reply.headers.get("content-type", "")) if reply.body else ""
    return Side(reply.status, media or "(none)", branch(op, document, reply, media))


def branch(op: Operation, document: ApiDocument, reply: Reply, media: str) -> str:
    """Which part of the declared schema the body matches: ``oneOf[1]``, ``valid``,
    ``invalid``; ``-`` when there is nothing to judge (no JSON, no schema)."""
    response = op.response_for(reply.status)
    entry = next((m for m in response.content if m.name == media), None) if response else None
    if entry is None or entry.schema is None or "json" not in media:
        return "-"
    try:
        value = json.loads(reply.body)
    except ValueError:
        return "not JSON"
    schema = deref(entry.schema, document.registry)
    node = schema.value if isinstance(schema.value, dict) else {}
    for combinator in ("oneOf", "anyOf"):
        branches = node.get(combinator)
        if isinstance(branches, list) and branches:
            hits = [
                str(i)
                for i in range(len(branches))
                if _accepts(descend(schema, (combinator, str(i))), document, value)
            ]
            return f"{combinator}[{','.join(hits)}]" if hits else "no branch"
    return "valid" if _accepts(schema, document, value) else "invalid"


def _accepts(schema: Any, document: ApiDocument, value: Any) -> bool:
    return schema is not None and ResponseSchema(schema, document.registry).accepts(value)


def table(comparisons: Sequence[Comparison]) -> str:
    """One row per operation: cases, and how many differ in each aspect."""
    lines = [f"{'operation':<32} {'cases':>5}  " + "  ".join(f"{a:>13}" for a in ASPECTS)]
    for comparison in comparisons:
        for operation, cases in comparison.cases.items():
            found = [d for d in comparison.differences if d.operation.operation_id == operation]
            counts = [sum(1 for d in found if d.aspect == a) for a in ASPECTS]
            lines.append(
                f"{operation:<32} {cases:>5}  " + "  ".join(f"{c or '.':>13}" for c in counts)
            )
    for comparison in comparisons:
        for d in comparison.differences:
            lines.append(
                f"\n{d.operation.operation_id}: {d.aspect}: provider "
                f"{d.provider.aspect(d.aspect)} ({d.provider.status}), mock "
                f"{d.mock.aspect(d.aspect)} ({d.mock.status})\n  reproduce: {d.curl}"
            )
    total = sum(len(c.differences) for c in comparisons)
    cases = sum(sum(c.cases.values()) for c in comparisons)
    lines.append(f"\n{cases} cases: " + (f"{total} differ" if total else "no drift found"))
    return "\n".join(lines)


def as_findings(comparisons: Sequence[Comparison]) -> list[Finding]:
    """Each difference as an error finding on its document and operation."""
    return [
        Finding(
            d.aspect,
            Path(c.document.path),
            d.operation.pointer,
            f"{d.operation.operation_id}: provider answered {d.provider.aspect(d.aspect)} "
            f"(status {d.provider.status}), the mock {d.mock.aspect(d.aspect)} "
            f"(status {d.mock.status}); reproduce: {d.curl}",
        )
        for c in comparisons
        for d in c.differences
    ]
