"""Load the documents to serve, with their fixtures, into mounted APIs.

What every request needs is built here once, at start-up: the path index, the token book,
the datasets and the responder; each operation's compiled validators wait for its first
request (:mod:`mockserver.serve.plan`). With a cache in the options, an unchanged document
(and fixture folder) is taken from it instead of being parsed again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from mockserver.data.binding import bind_declaration
from mockserver.data.dataset import Record, load_records
from mockserver.data.declaration import DECLARATION_NAME, Declaration, from_source
from mockserver.data.generate import ValueGenerator
from mockserver.data.inference import infer_declaration
from mockserver.serve.api import MountedApi, PathEntry
from mockserver.serve.behaviour import BehaviourEngine
from mockserver.serve.control import check_prefix
from mockserver.serve.error_shapes import ErrorShaper
from mockserver.serve.headers import DeclaredHeaders
from mockserver.serve.options import ServeOptions
from mockserver.serve.plan import OperationPlan, plan_operation
from mockserver.serve.responder import Responder
from mockserver.serve.security import Guard, TokenBook
from mockserver.spec.cache import folder_digest
from mockserver.spec.loader import load_document
from mockserver.spec.model import ApiDocument
from mockserver.spec.paths import sent_path, template_rank, template_shape
from mockserver.spec.source import load_source

__all__ = ["MountedApi", "ServeOptions", "load_api", "load_apis"]  # the CLI's and contract's


def load_apis(paths: Iterable[Path], options: ServeOptions) -> list[MountedApi]:
    """Every document in ``paths`` as a mounted API; raises on the first broken one."""
    files = list(paths)
    apis = [load_api(path, options) for path in files]
    if len(apis) == 1:  # a single document is also served at its own base path
        api = apis[0]
        api.mounts = (*api.mounts, api.document.base_path)
    for api in apis:
        check_prefix(api.name, api.document.path, api.mounts, (p.op.path for p in api.plans))
    return apis


def load_api(path: Path, options: ServeOptions) -> MountedApi:
    """One document with its fixtures (``fixtures/<name>/``) if there are any."""
    folder = options.fixtures_dir / path.stem if options.fixtures_dir is not None else None
    salt = folder_digest(folder) if options.cache is not None and folder is not None else ""
    document = load_document(path, cache=options.cache, salt=salt)
    declaration, records = _fixtures(document, options)
    if declaration is None:
        declaration, records = infer_declaration(document, options.seed)
    generator = ValueGenerator(document.registry)
    shaper = ErrorShaper(document, generator, declaration.error_codes if declaration else None)
    engine = (
        BehaviourEngine(declaration, document, records, options.state, options.seed)
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
    headers = DeclaredHeaders(generator, options.seed)
    tokens = TokenBook(any_token=options.any_token)
    if declaration is not None:
        tokens = tokens.with_tokens((t.token, t.scopes) for t in declaration.tokens)
    return MountedApi(
        name=document.name,
        document=document,
        mounts=(f"/{document.name}" + document.base_path,),
        plans=plans,
        paths=_path_index(plans),
        responder=Responder(generator, engine, headers, options.seed, options.errors),
        shaper=shaper,
        guard=Guard(document.security_schemes, tokens),
        headers=headers,
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
    by_shape: dict[str, dict[str, list[OperationPlan]]] = {}
    for plan in plans:
        template = sent_path(plan.op.path)  # a fragment is never sent; a query is not a path
        by_shape.setdefault(template_shape(template), {}).setdefault(plan.op.method, []).append(
            plan
        )
    entries = [
        PathEntry(shape, {m: tuple(p) for m, p in methods.items()})
        for shape, methods in by_shape.items()
    ]
    entries.sort(key=lambda e: template_rank(e.shape))
    return entries
