"""Choose and build the answer: Prefer header, behaviour, examples, generated data.

Order, as Prism users expect: ``Prefer: code=`` picks the status, ``Prefer: example=``
the example, ``Prefer: dynamic=true`` asks for generated data, ``Prefer: seed=`` changes
it; a code or example the document does not declare is a 404 naming what it does declare
(Prism's answer; a ``default`` response answers any code). Without a preference, a
declared behaviour answers from its dataset, then the first example valid against its
schema, then a value built from the schema: the schemas' own
``example``/``examples``/``default`` where they are valid, generated data for the rest
(echoing path ids, always valid). An example that breaks its schema is never served: the
answer built instead carries a ``Warning`` naming it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from mockserver.data.generate import (
    NOTHING_DRAWN,
    GenerationError,
    Hints,
    ValueGenerator,
    stable_seed,
)
from mockserver.serve.answer import Answer
from mockserver.serve.behaviour import BehaviourEngine, BehaviourResult
from mockserver.serve.encoding import dumps
from mockserver.serve.headers import DeclaredHeaders
from mockserver.serve.plan import OperationPlan
from mockserver.serve.problems import Problem, invalid
from mockserver.serve.request import MockRequest
from mockserver.serve.statuses import Choice
from mockserver.serve.xml import is_xml, to_xml
from mockserver.spec.dialects import SchemaValidator
from mockserver.spec.media import acceptable, concrete, media_matches
from mockserver.spec.model import Example, MediaType, Response

_PREFER = re.compile(r"\s*([a-zA-Z-]+)\s*=\s*\"?([^\",;]*)\"?\s*")


@dataclass(frozen=True)
class Prefer:
    """The parts of a ``Prefer`` header mockserver honours."""

    code: int | None = None
    example: str | None = None
    dynamic: bool = False
    seed: int | None = None

    @classmethod
    def parse(cls, header: str) -> Prefer:
        """The preferences; raises a bad request saying what is wrong with them."""
        if not header:
            return NO_PREFERENCE
        found: dict[str, str] = {}
        for part in re.split(r"[,;]", header):
            if not part.strip():
                continue
            match = _PREFER.fullmatch(part)
            if match:
                found[match.group(1).lower()] = match.group(2)
        try:
            code = int(found["code"]) if "code" in found else None
            seed = int(found["seed"]) if "seed" in found else None
        except ValueError:
            raise invalid(
                "header",
                "Prefer",
                "code and seed take integers, such as 'Prefer: code=404'",
                "malformed",
            ) from None
        dynamic = found.get("dynamic", "false").lower() == "true"
        return cls(code, found.get("example"), dynamic, seed)


NO_PREFERENCE = Prefer()


class Responder:
    """Builds responses for the operations of one mounted API."""

    def __init__(
        self,
        generator: ValueGenerator,
        engine: BehaviourEngine | None,
        headers: DeclaredHeaders,
        seed: int = 0,
        errors: bool = False,
    ) -> None:
        self.generator = generator
        self.engine = engine
        self.headers = headers
        self.seed = seed
        self.errors = errors  # --errors: an example that breaks its schema is a 500
        self._examples: dict[int, tuple[Example, ...]] = {}
        self._answers: dict[tuple[Any, ...], Answer] = {}

    def answer(self, plan: OperationPlan, request: MockRequest) -> Answer:
        """The answer to a request that passed every check; raises the problems it meets."""
        return self.headers.add(plan, _typed(plan, _sendable(self._answer(plan, request))))

    def _answer(self, plan: OperationPlan, request: MockRequest) -> Answer:
        prefer = Prefer.parse(request.headers.get("prefer", ""))
        if prefer.code is not None:
            return self._preferred_status(plan, request, prefer)
        if (
            plan.behaviour is not None
            and self.engine is not None
            and not (prefer.dynamic or prefer.example)
        ):
            try:
                return self._behaviour(plan, request)
            except Problem as problem:  # an unknown id may be generated rather than refused
                if not (problem.status == 404 and plan.behaviour.missing == "generate"):
                    raise
        response, choice = _success(plan)
        warning = (("Warning", choice.warning),) if choice.warning else ()
        if response is None:
            return Answer(204, None, b"", warning)
        answer = self._from_response(plan, request, response, prefer, status=choice.status)
        return answer.with_headers(*warning)

    def check_preferences(self, plan: OperationPlan, headers: Mapping[str, str]) -> None:
        """Raise the 404 of a ``Prefer`` code or example that the operation does not
        declare, before the request is validated (as Prism): the preference cannot be met
        whatever the request, so the client learns that first. An example is looked for in
        every media type of the response here; the answer then looks in the one
        negotiated."""
        prefer = Prefer.parse(headers.get("prefer", ""))
        if prefer.code is None and not prefer.example:
            return
        response = (
            _preferred_response(plan, prefer.code) if prefer.code is not None else _success(plan)[0]
        )
        if (
            response is not None
            and prefer.example
            and not any(
                e.name == prefer.example for m in response.content for e in self._valid_examples(m)
            )
        ):
            names = ", ".join(e.name for m in response.content for e in m.examples) or "none"
            raise Problem(
                404,
                f"Prefer: example={prefer.example} cannot be satisfied: the "
                f"{response.status} response's examples are: {names}",
            )

    def _preferred_status(
        self, plan: OperationPlan, request: MockRequest, prefer: Prefer
    ) -> Answer:
        code = prefer.code or 0
        response = _preferred_response(plan, code)
        if code >= 400 and not prefer.example and not _has_examples(response):
            raise Problem(code, f"Prefer: code={code} was requested")
        if (
            code < 300
            and plan.behaviour is not None
            and self.engine is not None
            and not prefer.dynamic
            and not prefer.example
            and response is _success(plan)[0]
        ):
            return self._behaviour(plan, request)
        return self._from_response(plan, request, response, prefer, status=code)

    def _behaviour(self, plan: OperationPlan, request: MockRequest) -> Answer:
        """The behaviour's answer. A session's datasets change only with its version, so
        reads are remembered per (session, version): the same checked request to the same
        operation gets the same bytes without recomputing, and never bytes from before a
        write."""
        assert self.engine is not None
        view = self.engine.view(request)
        behaviour = plan.behaviour
        cacheable = behaviour is not None and behaviour.kind in PURE_BEHAVIOURS
        key = (*_read_key(plan, request), view.session, view.version) if cacheable else None
        if key is not None and key in self._answers:
            return self._answers[key]
        answer = self._reply(plan, request, self.engine.run(plan, request, view))
        if key is not None:
            if len(self._answers) >= ANSWER_CACHE_SIZE:
                del self._answers[next(iter(self._answers))]  # the oldest goes first
            self._answers[key] = answer
        return answer

    def _reply(self, plan: OperationPlan, request: MockRequest, reply: BehaviourResult) -> Answer:
        if reply.empty:  # a write answered without a body: its status is already chosen
            return Answer(reply.status, None, b"", reply.headers)
        status = plan.choose(reply.status).status
        if reply.media_type is not None:
            text = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
            return Answer(status, reply.media_type, text.encode(), source="dataset")
        response = plan.op.response_for(status)
        media = _negotiate(response, request) if response else None
        name = media.name if media else "application/json"
        return Answer(status, name, dumps(reply.body), reply.headers, source="dataset")

    def _from_response(
        self,
        plan: OperationPlan,
        request: MockRequest,
        response: Response,
        prefer: Prefer,
        status: int | None = None,
    ) -> Answer:
        status = status or _numeric(response.status)
        if not response.content:
            if prefer.example:
                raise Problem(
                    404,
                    f"Prefer: example={prefer.example} cannot be satisfied: the "
                    f"{response.status} response has no body",
                )
            return Answer(status, None, b"")
        media = _negotiate(response, request) or response.content[0]
        if prefer.example:
            example = next(
                (e for e in self._valid_examples(media) if e.name == prefer.example), None
            )
            if example is None:  # as Prism: the content asked for is not there, 404
                names = ", ".join(e.name for e in self._valid_examples(media)) or "none"
                raise Problem(
                    404,
                    f"Prefer: example={prefer.example} cannot be satisfied: "
                    f"{media.name} examples are: {names}",
                )
            return self._body(status, media, example.value, plan, response, request)
        examples = self._valid_examples(media)
        if examples and not prefer.dynamic:
            return self._body(status, media, examples[0].value, plan, response, request)
        if self.errors and media.examples and not prefer.dynamic:
            raise Problem(500, self._broken_detail(media, status))
        answer = self._generated(plan, request, response, media, status, prefer)
        if media.examples and not examples and not prefer.dynamic:
            return answer.with_headers(("Warning", _broken_examples(media)))
        return answer

    def _valid_examples(self, media: MediaType) -> tuple[Example, ...]:
        """The examples valid against their schema: an invalid one is never served
        (``mockserver validate`` reports it as MS104)."""
        key = id(media)
        if key not in self._examples:
            if media.schema is None:
                self._examples[key] = media.examples
            else:
                validator = SchemaValidator(media.schema, self.generator.registry)
                self._examples[key] = tuple(
                    e for e in media.examples if validator.is_valid(e.value)
                )
        return self._examples[key]

    def _broken_detail(self, media: MediaType, status: int) -> str:
        """Why ``--errors`` answers 500: the first example and where it breaks its schema."""
        example = media.examples[0]
        assert media.schema is not None  # examples without a schema are all valid
        validator = SchemaValidator(media.schema, self.generator.registry)
        where = "; ".join(
            f"{v.pointer or '/'}: {v.message}" for v in validator.iter_violations(example.value)
        )
        return (
            f"the {status} response's {media.name} example {example.name!r} breaks its schema "
            f"({where}); --errors answers this with a 500 rather than a valid value"
        )

    def _generated(
        self,
        plan: OperationPlan,
        request: MockRequest,
        response: Response,
        media: MediaType,
        status: int,
        prefer: Prefer,
    ) -> Answer:
        if media.schema is None:
            return Answer(status, media.name, b"")
        path_ids = sorted(request.raw.path_params.items())
        seed = stable_seed(self.seed, prefer.seed, plan.op.key, status, media.name, path_ids)
        try:
            value = self.generator.generate(
                media.schema, seed, _echo_hints(plan, request), examples=not prefer.dynamic
            )
        except GenerationError as exc:
            return self._closest(exc, plan, request, response, media, status)
        return self._body(status, media, value, plan, response, request, "generated")

    def _closest(
        self,
        exc: GenerationError,
        plan: OperationPlan,
        request: MockRequest,
        response: Response,
        media: MediaType,
        status: int,
    ) -> Answer:
        """No valid body could be generated (a schema no value satisfies, or one beyond the
        generator): the closest value drawn is served as the declared success, with a
        ``Warning`` naming the schema. A 5xx would blame the API for the mock's limit, and
        break a client that did nothing wrong. Only a schema no value can even be drawn
        for (``false``, bounds that contradict, which ``validate`` reports) is a 500."""
        problem = Problem(500, f"mockserver could not generate a valid {media.name} body: {exc}")
        if exc.closest is NOTHING_DRAWN:
            raise problem
        answer = self._body(status, media, exc.closest, plan, response, request, "generated")
        detail = problem.detail.replace('"', "'")
        warning = f'199 mockserver "{detail}; this body is the closest drawn"'
        return replace(answer, headers=(*answer.headers, ("Warning", warning)))

    def _body(
        self,
        status: int,
        media: MediaType,
        value: Any,
        plan: OperationPlan,
        response: Response,
        request: MockRequest,
        source: str = "example",
    ) -> Answer:
        if "json" in media.name:
            body = dumps(value)
        elif is_xml(media.name) and not isinstance(value, str):
            body = to_xml(value, media.schema, self.generator.registry)
        elif isinstance(value, dict | list) and media.name.startswith("text/"):
            return self._structured_as_text(status, media, value, response, source)
        else:
            body = (value if isinstance(value, str) else json.dumps(value)).encode()
        return Answer(status, media.name, body, (), source)

    def _structured_as_text(
        self, status: int, media: MediaType, value: Any, response: Response, source: str
    ) -> Answer:
        """An object or array under a text media type: it has no text form (as JSON text,
        the body would be a string, which breaks its schema). The same schema under a
        JSON media type of the response answers instead (a 2.0 ``produces`` list), else
        it is the mock's own failure, 500 naming the document's contradiction (as Prism)."""
        written = media.schema.value if media.schema is not None else None
        json_media = next(
            (
                m
                for m in response.content
                if "json" in m.name and m.schema is not None and m.schema.value == written
            ),
            None,
        )
        if json_media is None:
            raise Problem(
                500,
                f"the {status} response declares {media.name} with an object or array "
                "schema, which has no text form; declare a JSON media type or a string schema",
            )
        return Answer(status, json_media.name, dumps(value), (), source)


#: Behaviours that only read a session's datasets; exports create jobs and writes write.
PURE_BEHAVIOURS = frozenset({"list", "search", "get", "count"})
ANSWER_CACHE_SIZE = 4096


def _read_key(plan: OperationPlan, request: MockRequest) -> tuple[Any, ...]:
    """Everything a read's answer depends on: the operation, the path and query as sent,
    the body, content negotiation, and header and cookie parameters."""
    raw = request.raw
    extra = tuple(
        sorted((k, repr(v)) for k, v in request.values.items() if k[0] in ("header", "cookie"))
    )
    return (
        plan.key,
        raw.path,
        raw.query_string,
        raw.body,
        request.headers.get("accept", ""),
        extra,
    )


def _sendable(answer: Answer) -> Answer:
    """What HTTP allows on the wire: no body on a 204 or 304, and a concrete media type
    where the document declares a range (``*/*``, ``application/*``)."""
    if answer.status in (204, 304) and (answer.body or answer.media_type):
        return Answer(answer.status, None, b"", answer.headers)
    if answer.media_type and "*" in answer.media_type:
        try:
            json.loads(answer.body)
        except ValueError:
            concrete = "application/octet-stream"
        else:
            concrete = "application/json"
        return Answer(answer.status, concrete, answer.body, answer.headers)
    return answer


def _typed(plan: OperationPlan, answer: Answer) -> Answer:
    """A bodiless answer for a response that declares media types without a schema (Swagger
    2.0's ``produces`` names them for every response of the operation) carries the first of
    them, as every such answer does; a response declaring no content has none."""
    if answer.media_type is not None or answer.body:
        return answer
    response = plan.op.response_for(answer.status)
    if response is None or not response.content or response.content[0].schema is not None:
        return answer
    return replace(answer, media_type=concrete(response.content[0].name))


def _preferred_response(plan: OperationPlan, code: int) -> Response:
    """The response answering ``Prefer: code=``: exact, its range, else ``default``; raises
    the 404 naming what the operation declares (as Prism) when there is none."""
    response = (
        next((r for r in plan.op.responses if r.status == str(code)), None)
        or next((r for r in plan.op.responses if r.status.upper() == f"{str(code)[0]}XX"), None)
        or next((r for r in plan.op.responses if r.status == "default"), None)
    )
    if response is None:  # as Prism: the content asked for is not there, 404
        declared = ", ".join(r.status for r in plan.op.responses)
        raise Problem(
            404, f"Prefer: code={code} cannot be satisfied: {plan.op.key} declares {declared}"
        )
    return response


def _success(plan: OperationPlan) -> tuple[Response | None, Choice]:
    """The response that answers a request that succeeds, and how it was chosen."""
    choice = plan.choose(200)
    return (plan.op.response_for(choice.status) if choice.declared else None), choice


def _broken_examples(media: MediaType) -> str:
    """The ``Warning`` of an answer served instead of examples that break their schema."""
    names = ", ".join(repr(e.name) for e in media.examples)
    return (
        f'199 mockserver "the {media.name} example(s) {names} do not match their schema '
        '(mockserver validate reports them); this body was built from the schema instead"'
    )


def _has_examples(response: Response) -> bool:
    return any(m.examples for m in response.content)


def _numeric(status: str) -> int:
    if status.isdigit():
        return int(status)
    if status.upper().endswith("XX"):
        return int(status[0]) * 100
    return 200


def _negotiate(response: Response | None, request: MockRequest) -> MediaType | None:
    if response is None or not response.content:
        return None
    names = tuple(m.name for m in response.content)
    chosen = acceptable(request.headers.get("accept", ""), names)
    return next(
        (m for m in response.content if chosen and media_matches(m.name, chosen)),
        response.content[0],
    )


def _echo_hints(plan: OperationPlan, request: MockRequest) -> Hints:
    """Path values echoed into the body's top-level fields of the same name; the last one
    (the resource's own id) also as ``id``, ``_id`` or ``key``."""
    values: Mapping[tuple[str, str], Any] = request.values
    fields = {name: value for (location, name), value in values.items() if location == "path"}
    last = plan.op.path.rsplit("{", 1)[-1].rstrip("}/") if "{" in plan.op.path else None
    if last in fields:
        for alias in ("id", "_id", "key"):
            fields.setdefault(alias, fields[last])
    return Hints(fields)
