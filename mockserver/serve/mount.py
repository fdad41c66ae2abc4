"""Load the documents to serve, with their fixtures, into mounted APIs.

Everything a request needs is built here once, at start-up: operation plans with compiled
validators, the path index, the token book, the datasets and the responder.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mockserver.data.binding import bind_declaration
from mockserver.data.dataset import Record, load_records
from mockserver.data.declaration import DECLARATION_NAME, Declaration, from_source
from mockserver.data.generate import ValueGenerator
from mockserver.data.inference import infer_declaration
from mockserver.serve.answer import Answer
from mockserver.serve.behaviour import BehaviourEngine
from mockserver.serve.error_shapes import ErrorShaper
from mockserver.serve.jobs import JobStore, MemoryJobStore
from mockserver.serve.journal import JournalStore, MemoryJournal
from mockserver.serve.latency import NO_PACING, Pacing
from mockserver.serve.plan import OperationPlan, plan_operation
from mockserver.serve.problems import Problem
from mockserver.serve.responder import Responder
from mockserver.serve.security import Guard, TokenBook
from mockserver.spec.loader import load_document
from mockserver.spec.model import ApiDocument
from mockserver.spec.paths import template_pattern, template_variables
from mockserver.spec.source import load_source


@dataclass(frozen=True)
class ServeOptions:
    """How the mock behaves, as the ``serve`` command's options set it."""

    seed: int = 0
    any_token: bool = False
    cors_origins: tuple[str, ...] = ()
    fixtures_dir: Path | None = Path("fixtures")
    jobs: JobStore = field(default_factory=MemoryJobStore, compare=False)
    #: checks a fixture folder against the documents in a folder, raising on the first
    #: problem; the command line passes ``validate``'s, so a bad record stops start-up
    check_fixtures: Callable[[Path, Path], None] | None = field(default=None, compare=False)
    #: latency, error and fault rates from the command line (mock.yaml's win over them)
    pacing: Pacing = NO_PACING
    #: the request journal's store (size 0: no journal)
    journal: JournalStore = field(default_factory=MemoryJournal, compare=False)


@dataclass(frozen=True)
class PathEntry:
    """One path template of an API and the plans of its methods."""

    template: str
    pattern: re.Pattern[str]
    variables: tuple[str, ...]
    methods: dict[str, OperationPlan]


@dataclass
class MountedApi:
    """One document, ready to serve under one or more path prefixes."""

    name: str
    document: ApiDocument
    mounts: tuple[str, ...]
    plans: list[OperationPlan]
    paths: list[PathEntry]
    responder: Responder
    shaper: ErrorShaper
    guard: Guard
    declaration: Declaration | None = None

    def __post_init__(self) -> None:
        self._literal = {entry.template: entry for entry in self.paths if not entry.variables}
        self._templated = [entry for entry in self.paths if entry.variables]

    def match(self, path: str) -> tuple[PathEntry, dict[str, str]] | None:
        """The path entry for a path below a mount, with its variables."""
        literal = self._literal.get(path)
        if literal is not None:  # literal paths win over templated ones, as OpenAPI requires
            return literal, {}
        for entry in self._templated:
            found = entry.pattern.fullmatch(path)
            if found:
                return entry, dict(zip(entry.variables, found.groups(), strict=True))
        return None

    def claims(self, path: str) -> bool:
        """Whether one of the API's paths matches ``path`` (below a mount)."""
        return self.match(path) is not None

    def route(self, path: str, method: str) -> tuple[OperationPlan, dict[str, str]]:
        """The operation for ``method`` (lower case) at ``path`` below a mount, with its path
        variables; raises the 404 or 405 problem when there is none."""
        matched = self.match(path)
        if matched is None:
            raise Problem(404, f"no operation at {path}")
        entry, variables = matched
        plan = entry.methods.get(method)
        if plan is None:
            allowed = ", ".join(m.upper() for m in entry.methods)
            raise Problem(
                405,
                f"{method.upper()} is not allowed on {entry.template}; allowed: {allowed}",
                headers=(("Allow", allowed),),
            )
        return plan, variables

    def render(self, plan: OperationPlan | None, problem: Problem) -> Answer:
        """``problem`` in the shape and with a status the operation declares (see
        :mod:`mockserver.serve.statuses`); for 404 and 405, which have no operation, any
        operation's response for that status; else RFC 7807."""
        natural = problem.status_for(plan.bad_request if plan else 400)
        if plan is None:
            plan = next((p for p in self.plans if p.declares(natural)), None)
        if plan is None:
            return self.shaper.render(None, problem, natural)
        choice = plan.choose(natural)
        answer = self.shaper.render(plan.op, problem, choice.status)
        return answer.with_headers(("Warning", choice.warning)) if choice.warning else answer

    def mount_of(self, path: str) -> str | None:
        """The longest mount prefix ``path`` falls under."""
        hits = [m for m in self.mounts if path == m or path.startswith(m + "/") or m == ""]
        return max(hits, key=len) if hits else None


def load_apis(paths: Iterable[Path], options: ServeOptions) -> list[MountedApi]:
    """Every document in ``paths`` as a mounted API; raises on the first broken one."""
    files = list(paths)
    apis = [load_api(path, options) for path in files]
    if len(apis) == 1:  # a single document is also served at its own base path
        api = apis[0]
        api.mounts = (*api.mounts, api.document.base_path)
    return apis


def load_api(path: Path, options: ServeOptions) -> MountedApi:
    """One document with its fixtures (``fixtures/<name>/``) if there are any."""
    document = load_document(path)
    declaration, records = _fixtures(document, options)
    if declaration is None:
        declaration, records = infer_declaration(document, options.seed)
    generator = ValueGenerator(document.registry)
    shaper = ErrorShaper(document, generator, declaration.error_codes if declaration else None)
    engine = (
        BehaviourEngine(declaration, document, records, options.jobs)
        if declaration is not None
        else None
    )
    plans = [
        plan_operation(
            f"{document.name}:{index}",
            document.name,
            op,
            document,
            declaration.operations.get(op.operation_id) if declaration else None,
        )
        for index, op in enumerate(document.operations)
    ]
    tokens = TokenBook(any_token=options.any_token)
    if declaration is not None:
        tokens = tokens.with_tokens((t.token, t.scopes) for t in declaration.tokens)
    return MountedApi(
        name=document.name,
        document=document,
        mounts=(f"/{document.name}" + document.base_path,),
        plans=plans,
        paths=_path_index(plans),
        responder=Responder(generator, engine, options.seed),
        shaper=shaper,
        guard=Guard(document.security_schemes, tokens),
        declaration=declaration,
    )


def _fixtures(
    document: ApiDocument, options: ServeOptions
) -> tuple[Declaration | None, Mapping[str, list[Record]]]:
    if options.fixtures_dir is None:
        return None, {}
    folder = options.fixtures_dir / document.name
    if not (folder / DECLARATION_NAME).is_file():
        return None, {}
    if options.check_fixtures is not None:
        options.check_fixtures(folder, document.path.parent)
    declaration = from_source(load_source(folder / DECLARATION_NAME))
    bind_declaration(declaration, document)
    records = {name: load_records(ds)[1] for name, ds in declaration.datasets.items()}
    return declaration, records


def _path_index(plans: list[OperationPlan]) -> list[PathEntry]:
    by_path: dict[str, dict[str, OperationPlan]] = {}
    for plan in plans:
        by_path.setdefault(plan.op.path, {})[plan.op.method] = plan
    entries = []
    for template, methods in by_path.items():
        entries.append(
            PathEntry(template, template_pattern(template), template_variables(template), methods)
        )
    # literal segments win over templated ones, as OpenAPI requires
    entries.sort(key=lambda e: [(seg.startswith("{"), seg) for seg in e.template.split("/")])
    return entries
