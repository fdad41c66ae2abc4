"""A call as the other document reads it: parameters go through the wire, not as values.

OLD's client sends text: ``limit=5`` is the integer 5 to OLD and the string ``"5"`` to a
NEW that declares a string, and ``token=abc`` is the list ``["abc"]`` to a NEW whose
``token`` became a form-exploded array. A break is a request NEW refuses as it arrives,
so query and header values are written as OLD's client writes them and read back as
NEW's server reads them before NEW judges the call.
"""

from __future__ import annotations

from typing import Any

from mockserver.diff.calls import ABSENT, Call, param_key
from mockserver.generation.serialize import header_value, query_pairs
from mockserver.spec.model import ApiDocument, Operation, Parameter
from mockserver.spec.params import read_parameter, shape_of
from mockserver.spec.sentinel import NOT_SENT

_ON_THE_WIRE = ("query", "header")


def as_read_by(call: Call, old_op: Operation, new_op: Operation | None, new: ApiDocument) -> Call:
    """``call`` (OLD's values) with each query and header parameter as NEW reads it."""
    if new_op is None:
        return call
    sent = {param_key(old_op, p): p for p in old_op.parameters if p.location in _ON_THE_WIRE}
    read = {param_key(new_op, p): p for p in new_op.parameters if p.location in _ON_THE_WIRE}
    params = dict(call.params)
    for key, value in call.params.items():
        if key in sent and key in read and value is not ABSENT:
            params[key] = _through(sent[key], read[key], value, new)
            if params[key] is ABSENT:
                del params[key]
    return Call(params, call.body, call.media, call.credentials)


def _through(old: Parameter, new: Parameter, value: Any, document: ApiDocument) -> Any:
    shape = shape_of(new.schema, document.registry)
    if old.location == "query":
        pairs = query_pairs(old, value)
        found = read_parameter(new, shape, query=pairs) if pairs else NOT_SENT
    else:
        raw = header_value(old, value)
        found = read_parameter(new, shape, headers={new.name.lower(): raw})
    return ABSENT if found is NOT_SENT else found
