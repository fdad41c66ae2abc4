"""Sessions: which view of the datasets a request sees, and those views, indexed.

A request names its session with the ``X-Mock-Session`` header (or, from a browser, the
``mock_session`` cookie); without one it shares the ``default`` session. A session that
has changed nothing reads the fixture indexes as they are; one that has is served from an
index of the merged records, built once per dataset; when the session's version moves on,
only the changes made since are applied to it (where the store keeps a change log), so a
write costs what it changes.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping

from mockserver.data.dataset import Record
from mockserver.data.declaration import Declaration
from mockserver.data.index import DatasetIndex
from mockserver.data.writes import merged
from mockserver.serve.problems import invalid
from mockserver.serve.request import MockRequest
from mockserver.serve.state import DEFAULT_SESSION, StateStore
from mockserver.serve.state.store import SESSION_NAME

SESSION_HEADER = "x-mock-session"
SESSION_COOKIE = "mock_session"
#: Merged indexes kept per process (each a dataset as one session sees it).
MERGED_CACHE_SIZE = 256


def session_of(request: MockRequest) -> str:
    """The session the request names; raises a bad request for a name no store can keep."""
    name = request.headers.get(SESSION_HEADER) or request.cookies.get(SESSION_COOKIE)
    if not name:
        return DEFAULT_SESSION
    if not SESSION_NAME.fullmatch(name):
        raise invalid(
            "header",
            "X-Mock-Session",
            f"{name[:80]!r} is not a session name: use 1 to 64 letters, digits, '.', '_' "
            "or '-', starting with a letter or digit",
            "malformed",
        )
    return name


class SessionView:
    """The datasets as one session sees them, at one version (built on every request to
    an operation with a behaviour, so a plain class with slots)."""

    __slots__ = ("session", "version", "views")

    def __init__(self, session: str, version: int, views: Views) -> None:
        self.session = session
        self.version = version
        self.views = views

    def index(self, dataset: str) -> DatasetIndex:
        """The dataset's records as this session sees them, indexed."""
        return self.views.index(self, dataset)


class Views:
    """The indexes of one API's datasets, per session."""

    def __init__(
        self,
        api: str,
        declaration: Declaration,
        records: Mapping[str, list[Record]],
        store: StateStore,
    ) -> None:
        self.api = api
        self.declaration = declaration
        self.records = records
        self.store = store
        self._base: dict[str, DatasetIndex] = {}
        self._merged: OrderedDict[tuple[str, str], tuple[int, DatasetIndex]] = OrderedDict()

    def view(self, request: MockRequest) -> SessionView:
        """The request's session, at its current version."""
        session = session_of(request)
        return SessionView(session, self.store.version(session), self)

    def key(self, dataset: str) -> str:
        """The dataset's name in the store, unique across the APIs it serves."""
        return f"{self.api}/{dataset}"

    def base(self, dataset: str) -> DatasetIndex:
        """The fixture records, indexed once."""
        if dataset not in self._base:
            self._base[dataset] = DatasetIndex(
                self.declaration.datasets[dataset], self.records[dataset]
            )
        return self._base[dataset]

    def index(self, view: SessionView, dataset: str) -> DatasetIndex:
        """The dataset as ``view`` sees it: the fixture index while nothing changed, else
        the session's index, brought up to date with only the changes made since."""
        if view.version == 0:
            return self.base(dataset)
        key = (view.session, dataset)
        cached = self._merged.get(key)
        if cached is not None and cached[0] == view.version:
            self._merged.move_to_end(key)
            return cached[1]
        since = cached[0] if cached is not None else 0
        version, changes, later = self.store.changes_since(view.session, self.key(dataset), since)
        base = self.base(dataset)
        if later and cached is not None and cached[1] is not base:
            index = cached[1]  # owned by this session alone: changed in place
            index.apply(changes)
        elif changes:
            index = DatasetIndex(base.dataset, merged(base.records, base.dataset.id_field, changes))
        else:
            index = base
        self._merged[key] = (version, index)
        self._merged.move_to_end(key)
        if len(self._merged) > MERGED_CACHE_SIZE:
            self._merged.popitem(last=False)
        return index
