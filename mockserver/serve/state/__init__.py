"""Where writes live: sessions of copy-on-write changes over the fixture datasets.

The fixture datasets never change. A write (a create, a replace, an update, a delete)
stores only what changed, per session and dataset: the records written (upserts) and the
ids deleted (tombstones). Id sequences and export jobs live beside them, per session. Three
stores keep them, with the same behaviour: ``memory:`` (one process), ``sqlite:///path``
(shared by the workers of one host, survives restarts) and ``redis://host:port/db``
(shared by any number of workers on any number of hosts).
"""

from mockserver.serve.state.open import open_store
from mockserver.serve.state.store import (
    DEFAULT_SESSION,
    Changes,
    SessionState,
    StateStore,
    StoreError,
)

__all__ = [
    "DEFAULT_SESSION",
    "Changes",
    "SessionState",
    "StateStore",
    "StoreError",
    "open_store",
]
