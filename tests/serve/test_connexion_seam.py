"""The Connexion seam: every name mockserver takes from Connexion, pinned.

mockserver.serve.app is the only module that imports Connexion (``make lint`` enforces it).
These tests fail loudly, naming what moved, when a Connexion upgrade changes any of it.
"""

from __future__ import annotations

import inspect
import logging
from importlib.metadata import version

import connexion
import pytest
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware

from mockserver.serve.app import create_app
from mockserver.serve.gate import Gate
from mockserver.serve.mount import MountedApi, ServeOptions, load_apis
from tests.conftest import DATA, TOKEN, Client

KEYWORDS = DATA / "keywords-3.1.yaml"


def test_the_pinned_connexion_release_is_installed() -> None:
    assert version("connexion") == "3.3.0", "re-read serve/app.py's seam before upgrading"


def test_async_app_takes_the_middleware_list_through_its_public_constructor() -> None:
    parameters = inspect.signature(connexion.AsyncApp.__init__).parameters
    assert "middlewares" in parameters


def test_the_stack_is_ours_and_connexion_s_outer_and_lifespan_layers() -> None:
    app = create_app(load_apis([KEYWORDS], ServeOptions(fixtures_dir=None)))
    layers = [getattr(m, "func", m) for m in app.middleware.middlewares]
    assert layers[0] is ServerErrorMiddleware
    assert Gate in layers and layers[-1] is LifespanMiddleware
    assert app.middleware.apis == []  # Connexion routes nothing: the gate is the one router


class _Broken:
    """A responder with a bug (in its answer; its preferences check passes)."""

    def check_preferences(self, *_: object) -> None:
        return None

    def answer(self, *_: object) -> object:
        raise RuntimeError("a bug in a responder")


@pytest.fixture
def broken_api() -> MountedApi:
    [api] = load_apis([KEYWORDS], ServeOptions(fixtures_dir=None))
    api.responder = _Broken()  # type: ignore[assignment]
    return api


def test_a_bug_is_logged_with_its_traceback_and_answered_as_a_problem(
    broken_api: MountedApi, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(create_app([broken_api]))
    try:
        with caplog.at_level(logging.ERROR, logger="mockserver"):
            answer = client.get("/keywords-3.1/zoo/v1/things", headers=TOKEN)
        assert answer.status_code == 500
        assert "mockserver failed unexpectedly" in answer.text
        [record] = [r for r in caplog.records if r.name == "mockserver"]
        assert record.exc_info is not None and "a bug in a responder" in str(record.exc_info[1])
        # and the server keeps serving
        assert client.get("/keywords-3.1/openapi.json").status_code == 200
    finally:
        client.close()
