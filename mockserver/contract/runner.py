"""Run the contract of one document against a target, operation by operation.

Each operation is exercised in phases, each a Hypothesis search: valid requests (response
and semantic checks), requests breaking one constraint, requests without credentials,
and stateful semantic checks (paging walks, list-get agreement). When a check fails,
Hypothesis shrinks the request to a minimal failing example; that check is then set aside
and the phase runs again, so one run reports every check that fails, not just the first.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from mockserver.contract.checks import (
    NEGATIVE,
    NO_AUTH,
    POSITIVE,
    RESPONSE_CHECKS,
    Case,
    CheckContext,
    Failure,
    Reply,
    run_response_checks,
)
from mockserver.contract.hints import hints_from_declaration
from mockserver.contract.semantics import (
    STATEFUL,
    SemanticContext,
    applicable,
    run_semantics,
)
from mockserver.contract.stateful import StatefulPhase, isolate
from mockserver.contract.targets import Target
from mockserver.data.dataset import Record
from mockserver.data.declaration import Declaration, OperationBehaviour
from mockserver.generation.requests import RequestFactory
from mockserver.generation.serialize import WireRequest
from mockserver.spec.model import ApiDocument, Operation

POSITIVE_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "positive_data_acceptance",
)
NEGATIVE_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
)
AUTH_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "response_schema_conformance",
    "ignored_auth",
)
MAX_RERUNS = 6


@dataclass(frozen=True)
class ContractOptions:
    """How hard to try, and how to reproduce."""

    max_examples: int = 50
    seed: int = 0
    derandomize: bool = False
    token: str = "mock-token"


@dataclass
class CheckFailure:
    """A failed check with its minimal example."""

    check: str
    message: str
    expected: str
    actual: str
    curl: str
    status: int | None = None


@dataclass
class OperationResult:
    """Everything one operation's run found."""

    api: str
    key: str
    operation_id: str
    cases: int = 0
    seconds: float = 0.0
    ran: set[str] = field(default_factory=set)
    failures: list[CheckFailure] = field(default_factory=list)
    skipped: set[str] = field(default_factory=set)
    spec_path: str = ""

    @property
    def failed(self) -> set[str]:
        """Names of the checks that failed."""
        return {f.check for f in self.failures}


class _Failed(Exception):
    """Raised inside a Hypothesis test so that it shrinks the failing request."""

    def __init__(self, failure: Failure, request: WireRequest, status: int) -> None:
        super().__init__(failure.check, failure.message)
        self.failure = failure
        self.request = request
        self.status = status


@dataclass
class ContractRun:
    """The contract of one document against one target."""

    document: ApiDocument
    target: Target
    mount: str
    options: ContractOptions = field(default_factory=ContractOptions)
    declaration: Declaration | None = None
    records: Mapping[str, list[Record]] | None = None  # the mock's data (in process only)
    extra_headers: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        locations = {
            (op.operation_id, p.name): p.location
            for op in self.document.operations
            for p in op.parameters
        }
        hints: dict[tuple[str, str, str], list[Any]] = {}
        exclusive: set[tuple[str, str, str]] = set()
        if self.declaration is not None and self.records is not None:
            hints, exclusive = hints_from_declaration(self.declaration, self.records, locations)
        self.factory = RequestFactory(
            self.document, self.mount, self.options.token, self.extra_headers, hints, exclusive
        )
        self.context = CheckContext(self.document)

    def run(
        self, op: Operation, progress: Callable[[OperationResult], None] | None = None
    ) -> OperationResult:
        """Every phase for one operation."""
        result = OperationResult(self.document.name, op.key, op.operation_id)
        started = time.perf_counter()
        behaviour = self.declaration.operations.get(op.operation_id) if self.declaration else None
        semantics = applicable(behaviour, self.target.in_process) if behaviour else ()
        context = self._semantic_context(op, behaviour)
        quick = tuple(s for s in semantics if s not in STATEFUL)
        slow = tuple(s for s in semantics if s in STATEFUL)
        self._phase(
            result,
            op,
            self.factory.valid(op).map(lambda r: Case(op, r, POSITIVE)),
            POSITIVE_CHECKS,
            quick,
            context,
            self.options.max_examples,
        )
        negatives = self.factory.negative(op)
        if negatives is not None:
            cases = negatives.map(lambda n: Case(op, n.request, NEGATIVE, n.mutation))
            self._phase(result, op, cases, NEGATIVE_CHECKS, (), None, self.options.max_examples)
        if op.security and all(op.security):
            unauthenticated = self.factory.valid(op, credentials=False).map(
                lambda r: Case(op, r, NO_AUTH)
            )
            self._phase(
                result,
                op,
                unauthenticated,
                AUTH_CHECKS,
                (),
                None,
                max(self.options.max_examples // 5, 5),
            )
        if slow and context is not None:
            self._phase(
                result,
                op,
                self.factory.valid(op).map(lambda r: Case(op, r, POSITIVE)),
                (),
                slow,
                context,
                max(self.options.max_examples // 5, 5),
            )
        if behaviour is not None and behaviour.kind == "create":
            self._stateful(result, op, behaviour)
        result.skipped = (
            {"dataset_agreement"}
            if behaviour and not self.target.in_process and behaviour.kind in ("list", "search")
            else set()
        )
        result.seconds = time.perf_counter() - started
        if progress is not None:
            progress(result)
        return result

    def _stateful(
        self, result: OperationResult, op: Operation, behaviour: OperationBehaviour
    ) -> None:
        """Create, then read back, list and delete (see :mod:`mockserver.contract.stateful`)."""
        assert self.declaration is not None

        def send(request: WireRequest) -> Reply:
            result.cases += 1
            return self.target.send(request)

        phase = StatefulPhase(self.document, self.declaration, self.factory, self.mount, send)
        examples = max(self.options.max_examples // 5, 5)
        ran, failure, request = phase.run(
            op, behaviour, examples, self.options.seed, self.options.derandomize
        )
        result.ran |= ran
        if failure is not None and request is not None:
            curl = request.curl(self.target.base_url)
            result.failures.append(
                CheckFailure(failure.check, failure.message, failure.expected, failure.actual, curl)
            )

    def _semantic_context(
        self, op: Operation, behaviour: OperationBehaviour | None
    ) -> SemanticContext | None:
        if behaviour is None or self.declaration is None:
            return None
        get = next(
            (
                (self.document.operation(b.operation_id), b)
                for b in self.declaration.operations.values()
                if b.kind == "get" and b.dataset == behaviour.dataset
            ),
            None,
        )
        get_pair = (get[0], get[1]) if get and get[0] is not None else None
        return SemanticContext(
            op,
            behaviour,
            self.declaration,
            self.mount,
            self.target.base_url,
            self.records,
            get_pair,
        )

    def _phase(
        self,
        result: OperationResult,
        op: Operation,
        cases: st.SearchStrategy[Case],
        checks: tuple[str, ...],
        semantics: tuple[str, ...],
        context: SemanticContext | None,
        examples: int,
    ) -> None:
        active = {c for c in (*checks, *semantics) if c not in result.failed}
        for _ in range(MAX_RERUNS):
            if not active:
                return
            result.ran |= active
            failure = self._search(result, cases, set(active), context, examples)
            if failure is None:
                return
            result.failures.append(failure)
            active.discard(failure.check)

    def _reported(self, failed: _Failed) -> CheckFailure:
        """The minimal failing example Hypothesis shrank to, as a report entry."""
        f = failed.failure
        return CheckFailure(
            f.check,
            f.message,
            f.expected,
            f.actual,
            failed.request.curl(self.target.base_url),
            failed.status,
        )

    def _search(
        self,
        result: OperationResult,
        cases: st.SearchStrategy[Case],
        active: set[str],
        context: SemanticContext | None,
        examples: int,
    ) -> CheckFailure | None:
        response_checks = active & set(RESPONSE_CHECKS)
        semantic_checks = tuple(sorted(active - set(RESPONSE_CHECKS)))

        def send(request: WireRequest) -> Reply:
            result.cases += 1
            return self.target.send(isolate(request))  # other phases' writes: a scratch session

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=self.options.derandomize,
            report_multiple_bugs=False,
            phases=[Phase.explicit, Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        @given(cases)
        def search(case: Case) -> None:
            reply = send(case.request)
            failures = run_response_checks(case, reply, self.context, response_checks)
            if not failures and semantic_checks and context is not None:
                failures = run_semantics(semantic_checks, context, case.request, reply, send)
            if failures:
                raise _Failed(failures[0], case.request, reply.status)

        if not self.options.derandomize:
            search = hypothesis_seed(self.options.seed)(search)
        try:
            search()
        except _Failed as failed:
            return self._reported(failed)
        except Exception as error:
            if isinstance(error, BaseExceptionGroup):
                found = next((e for e in error.exceptions if isinstance(e, _Failed)), None)
                if found is not None:
                    return self._reported(found)
            return CheckFailure(
                "not_a_server_error",
                f"the run stopped: {error!r}"[:500],
                "a response",
                type(error).__name__,
                "",
            )
        return None


def operations_of(document: ApiDocument, only: set[str] | None = None) -> list[Operation]:
    """The operations to run, in document order."""
    return [
        op
        for op in document.operations
        if only is None or op.operation_id in only or op.key in only
    ]


def summary(results: list[OperationResult]) -> dict[str, Any]:
    """Totals for reports."""
    cases = sum(r.cases for r in results)
    seconds = sum(r.seconds for r in results)
    return {
        "operations": len(results),
        "cases": cases,
        "seconds": seconds,
        "failures": sum(len(r.failures) for r in results),
        "cases_per_second": cases / seconds if seconds else 0.0,
    }
