"""The contract as pytest tests, for a user's own suite.

    # test_provider_contract.py
    from mockserver.testing import contract_test

    test_audit_log = contract_test("specs/audit.yaml",
                                   base_url="https://staging.example.com",
                                   headers={"Authorization": "api-..."})

Each operation becomes one parametrized test, which fails with the same report the
``contract`` command prints. Without ``base_url`` it runs against the in-process mock.
The active Hypothesis profile supplies ``max_examples`` and ``derandomize`` unless given.

It lives beside the command line, above the verbs, because like ``mockserver contract``
it composes two of them: the mock from ``serve`` and the checks from ``contract``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from hypothesis import settings

from mockserver.cli.contract import open_session
from mockserver.contract.report import failures_text
from mockserver.contract.session import Plan, Session
from mockserver.spec.loader import load_document


def contract_test(
    spec: str | Path,
    *,
    base_url: str | None = None,
    headers: Mapping[str, str] | None = None,
    fixtures: str | Path = "fixtures",
    max_examples: int | None = None,
    seed: int = 0,
    operations: list[str] | None = None,
) -> Callable[..., None]:
    """A pytest test function, parametrized by operation, running the contract of ``spec``."""
    path = str(Path(spec).resolve())
    document = load_document(Path(path))
    chosen = [
        op.operation_id
        for op in document.operations
        if operations is None or op.operation_id in operations
    ]
    profile = settings()
    plan = Plan(
        (path,),
        str(Path(fixtures).resolve()),
        base_url,
        tuple((headers or {}).items()),
        max_examples or profile.max_examples,
        seed,
        bool(profile.derandomize),
    )

    @pytest.mark.parametrize("operation_id", chosen)
    def test_contract(operation_id: str) -> None:
        result = _session(plan).run(path, operation_id)
        if result.failures:
            pytest.fail(failures_text([result], plan.seed, "mockserver contract"), pytrace=False)

    return test_contract


@functools.cache
def _session(plan: Plan) -> Session:
    """One session per plan and process (the app and its data are built once)."""
    return open_session(plan)


__all__ = ["contract_test"]
