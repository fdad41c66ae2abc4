"""The get behaviour: one record by its id, inside its parent's scope."""

from __future__ import annotations

from mockserver.data.declaration import OperationBehaviour
from mockserver.data.templates import Facts, apply
from mockserver.serve.behaviour.bodies import Bodies
from mockserver.serve.behaviour.result import BehaviourResult
from mockserver.serve.behaviour.selection import scoped
from mockserver.serve.problems import Problem
from mockserver.serve.request import MockRequest
from mockserver.serve.sessions import SessionView


def get_record(
    bodies: Bodies, behaviour: OperationBehaviour, request: MockRequest, view: SessionView
) -> BehaviourResult:
    """The record the request names; raises 404 when there is none."""
    index = view.index(behaviour.dataset)
    wanted = request.value(behaviour.param or index.dataset.id_field)
    record = index.by_id.get(str(wanted))
    found = scoped(behaviour, request, [record] if record is not None else [], view)
    if not found:
        name = behaviour.param or index.dataset.id_field
        raise Problem(404, f"{name} {wanted!r} was not found")
    body = bodies.projected(behaviour, found[0], index)
    return BehaviourResult(200, apply(behaviour.set, body, Facts(request)))
