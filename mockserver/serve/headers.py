"""The headers a declared response lists, added to every answer that lacks them.

Whatever builds an answer (an example, a dataset, a write, an error in the API's shape),
the response the document declares for its status may list headers, some required
(``Link``, ``X-Request-Id``). They are generated from their schemas once per operation and
status, from a seed, so the same request gets the same headers.
"""

from __future__ import annotations

import json

from mockserver.data.generate import NOTHING_DRAWN, GenerationError, ValueGenerator, stable_seed
from mockserver.serve.answer import Answer
from mockserver.serve.plan import OperationPlan
from mockserver.spec.model import Response

#: Headers the server itself sets from the body it sends.
_NOT_DECLARABLE = frozenset({"content-type", "content-length", "transfer-encoding"})


class DeclaredHeaders:
    """Adds a declared response's headers to the answers of one mounted API."""

    def __init__(self, generator: ValueGenerator, seed: int = 0) -> None:
        self.generator = generator
        self.seed = seed
        self._values: dict[tuple[str, int], tuple[tuple[str, str], ...]] = {}

    def add(self, plan: OperationPlan, answer: Answer) -> Answer:
        """``answer`` with the headers its declared response lists and it lacks."""
        key = (plan.key, answer.status)
        headers = self._values.get(key)
        if headers is None:
            response = plan.op.response_for(answer.status)
            headers = self._values[key] = self._generated(plan, response) if response else ()
        if not headers:
            return answer
        present = {name.lower() for name, _ in answer.headers}
        missing = tuple(h for h in headers if h[0].lower() not in present)
        return answer.with_headers(*missing) if missing else answer

    def _generated(self, plan: OperationPlan, response: Response) -> tuple[tuple[str, str], ...]:
        found = []
        for header in response.headers:
            if header.name.lower() in _NOT_DECLARABLE or header.schema is None:
                continue
            seed = stable_seed(self.seed, plan.op.key, header.name)
            try:
                value = self.generator.generate(header.schema, seed)
            except GenerationError as exc:
                if not header.required or exc.closest is NOTHING_DRAWN:
                    continue
                value = exc.closest  # a required header is sent, as close as can be drawn
            text = value if isinstance(value, str) else json.dumps(value)
            found.append((header.name, text))  # sent as header_bytes makes it (answer.py)
        return tuple(found)
