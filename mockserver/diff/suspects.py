"""Pair the operations of two documents and list every change that might break someone.

Each :class:`Suspect` names the rule it would break, where the change is written in both
files, and a :class:`Probe`: where a witness should differ and which values to try
there. Changes that only widen what a request may send, or only narrow what a response
may hold, are not suspects (they are safe for clients); the rest wait for a witness.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from mockserver.diff.calls import ABSENT, Call, Judge, param_key, requirement_credentials
from mockserver.diff.compare import Delta, Direction, compare
from mockserver.diff.documents import Side
from mockserver.diff.normal import Normalizer, Site
from mockserver.diff.probes import probe_values
from mockserver.spec.model import MediaType, Operation, Parameter, Response
from mockserver.spec.pointer import join_pointer

#: Header parameters OpenAPI says to ignore: content negotiation and security own them.
RESERVED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_TEMPLATE_PARAM = re.compile(r"\{[^}/]*\}")
#: A response the diff could not compare: reported as a note, never a break.
NOT_COMPARED = "MS417"


@dataclass(frozen=True)
class Probe:
    """Where a witness should differ, and the values to try there.

    ``target`` is ``("body", "")``, a parameter key such as ``("query", "limit")``, or
    ``("response", "")``; ``pointer`` is inside that value. ``credentials`` and
    ``media`` pin those parts of a request; ``status`` picks the response.
    """

    side: str  # "request", "clients" (a response NEW allows), "providers" (OLD allows)
    target: tuple[str, str] = ("", "")
    pointer: str = ""
    values: tuple[Any, ...] = ()
    media: str | None = None
    credentials: tuple[dict[Any, frozenset[str]], ...] = ()
    status: str = ""
    expect: str = ""  # the keyword NEW (or OLD) must reject with, when only one will do
    aspect: str = ""  # the schema keyword that changed: a rejection must be about it

    @property
    def location(self) -> str:
        """The place in a call or response a rejection must concern."""
        if self.target[0] in ("", "response"):
            return self.pointer
        return join_pointer("", *(t for t in self.target if t)) + self.pointer


@dataclass(frozen=True)
class Suspect:
    """A change that may break clients or providers, waiting for its witness."""

    code: str
    old_op: Operation
    new_op: Operation | None
    summary: str
    old_site: Site | None
    new_site: Site | None
    probe: Probe
    notes: tuple[str, ...] = field(default=())
    #: whether the change is best shown where OLD wrote it (something removed)
    at_old: bool = False
    #: a webhook or callback compared NEW -> OLD (its old_op is NEW's): see
    #: :func:`iter_outgoing_suspects`
    reversed: bool = False


def operation_key(base_path: str, op: Operation) -> tuple[str, str]:
    """Method and path template, whatever the template's parameters are called."""
    return op.method, _TEMPLATE_PARAM.sub("{}", base_path.rstrip("/") + op.path)


def iter_suspects(old: Side, new: Side) -> Iterator[Suspect]:
    """Every suspected break from ``old`` to ``new``, operation by operation."""
    pairs = _Pairs(old, new)
    new_ops = {operation_key(new.document.base_path, op): op for op in new.document.operations}
    for op in old.document.operations:
        counterpart = new_ops.get(operation_key(old.document.base_path, op))
        if counterpart is None:
            yield pairs.removed(op)
        else:
            yield from pairs.operation(op, counterpart)


#: Codes of a comparison run NEW -> OLD on an operation the API calls, as what they mean
#: for the subscriber: a request NEW's API may send that OLD's subscriber refuses, or a
#: response OLD's subscriber sends that NEW's API refuses. Other codes do not apply.
_OUTGOING = {
    **dict.fromkeys(("MS402", "MS403", "MS404"), "MS415"),
    **dict.fromkeys(("MS405", "MS406", "MS407", "MS411", "MS412", "MS413"), "MS416"),
}


def iter_outgoing_suspects(old: Side, new: Side) -> Iterator[Suspect]:
    """Webhooks and callbacks, with the roles reversed: the API is their client, so they
    are compared NEW -> OLD (a removed one breaks its subscribers, OLD -> NEW)."""
    new_ops = {operation_key("", op): op for op in new.outgoing}
    forward, back = _Pairs(old, new), _Pairs(new, old)
    for op in old.outgoing:
        counterpart = new_ops.get(operation_key("", op))
        if counterpart is None:
            removed = forward.removed(op)
            yield replace(removed, code="MS414", summary="webhook or callback removed")
            continue
        for suspect in back.operation(counterpart, op):
            if suspect.code in _OUTGOING:
                yield replace(suspect, code=_OUTGOING[suspect.code], reversed=True)


class _Pairs:
    """Compares operations of two sides, each side's schemas made canonical once."""

    def __init__(self, old: Side, new: Side) -> None:
        self.old, self.new = old, new
        self.old_norm = Normalizer(old.document.registry, old.document.dialect)
        self.new_norm = Normalizer(new.document.registry, new.document.dialect)

    def removed(self, op: Operation) -> Suspect:
        return Suspect(
            "MS401",
            op,
            None,
            "operation removed",
            (self.old.document.path, op.pointer),
            None,
            Probe("request", expect="operation"),
        )

    def operation(self, old: Operation, new: Operation) -> Iterator[Suspect]:
        yield from self._parameters(old, new)
        yield from self._body(old, new)
        yield from self._security(old, new)
        yield from self._responses(old, new)

    # -- requests ---------------------------------------------------------------------

    def _parameters(self, old: Operation, new: Operation) -> Iterator[Suspect]:
        before = {param_key(old, p): p for p in old.parameters if not _reserved(p)}
        for param in new.parameters:
            if _reserved(param):
                continue
            key = param_key(new, param)
            previous = before.get(key)
            if param.required and (previous is None or not previous.required):
                what = "added" if previous is None else "made required"
                yield Suspect(
                    "MS402",
                    old,
                    new,
                    f"required {param.location} parameter {param.name!r} {what}",
                    self._param_site(self.old, previous) or (self.old.document.path, old.pointer),
                    self._param_site(self.new, param),
                    Probe("request", key, "", (ABSENT,)),
                )
            if previous is not None:
                deltas = compare(
                    self.old_norm.schema(previous.schema), self.new_norm.schema(param.schema)
                )
                label = f"{param.location} parameter {param.name!r}"
                yield from self._request_deltas(old, new, deltas, key, label, None)

    def _body(self, old: Operation, new: Operation) -> Iterator[Suspect]:
        before, after = old.request_body, new.request_body
        if after is not None and after.required and (before is None or not before.required):
            yield Suspect(
                "MS403",
                old,
                new,
                "request body now required",
                (self.old.document.path, before.pointer if before else old.pointer),
                (self.new.document.path, after.pointer),
                Probe("request", ("body", ""), "", (ABSENT,)),
            )
        if before is None or after is None:
            return
        for media in before.content:
            counterpart = after.media_type(media.name)
            if counterpart is None:
                yield Suspect(
                    "MS404",
                    old,
                    new,
                    f"request media type {media.name} no longer accepted",
                    (self.old.document.path, before.pointer),
                    (self.new.document.path, after.pointer),
                    Probe("request", ("body", ""), media=media.name, expect="mediaType"),
                )
                continue
            deltas = compare(
                self.old_norm.schema(media.schema), self.new_norm.schema(counterpart.schema)
            )
            yield from self._request_deltas(
                old, new, deltas, ("body", ""), f"request body ({media.name})", media.name
            )

    def _request_deltas(
        self,
        old: Operation,
        new: Operation,
        deltas: Iterator[Delta],
        target: tuple[str, str],
        label: str,
        media: str | None,
    ) -> Iterator[Suspect]:
        for delta in deltas:
            if delta.direction is Direction.WIDENED or _travels_not(delta, "@readOnly"):
                continue
            required = delta.aspect == "required" and target[0] == "body"
            yield Suspect(
                "MS403" if required else "MS404",
                old,
                new,
                f"{label}{_at(delta)}: {delta.detail}",
                delta.old_site,
                delta.new_site,
                Probe(
                    "request",
                    target,
                    _splice_at(delta),
                    probe_values(delta),
                    media,
                    aspect=delta.aspect,
                ),
                at_old=_removed(delta),
            )

    def _security(self, old: Operation, new: Operation) -> Iterator[Suspect]:
        judge = Judge(self.new.document)
        for requirement in old.security or ((),):
            credentials = requirement_credentials(self.old.document, requirement)
            refused = judge.call_violations(new, Call(credentials=credentials))
            if any(v.keyword == "security" for v in refused):
                shown = " and ".join(n for n, _ in requirement) or "no credentials"
                yield Suspect(
                    "MS409",
                    old,
                    new,
                    f"security tightened: {shown} no longer enough",
                    (self.old.document.path, old.pointer),
                    (self.new.document.path, new.pointer),
                    Probe("request", credentials=(credentials,), expect="security"),
                )

    # -- responses --------------------------------------------------------------------

    def _responses(self, old: Operation, new: Operation) -> Iterator[Suspect]:
        after = {r.status.upper(): r for r in new.responses}
        for response in old.responses:
            counterpart = after.get(response.status.upper())
            if counterpart is None:
                if response.status.startswith("2"):
                    yield self._status_removed(old, new, response)
                continue
            yield from self._response_media(old, new, response, counterpart)

    def _response_media(
        self, old: Operation, new: Operation, response: Response, counterpart: Response
    ) -> Iterator[Suspect]:
        """Every media type of OLD's response against NEW's: a schema is JSON Schema
        whatever the media type, and a media type NEW no longer serves is a break."""
        for media_old in response.content:
            media_new = _served(counterpart.content, media_old.name)
            if media_new is None:
                if counterpart.content:
                    yield self._media_removed(old, new, response, counterpart, media_old)
                elif media_old.schema is not None:
                    yield self._not_compared(old, new, response, counterpart, media_old)
                continue
            deltas = compare(
                self.old_norm.schema(media_old.schema), self.new_norm.schema(media_new.schema)
            )
            for delta in deltas:
                yield from self._response_delta(old, new, response.status, media_new, delta)

    def _not_compared(
        self,
        old: Operation,
        new: Operation,
        response: Response,
        counterpart: Response,
        media: MediaType,
    ) -> Suspect:
        """A note, not a break: NEW describes no body where OLD had a schema."""
        return Suspect(
            NOT_COMPARED,
            old,
            new,
            f"response {response.status} ({media.name}) not compared: "
            "NEW describes no body for this status",
            (self.old.document.path, join_pointer(response.pointer, "content", media.name)),
            (self.new.document.path, counterpart.pointer),
            Probe("note"),
        )

    def _media_removed(
        self,
        old: Operation,
        new: Operation,
        response: Response,
        counterpart: Response,
        media: MediaType,
    ) -> Suspect:
        return Suspect(
            "MS413",
            old,
            new,
            f"response {response.status}: media type {media.name} no longer served",
            (self.old.document.path, join_pointer(response.pointer, "content", media.name)),
            (self.new.document.path, join_pointer(counterpart.pointer, "content")),
            Probe(
                "providers",
                ("response", ""),
                media=media.name,
                status=response.status,
                expect="mediaType",
            ),
            at_old=True,
        )

    def _status_removed(self, old: Operation, new: Operation, response: Response) -> Suspect:
        return Suspect(
            "MS408",
            old,
            new,
            f"success status {response.status} removed",
            (self.old.document.path, response.pointer),
            (self.new.document.path, join_pointer(new.pointer, "responses")),
            Probe("status", status=response.status, expect="status"),
            at_old=True,
        )

    def _response_delta(
        self, old: Operation, new: Operation, status: str, media: MediaType, delta: Delta
    ) -> Iterator[Suspect]:
        label = f"response {status}{_at(delta)}: {delta.detail}"
        probe = Probe(
            "",
            ("response", ""),
            _splice_at(delta),
            probe_values(delta),
            media.name,
            status=status,
            aspect=delta.aspect,
        )
        if _travels_not(delta, "@writeOnly"):
            return
        if delta.direction is not Direction.NARROWED:
            code = {"required": "MS412", "property": "MS405", "type": "MS406", "enum": "MS407"}
            yield Suspect(
                code.get(delta.aspect, "MS411"),
                old,
                new,
                label,
                delta.old_site,
                delta.new_site,
                _with_side(probe, "clients"),
                at_old=_removed(delta),
            )
        if delta.direction is not Direction.WIDENED:
            yield Suspect(
                "MS410",
                old,
                new,
                label,
                delta.old_site,
                delta.new_site,
                _with_side(probe, "providers"),
                at_old=_removed(delta),
            )

    def _param_site(self, side: Side, param: Parameter | None) -> Site | None:
        if param is None:
            return None
        file = param.schema.file if param.schema is not None else side.document.path
        return (file, param.pointer)


def _removed(delta: Delta) -> bool:
    """Whether ``delta`` removes a property: it is shown where OLD wrote it."""
    return delta.aspect == "property" and delta.name not in delta.new.get("properties", {})


def _with_side(probe: Probe, side: str) -> Probe:
    return replace(probe, side=side)


def _reserved(param: Parameter) -> bool:
    return param.location == "header" and param.name.lower() in RESERVED_HEADERS


def _at(delta: Delta) -> str:
    where = _splice_at(delta)
    return f" at {where}" if where else ""


def _splice_at(delta: Delta) -> str:
    return join_pointer(delta.pointer, delta.name) if delta.name else delta.pointer


def _served(content: tuple[MediaType, ...], name: str) -> MediaType | None:
    """NEW's media type that answers a client asking for ``name``: the same, else a
    range that covers it (``application/*``, ``*/*``)."""
    kind = name.split(";")[0].strip().lower()
    ranges = (kind, kind.split("/")[0] + "/*", "*/*")
    for wanted in ranges:
        found = next((m for m in content if m.name.split(";")[0].strip().lower() == wanted), None)
        if found is not None:
            return found
    return None


def _travels_not(delta: Delta, flag: str) -> bool:
    """Whether ``delta`` is a newly required property flagged ``@readOnly`` (in a
    request) or ``@writeOnly`` (in a response): it binds the other direction only."""
    if delta.aspect != "required":
        return False
    member = delta.new.get("properties", {}).get(delta.name, {})
    return bool(member.get(flag))
