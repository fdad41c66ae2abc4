"""The request journal: what the mock received, what it made of it, and what it answered.

A frontend developer asks "why did that request get a 400?" The journal keeps the last N
requests to the mounted APIs (a ring, 1,000 by default): method, path, query and headers
(credentials masked), the operation matched or the near misses, the verdict with every
violation, the status, where the answer came from, and the time taken. ``GET
/__mock/journal`` lists them newest first, ``GET /__mock/journal/stream`` streams them as
Server-Sent Events, and ``POST /__mock/reset`` clears them.

Workers are processes, so the journal lives in a store every worker reaches:
:class:`MemoryJournal` for one process, :class:`FileJournal` (one append-only file per
worker in a folder the parent creates, merged when read) for ``--workers N``.

One module per concept: :mod:`.entry` (what is kept), :mod:`.stores` (where),
:mod:`.followers` (reading what is new), :mod:`.masks` (credentials hidden),
:mod:`.recorder` (facts in, entries out), :mod:`.near` (near misses) and
:mod:`.endpoints` (the HTTP side).
"""

from mockserver.serve.journal.endpoints import ENDPOINT, JournalPages, select
from mockserver.serve.journal.entry import DEFAULT_SIZE, Entry, Item, RequestFacts
from mockserver.serve.journal.followers import Follower
from mockserver.serve.journal.masks import Masks
from mockserver.serve.journal.near import near_misses
from mockserver.serve.journal.recorder import Recorder
from mockserver.serve.journal.stores import FileJournal, JournalStore, MemoryJournal

__all__ = [
    "DEFAULT_SIZE",
    "ENDPOINT",
    "Entry",
    "FileJournal",
    "Follower",
    "Item",
    "JournalPages",
    "JournalStore",
    "Masks",
    "MemoryJournal",
    "Recorder",
    "RequestFacts",
    "near_misses",
    "select",
]
