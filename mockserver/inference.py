"""Behaviour for documents that come without a declaration: infer the obvious."""

from __future__ import annotations

from mockserver.data.dataset import Record
from mockserver.data.declaration import Declaration
from mockserver.spec.model import ApiDocument


def infer_declaration(document: ApiDocument) -> tuple[Declaration | None, dict[str, list[Record]]]:
    """A declaration inferred from the document's shape (none yet: examples and generation)."""
    return None, {}
