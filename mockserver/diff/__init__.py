"""``mockserver diff``: breaking changes between two documents, each proven by a witness."""

from mockserver.diff.command import add_arguments, run

__all__ = ["add_arguments", "run"]
