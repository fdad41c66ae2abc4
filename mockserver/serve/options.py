"""The serve command's options, in one record every part of the server reads.

A module of its own, below the loader (:mod:`mockserver.serve.mount`) and above the journal
store and the pacing it names, so that neither of those has to import the loader back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mockserver.data.pacing import NO_PACING, Pacing
from mockserver.serve.journal.stores import JournalStore, MemoryJournal
from mockserver.serve.state import StateStore, open_store

if TYPE_CHECKING:  # serve's parent process reads the options but never the cache
    from mockserver.spec.cache import DocumentCache


@dataclass(frozen=True)
class ProxyOptions:
    """``--proxy``: the providers the mock forwards to, and how it treats their answers."""

    #: API name -> the provider's base URL (``""``: the only API served)
    upstreams: Mapping[str, str] = field(default_factory=dict)
    strict: bool = False  # refuse invalid requests, replace drifted answers with a 502
    timeout: float = 10.0  # seconds for each phase: connect, send, first byte, each read
    fallback: bool = False  # answer from the mock when the provider does not answer
    record: Path | None = None  # fold valid provider answers into fixtures here


@dataclass(frozen=True)
class ServeOptions:
    """How the mock behaves, as the ``serve`` command's options set it."""

    seed: int = 0
    any_token: bool = False
    cors_origins: tuple[str, ...] = ()
    fixtures_dir: Path | None = Path("fixtures")
    #: where writes, id sequences and export jobs live (``--state``): memory by default
    state: StateStore = field(default_factory=lambda: open_store("memory:"), compare=False)
    #: checks a fixture folder against the documents in a folder, raising on the first
    #: problem; the command line passes ``validate``'s, so a bad record stops start-up
    check_fixtures: Callable[[Path, Path], None] | None = field(default=None, compare=False)
    #: latency, error and fault rates from the command line (mock.yaml's win over them)
    pacing: Pacing = NO_PACING
    #: the request journal's store (size 0: no journal)
    journal: JournalStore = field(default_factory=MemoryJournal, compare=False)
    #: where loaded documents are kept between runs (None: load every time, keep nothing)
    cache: DocumentCache | None = field(default=None, compare=False)
    #: the Host names answered besides localhost and loopback addresses (``--host`` and
    #: ``--allowed-host``); None: no Host check, for an app called in process, which no
    #: browser reaches (the serve command always gives a tuple)
    allowed_hosts: tuple[str, ...] | None = None
    #: the token the control routes then want in ``X-Mock-Token`` (``--control-token``)
    control_token: str | None = field(default=None, repr=False)
    #: ``--errors``: an answer whose example breaks its schema is a 500 (as Prism's
    #: ``--errors``), rather than a valid value with a ``Warning``
    errors: bool = False
    #: ``--proxy``: forward to real providers instead of answering from the mock
    proxy: ProxyOptions = ProxyOptions()
