"""A contract session: the targets and runs for a plan, built once per process.

Shared by the ``contract`` command (and its worker processes) and the pytest entry point.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mockserver.contract.runner import ContractOptions, ContractRun, OperationResult
from mockserver.contract.targets import AsgiTarget, HttpTarget
from mockserver.serve.app import create_app
from mockserver.serve.mount import ServeOptions, load_apis


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


class Session:
    """Targets and contract runs for a plan, built once per process."""

    def __init__(self, plan: Plan) -> None:
        options = ContractOptions(plan.max_examples, plan.seed, plan.derandomize)
        serve = ServeOptions(fixtures_dir=Path(plan.fixtures))
        apis = load_apis([Path(p) for p in plan.specs], serve)
        self.runs: dict[str, ContractRun] = {}
        if plan.base_url:
            self.target: Any = HttpTarget(plan.base_url)
        else:
            self.target = AsgiTarget(create_app(apis, serve))
        for path, api in zip(plan.specs, apis, strict=True):
            in_process = plan.base_url is None
            records = (
                api.responder.engine.records if (in_process and api.responder.engine) else None
            )
            self.runs[path] = ContractRun(
                api.document,
                self.target,
                mount=api.mounts[0] if in_process else api.document.base_path,
                options=options,
                declaration=api.declaration,
                records=records,
                extra_headers=dict(plan.headers),
            )

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
