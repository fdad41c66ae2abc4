"""The index page and the served documents."""

from __future__ import annotations

import copy
import html
import json
from typing import TYPE_CHECKING, Any

from mockserver.serve.security import DEVELOPMENT_TOKEN
from mockserver.spec.model import Dialect

if TYPE_CHECKING:
    from mockserver.serve.mount import MountedApi


def document_json(api: MountedApi, mount: str) -> bytes:
    """The original document, pointed at the mock: ``servers`` (or basePath) is the mount."""
    document: dict[str, Any] = copy.deepcopy(dict(api.document.raw))
    if api.document.dialect is Dialect.SWAGGER_2:
        document.pop("host", None)
        document.pop("schemes", None)
        document["basePath"] = mount or "/"
    else:
        document["servers"] = [{"url": mount or "/", "description": "mockserver"}]
    return json.dumps(document, ensure_ascii=False, default=str).encode()


def index_html(apis: list[MountedApi]) -> str:
    """Every API with its operations, a link to its Swagger UI and to its document."""
    sections = []
    for api in apis:
        mount = api.mounts[0]
        rows = "".join(
            f"<tr><td><code>{plan.op.method.upper()}</code></td>"
            f"<td><code>{html.escape(mount + plan.op.path)}</code></td>"
            f"<td>{html.escape(plan.op.summary or plan.op.operation_id)}</td>"
            f"<td>{html.escape(plan.behaviour.behaviour if plan.behaviour else 'examples')}</td>"
            "</tr>"
            for plan in api.plans
        )
        sections.append(
            f"<section><h2>{html.escape(api.document.title)} <small>{html.escape(api.name)}, "
            f"OpenAPI {html.escape(api.document.version)}</small></h2>"
            f"<p><a href='{html.escape(mount)}/ui/'>Swagger UI</a> · "
            f"<a href='/{html.escape(api.name)}/openapi.json'>openapi.json</a> · served at "
            f"<code>{html.escape(mount or '/')}</code></p>"
            f"<table><tr><th>method</th><th>path</th><th>summary</th><th>answers from</th></tr>"
            f"{rows}</table></section>"
        )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>mockserver</title>"
        "<style>body{font:15px system-ui;margin:2em auto;max-width:64em}td,th{padding:2px 8px;"
        "text-align:left}code{font-size:13px}</style></head><body><h1>mockserver</h1>"
        f"<p>Development token: <code>Authorization: Bearer {DEVELOPMENT_TOKEN}</code> "
        f"(or <code>Authorization: {DEVELOPMENT_TOKEN}</code> for raw API-key headers).</p>"
        + "".join(sections)
        + "</body></html>"
    )
