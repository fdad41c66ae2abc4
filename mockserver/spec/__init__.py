"""Loading OpenAPI documents into a plain, frozen model."""

from mockserver.spec.loader import load_document
from mockserver.spec.model import ApiDocument, Dialect, Operation, Schema

__all__ = ["ApiDocument", "Dialect", "Operation", "Schema", "load_document"]
