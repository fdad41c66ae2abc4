"""The count behaviour: how many of the selected records fall in each time bucket."""

from __future__ import annotations

import math

from mockserver.data.declaration import OperationBehaviour
from mockserver.data.records import record_time
from mockserver.data.templates import Facts
from mockserver.serve.behaviour.bodies import Bodies
from mockserver.serve.behaviour.query import int_value
from mockserver.serve.behaviour.result import BehaviourResult
from mockserver.serve.behaviour.selection import selected
from mockserver.serve.request import MockRequest
from mockserver.serve.sessions import SessionView


def count_records(
    bodies: Bodies, behaviour: OperationBehaviour, request: MockRequest, view: SessionView
) -> BehaviourResult:
    """The selected records counted in time buckets, in the operation's envelope."""
    records = selected(behaviour, request, view)
    dataset = view.index(behaviour.dataset).dataset
    spec = behaviour.buckets
    assert spec is not None
    times = [t for t in (record_time(r, dataset.time) for r in records) if t is not None]
    all_times = [
        t
        for t in (record_time(r, dataset.time) for r in view.index(behaviour.dataset).records)
        if t is not None
    ]
    start = int_value(request.value(spec.start)) if spec.start else None
    end = int_value(request.value(spec.end)) if spec.end else None
    start = min(times, default=0) if start is None else start
    end = (max(all_times, default=start) + 1) if end is None else end
    count = int_value(request.value(spec.param)) if spec.param else None
    count = max(count or spec.default, 1)
    interval = max(math.ceil(max(end - start, 1) / count), 1)
    buckets = [{spec.timestamp: start + i * interval, spec.count: 0} for i in range(count)]
    for moment in times:
        index = (moment - start) // interval
        if 0 <= index < count:
            buckets[index][spec.count] += 1
    facts = Facts(
        request, count={"total": sum(b[spec.count] for b in buckets), "interval": interval}
    )
    body = bodies.envelope(behaviour, buckets, facts, pointer=spec.items)
    return BehaviourResult(200, body)
