"""Load the two sides of a diff: each document with the source files behind it.

The diff names the line and column of every change in both files, so it keeps the parsed
sources the loader read (the model alone keeps only their paths).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mockserver.diff.locate import json_positions
from mockserver.spec.build import build_document, build_outgoing, detect_dialect
from mockserver.spec.dialects import schema_registry
from mockserver.spec.model import ApiDocument, Operation
from mockserver.spec.refs import RefResolver
from mockserver.spec.source import Position, SourceFile, load_source


@dataclass(frozen=True)
class Side:
    """One side of a diff: the document, its sources, and the name to show for it."""

    document: ApiDocument
    sources: dict[Path, SourceFile]
    label: Path  # what reports call the root file, e.g. ``HEAD~1:specs/api.yaml``
    outgoing: tuple[Operation, ...] = ()  # webhooks and callbacks: the API calls them
    _json_positions: dict[Path, dict[str, Position | None]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def position(self, file: Path, pointer: str) -> Position:
        """Where ``pointer`` is written in ``file`` (one of this side's sources), or
        its nearest parent that is."""
        source = self.sources.get(file.resolve())
        if source is None:
            return Position(1, 1)
        if not source.is_json:
            return source.position(pointer)
        probes = [pointer]
        while probes[-1]:
            probes.append(probes[-1].rsplit("/", 1)[0])
        known = self._json_positions.setdefault(source.path, {})
        missing = [p for p in probes if p not in known]
        if missing:
            found = json_positions(source.text, missing)
            known.update({p: found.get(p) for p in missing})
        return next((at for at in (known[p] for p in probes) if at is not None), Position(1, 1))

    def display(self, file: Path) -> Path:
        """The name reports use for ``file``: the label for the root, else the path."""
        if file.resolve() == self.document.path.resolve():
            return self.label
        return file


def load_side(path: Path, label: Path | None = None) -> Side:
    """Read, resolve and model the document at ``path``, keeping its sources."""
    source = load_source(path)
    resolver = RefResolver(source)
    _, dialect = detect_dialect(source.data, resolver)
    resolver.load_all()
    registry = schema_registry(resolver.files, dialect)
    document = build_document(path.stem, resolver, registry)
    sources = {f.path.resolve(): f for f in resolver.files}
    return Side(document, sources, label or path, build_outgoing(resolver))
