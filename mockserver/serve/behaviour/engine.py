"""The behaviour engine: runs the behaviour an operation declares, over the datasets as the
request's session sees them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

from mockserver.data.dataset import Record
from mockserver.data.declaration import WRITE_BEHAVIOURS, Declaration, OperationBehaviour
from mockserver.serve.behaviour.bodies import Bodies
from mockserver.serve.behaviour.counts import count_records
from mockserver.serve.behaviour.exports import Exports
from mockserver.serve.behaviour.gets import get_record
from mockserver.serve.behaviour.lists import list_records
from mockserver.serve.behaviour.result import BehaviourResult
from mockserver.serve.plan import OperationPlan
from mockserver.serve.request import MockRequest
from mockserver.serve.sessions import SessionView, Views
from mockserver.serve.state import StateStore
from mockserver.serve.writes import Writer
from mockserver.spec.model import ApiDocument

Handler = Callable[[OperationBehaviour, MockRequest, SessionView], BehaviourResult]


class BehaviourEngine:
    """Runs declared behaviours over one document's datasets."""

    def __init__(
        self,
        declaration: Declaration,
        document: ApiDocument,
        records: Mapping[str, list[Record]],
        state: StateStore,
        seed: int = 0,
    ) -> None:
        self.declaration = declaration
        self.document = document
        self.records = records  # the fixture records, as loaded
        self.state = state
        self.views = Views(document.name, declaration, records, state)
        self.writer = Writer(declaration, document, self.views, seed)
        self.bodies = Bodies(declaration, document, self.writer)
        exports = Exports(declaration, document, state, self.writer)
        self.handlers: dict[str, Handler] = {
            "list": partial(list_records, self.bodies),
            "search": partial(list_records, self.bodies),
            "get": partial(get_record, self.bodies),
            "count": partial(count_records, self.bodies),
            "export": exports.export,
            "export-create": exports.create,
            "export-status": exports.status,
            "export-download": exports.download,
        }

    def view(self, request: MockRequest) -> SessionView:
        """The datasets as the request's session sees them now."""
        return self.views.view(request)

    def run(
        self, plan: OperationPlan, request: MockRequest, view: SessionView | None = None
    ) -> BehaviourResult:
        """The reply for ``request`` to the operation ``plan`` describes."""
        behaviour = plan.behaviour
        assert behaviour is not None
        view = view or self.view(request)
        if behaviour.kind in WRITE_BEHAVIOURS:
            result = self.writer.run(plan, behaviour, request, view)
            return BehaviourResult(result.status, result.body, None, result.headers)
        return self.handlers[behaviour.kind](behaviour, request, view)
