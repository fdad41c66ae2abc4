"""The pages the server serves itself: the dashboard (and its script and style under
``/__mock/``), each document, and Swagger UI."""

from __future__ import annotations

import html
import json
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from typing import Any

from starlette.types import Receive, Scope, Send

from mockserver.serve.answer import Answer
from mockserver.serve.api import MountedApi
from mockserver.serve.control import PREFIX, control_html
from mockserver.serve.security import DEVELOPMENT_TOKEN
from mockserver.serve.swagger_ui import UiAssets, ui_page
from mockserver.spec.model import Dialect

Page = Callable[[Scope, Receive, Send], Awaitable[None]]
ASSETS = Path(__file__).resolve().parent / "dashboard"


class Pages:
    """Finds the page a request asks for; built once, so finding one is a few lookups.

    The pages that grow with the documents (the dashboard's table of every operation, each
    document as JSON) are made on their first request, not at start-up: for a 20 MB
    document, a copy and two serialisations nobody may ask for."""

    def __init__(self, apis: list[MountedApi]) -> None:
        self.assets = UiAssets()
        self.fixed: dict[str, Answer] = {}
        self.lazy: dict[str, Callable[[], Answer]] = {}
        if not any(api.claims("/") for api in apis if "" in api.mounts):
            self.lazy["/"] = lambda: _html(index_html(apis))
        for api in apis:
            for mount in api.mounts:
                document = _Once(partial(_document_answer, api, mount))
                self.lazy.setdefault(f"/{api.name}/openapi.json", document)
                self.lazy[f"{mount}/openapi.json"] = document
                self.fixed[f"{mount}/ui"] = Answer(307, None, b"", (("Location", f"{mount}/ui/"),))
                page = _html(ui_page(f"{mount}/openapi.json", api.document.title))
                self.fixed[f"{mount}/ui/"] = self.fixed[f"{mount}/ui/index.html"] = page
        self.ui_prefixes = tuple(sorted({f"{m}/ui/" for a in apis for m in a.mounts}, key=len))
        for asset, media in (("dashboard.js", "text/javascript"), ("dashboard.css", "text/css")):
            body = (ASSETS / asset).read_bytes()
            self.fixed[f"{PREFIX}/{asset}"] = Answer(200, f"{media}; charset=utf-8", body)

    def find(self, path: str, method: str) -> Page | None:
        """The page at ``path``, or None when the request is for an API."""
        if method not in ("GET", "HEAD"):
            return None
        fixed = self.fixed.get(path)
        if fixed is None and path in self.lazy:  # made now, once, and kept
            fixed = self.fixed[path] = self.lazy.pop(path)()
        if fixed is not None:
            return partial(_send_fixed, fixed)
        if "/ui/" in path:
            for prefix in reversed(self.ui_prefixes):  # the longest mount first
                if path.startswith(prefix):
                    return partial(self.assets, name=path[len(prefix) :])
        return None


class _Once:
    """An answer made on first use and the same one after (a document under two paths)."""

    def __init__(self, make: Callable[[], Answer]) -> None:
        self.make = make
        self.answer: Answer | None = None

    def __call__(self) -> Answer:
        if self.answer is None:
            self.answer = self.make()
        return self.answer


def _document_answer(api: MountedApi, mount: str) -> Answer:
    return Answer(200, "application/json", document_json(api, mount))


async def _send_fixed(answer: Answer, scope: Scope, receive: Receive, send: Send) -> None:
    await answer.send_to(send)


def _html(text: str) -> Answer:
    return Answer(200, "text/html; charset=utf-8", text.encode())


def document_json(api: MountedApi, mount: str) -> bytes:
    """The original document, pointed at the mock: ``servers`` (or basePath) is the mount.
    Only what changes is copied: the top level, and the path items that name servers."""
    document: dict[str, Any] = dict(api.document.raw)
    if api.document.dialect is Dialect.SWAGGER_2:
        document.pop("host", None)
        document.pop("schemes", None)
        document["basePath"] = mount or "/"
    else:
        document["servers"] = [{"url": mount or "/", "description": "mockserver"}]
        if isinstance(document.get("paths"), dict):
            document["paths"] = _without_nested_servers(document["paths"])
    return json.dumps(document, ensure_ascii=False, default=str).encode()


def _without_nested_servers(paths: dict[str, Any]) -> dict[str, Any]:
    """Path-level and operation-level ``servers`` go too: the mock serves every operation
    under the mount, whatever server the document names for it."""
    return {key: _item_without_servers(item) for key, item in paths.items()}


def _item_without_servers(item: Any) -> Any:
    if not isinstance(item, dict):
        return item
    operations = {
        key: {k: v for k, v in value.items() if k != "servers"}
        for key, value in item.items()
        if isinstance(value, dict) and "servers" in value
    }
    if "servers" not in item and not operations:
        return item  # nothing to drop: the original itself
    return {k: operations.get(k, v) for k, v in item.items() if k != "servers"}


def index_html(apis: list[MountedApi]) -> str:
    """The developer's dashboard: every API with its operations, Swagger UI and document,
    and the live request journal (``dashboard/dashboard.js``, no build step, no framework)."""
    token = html.escape(DEVELOPMENT_TOKEN)
    options = "".join(
        f"<option value='{html.escape(a.name)}'>{html.escape(a.name)}</option>" for a in apis
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>mockserver</title><link rel='icon' href='data:,'>"
        "<link rel='stylesheet' href='/__mock/dashboard.css'>"
        "<script src='/__mock/dashboard.js' defer></script></head><body>"
        "<header><h1>mockserver</h1><p>Development token: "
        f"<code>Authorization: Bearer {token}</code> (or <code>Authorization: {token}</code> "
        "for raw API-key headers). Endpoints: <a href='/__mock/journal'>/__mock/journal</a>, "
        "<code>/__mock/journal/stream</code>, <code>POST /__mock/reset</code>, "
        "<a href='/__mock/state'>/__mock/state</a>.</p>"
        "<p id='store-health' class='store' aria-live='polite'>State store: checking…</p>"
        "</header>"
        "<main><section id='journal' aria-labelledby='journal-title'>"
        "<div class='bar'><h2 id='journal-title'>Requests</h2>"
        "<button type='button' id='reset'>Reset</button></div>"
        "<form id='filters' class='filters' role='search'>"
        "<label>API <select name='api'><option value=''>all</option>"
        f"{options}</select></label>"
        "<label>Status <input name='status' size='5' placeholder='4xx'></label>"
        "<label>Path contains <input name='path' size='16'></label>"
        "<label><input type='checkbox' name='refused'> refused only</label>"
        "<label><input type='checkbox' name='drift'> drift only</label></form>"
        "<p id='journal-status' class='muted' aria-live='polite'>Connecting…</p>"
        "<ol id='entries' class='entries' reversed></ol></section>"
        "<section id='apis' aria-labelledby='apis-title'><h2 id='apis-title'>APIs</h2>"
        + "".join(_api_section(api) for api in apis)
        + "</section><section id='sessions' aria-labelledby='sessions-title'>"
        + control_html().replace("<h2>", "<h2 id='sessions-title'>", 1)
        + "<ul id='session-list' class='sessions'></ul></section></main></body></html>"
    )


def _api_section(api: MountedApi) -> str:
    mount = api.mounts[0]
    rows = "".join(
        f"<tr><td><code class='method'>{plan.op.method.upper()}</code></td>"
        f"<td><code>{html.escape(mount + plan.op.path)}</code></td>"
        f"<td>{html.escape(plan.op.summary or plan.op.operation_id)}</td>"
        f"<td>{html.escape(plan.behaviour.kind if plan.behaviour else 'examples')}</td>"
        "</tr>"
        for plan in api.plans
    )
    return (
        f"<article class='api' id='api-{html.escape(api.name)}'>"
        f"<h3>{html.escape(api.document.title)} <small>{html.escape(api.name)}, "
        f"OpenAPI {html.escape(api.document.version)}</small></h3>"
        f"<p><a href='{html.escape(mount)}/ui/'>Swagger UI</a> · "
        f"<a href='/{html.escape(api.name)}/openapi.json'>openapi.json</a> · served at "
        f"<code>{html.escape(mount or '/')}</code></p><div class='scroll'><table>"
        "<thead><tr><th scope='col'>method</th><th scope='col'>path</th>"
        "<th scope='col'>summary</th><th scope='col'>answers from</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></div></article>"
    )
