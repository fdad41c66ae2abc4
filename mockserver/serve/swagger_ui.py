"""Swagger UI 5 for each mounted API, pointed at the original document.

Connexion 3.3 bundles Swagger UI 4, which cannot render OpenAPI 3.1; the assets here come
from swagger-ui-py (Swagger UI 5), and the page loads the API's own ``openapi.json``.
"""

from __future__ import annotations

import html
import importlib.resources
import json
from pathlib import Path

from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from mockserver.serve.problems import Problem

ASSETS = Path(str(importlib.resources.files("swagger_ui") / "static"))


def ui_page(spec_url: str, title: str) -> str:
    """The Swagger UI page for one API."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} · mockserver</title>
<link rel="stylesheet" href="./swagger-ui.css"><link rel="icon" href="./favicon-32x32.png">
</head><body><div id="swagger-ui"></div>
<script src="./swagger-ui-bundle.js"></script>
<script src="./swagger-ui-standalone-preset.js"></script>
<script>
window.onload = () => {{
  window.ui = SwaggerUIBundle({{url: {_js_string(spec_url)}, dom_id: "#swagger-ui",
    deepLinking: true, presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout"}});
}};
</script></body></html>
"""


def _js_string(text: str) -> str:
    """A JavaScript string literal that is safe inside a <script> element."""
    return json.dumps(text).replace("</", "<\\/")


class UiAssets:
    """Serves the Swagger UI files under ``<mount>/ui/``: only the files of the UI folder,
    known when the server starts; any other name is a 404 (never a traceback)."""

    def __init__(self) -> None:
        self._files = StaticFiles(directory=ASSETS)
        self.names = frozenset(
            p.relative_to(ASSETS).as_posix() for p in ASSETS.rglob("*") if p.is_file()
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send, *, name: str) -> None:
        """Serve the asset ``name`` (a file name under the UI folder); raises 404 for any
        other name."""
        if name not in self.names:
            raise Problem(404, f"Swagger UI has no file {name[:100]!r}")
        await self._files({**scope, "path": "/" + name, "root_path": ""}, receive, send)
