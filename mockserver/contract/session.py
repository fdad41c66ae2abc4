"""A contract session: the runs for a plan against one target, built once per process.

The session does not know what it tests: the caller hands it the target (an in-process
ASGI app or a provider's URL) and, for each document, what the contract may know of it
(the mount, the declaration, the mock's own records). So the contract never starts the
mock itself: the command line composes the two verbs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mockserver.contract.runner import ContractOptions, ContractRun, OperationResult
from mockserver.contract.targets import Target
from mockserver.data.dataset import Record
from mockserver.data.declaration import Declaration
from mockserver.spec.model import ApiDocument


@dataclass(frozen=True)
class Plan:
    """What to run; picklable, so worker processes can rebuild everything from it."""

    specs: tuple[str, ...]
    fixtures: str
    base_url: str | None
    headers: tuple[tuple[str, str], ...]
    max_examples: int
    seed: int
    derandomize: bool


@dataclass(frozen=True)
class Subject:
    """One document under test: where it is mounted, its declaration, the mock's records
    (None against a provider, whose data the contract cannot see)."""

    document: ApiDocument
    mount: str
    declaration: Declaration | None = None
    records: Mapping[str, list[Record]] | None = None


class Session:
    """Contract runs for a plan's documents against one target."""

    def __init__(self, plan: Plan, subjects: Sequence[Subject], target: Target) -> None:
        options = ContractOptions(plan.max_examples, plan.seed, plan.derandomize)
        self.target = target
        self.runs: dict[str, ContractRun] = {
            path: ContractRun(
                subject.document,
                target,
                mount=subject.mount,
                options=options,
                declaration=subject.declaration,
                records=subject.records,
                extra_headers=dict(plan.headers),
            )
            for path, subject in zip(plan.specs, subjects, strict=True)
        }

    def run(self, spec: str, operation_id: str) -> OperationResult:
        """One operation's result, tagged with where it came from."""
        run = self.runs[spec]
        op = run.document.operation(operation_id)
        if op is None:
            raise KeyError(f"{spec} has no operation {operation_id!r}")
        result = run.run(op)
        result.spec_path = spec
        return result

    def close(self) -> None:
        """Release the target."""
        self.target.close()
