"""Follow ``$ref``s inside a document and into files beside it, and nowhere else.

A mock server reads documents people download from the internet; a ``$ref`` must not
make it fetch URLs or read files outside the document's own folder. Local refs
(``#/components/...``) and relative files under the folder (``common.yaml#/Error``)
are followed; anything else is refused with a :class:`~mockserver.errors.RefError`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urlsplit

from mockserver.errors import LoadError, RefError
from mockserver.spec.pointer import fragment_pointer, join_pointer, resolve_pointer
from mockserver.spec.source import SourceFile, iter_pointers, load_source


@dataclass(frozen=True)
class Located:
    """A value together with the file and pointer it was found at."""

    value: Any
    file: SourceFile
    pointer: str

    @property
    def uri(self) -> str:
        """The absolute URI of the value, usable as a JSON Schema ``$ref``."""
        return file_uri(self.file) + "#" + self.pointer


def file_uri(source: SourceFile) -> str:
    """The ``file://`` URI that names ``source`` in schema registries."""
    return _path_uri(source.path)


@functools.lru_cache(maxsize=256)
def _path_uri(path: Path) -> str:
    return path.resolve().as_uri()


class RefResolver:
    """Resolves refs for one root document, loading sibling files at most once."""

    def __init__(self, root: SourceFile, ref_root: Path | None = None) -> None:
        self.root = root
        #: Referenced files must lie under this folder (the document's own by default).
        self.folder = ref_root.resolve() if ref_root else root.path.resolve().parent
        self._files: dict[Path, SourceFile] = {root.path.resolve(): root}

    @functools.cached_property
    def schema_ids(self) -> frozenset[str]:
        """The ``$id``\\ s of the root's schemas: 3.1 schemas may name each other by
        ``$id``, and such refs look remote but are not."""
        if not _may_hold(self.root, "$id"):
            return frozenset()
        return frozenset(
            value["$id"].rstrip("#")
            for _, value in iter_pointers(self.root.data)
            if isinstance(value, dict) and isinstance(value.get("$id"), str)
        )

    @property
    def files(self) -> tuple[SourceFile, ...]:
        """Every file loaded so far, the root first."""
        return tuple(self._files.values())

    def locate(self, ref: str, base: SourceFile, at: str) -> Located:
        """The target of ``ref``, written in ``base`` at pointer ``at``."""
        target_part, fragment = urldefrag(ref)
        target = self._target_file(target_part, base, at) if target_part else base
        pointer = fragment_pointer(fragment)
        if pointer and not pointer.startswith("/"):
            raise RefError(
                base.path,
                f"$ref {ref!r} uses an anchor, not a JSON pointer",
                pointer=at,
                hint="write the fragment as a JSON pointer, such as '#/components/schemas/Pet'",
            )
        try:
            value = resolve_pointer(target.data, pointer)
        except LookupError:
            raise RefError(
                base.path,
                f"$ref {ref!r} points at nothing in {target.path.name}",
                pointer=at,
                hint="check the spelling of every segment",
            ) from None
        return Located(value, target, pointer)

    def deref(self, located: Located, limit: int = 32) -> Located:
        """Follow ``$ref`` chains until a value that is not a reference."""
        seen: list[str] = []
        while isinstance(located.value, dict) and isinstance(located.value.get("$ref"), str):
            if located.uri in seen or len(seen) >= limit:
                raise RefError(
                    located.file.path, "$ref chain loops back on itself", pointer=located.pointer
                )
            seen.append(located.uri)
            located = self.locate(located.value["$ref"], located.file, located.pointer + "/$ref")
        return located

    def load_all(self) -> None:
        """Load every file reachable through ``$ref``; raises on the first refused ref."""
        if not _may_leave(self.root):
            return  # every ref is local: no file to load and none to refuse
        pending = [self.root]
        done: set[Path] = set()
        while pending:
            source = pending.pop()
            done.add(source.path.resolve())
            for pointer, ref in iter_refs(source.data):
                target_part, _ = urldefrag(ref)
                if target_part and target_part not in self.schema_ids:
                    target = self._target_file(target_part, source, pointer)
                    if target.path.resolve() not in done:
                        pending.append(target)

    def _target_file(self, target: str, base: SourceFile, at: str) -> SourceFile:
        parts = urlsplit(target)
        if parts.scheme or parts.netloc:
            raise RefError(
                base.path,
                f"$ref {target!r} is remote; mockserver never fetches URLs",
                code="MS103",
                pointer=at,
                hint="download the file next to the document and refer to it by a relative path",
            )
        path = (base.path.resolve().parent / unquote(parts.path)).resolve()
        if not path.is_relative_to(self.folder):
            raise RefError(
                base.path,
                f"$ref {target!r} leaves {self.folder}, the folder refs may reach",
                code="MS103",
                pointer=at,
                hint=f"keep referenced files under {self.folder}",
            )
        if path not in self._files:
            try:
                self._files[path] = load_source(path)
            except LoadError as exc:
                raise RefError(
                    base.path, f"$ref {target!r}: {exc.message}", pointer=at, hint=exc.hint
                ) from None
        return self._files[path]


#: A ``$ref`` key whose value does not start with ``#`` (JSON, or YAML in any quoting):
#: what might name another file. It finds more than the walk would (refs inside examples,
#: say), never fewer (an unquoted ``#`` in YAML starts a comment), so a document it finds
#: none in needs no walk at all. The key is ``$ref`` itself, quoted or after what may
#: precede a YAML key, not the end of a longer one (Graph's path ``/owners/$ref`` is no
#: reference): :func:`_keyed` checks the character before each match. The pattern starts
#: with the literal ``$ref`` so the engine skips to each one (a lookbehind first made it
#: try every position: 0.1 s on a 2.6 MB document).
_NONLOCAL_REF = re.compile(r"""\$ref(["']?)\s*+:\s*+(?!["']#)""")
#: What may stand before an unquoted YAML key (and the start of a line or of the text).
_BEFORE_KEY = frozenset(" \t\n\r\f\v{,[?-")
#: An escape that could spell a letter of ``$ref`` or ``$id`` without writing it (JSON
#: ``\\u0024``, YAML ``\\x24``): then the text search cannot be trusted.
_ESCAPED_LETTER = re.compile(r"\\(?:u00|x|U000000)(?:24|72|65|66|69|64)", re.IGNORECASE)


_ESCAPED_LETTER_BYTES = re.compile(_ESCAPED_LETTER.pattern.encode(), re.IGNORECASE)
_NONLOCAL_REF_BYTES = re.compile(_NONLOCAL_REF.pattern.encode())


def _may_hold(source: SourceFile, word: str) -> bool:
    """Whether ``word`` may appear as a key of ``source`` (False only when it certainly
    does not: a text search instead of a walk of the data). No text: assume it may."""
    body = source.body  # searched as it is kept: a JSON file's bytes are never decoded
    if not body:
        return True
    if isinstance(body, bytes):
        return word.encode() in body or _ESCAPED_LETTER_BYTES.search(body) is not None
    return word in body or _ESCAPED_LETTER.search(body) is not None


def _may_leave(source: SourceFile) -> bool:
    """Whether ``source`` may hold a ``$ref`` to another file (see ``_NONLOCAL_REF``)."""
    body = source.body
    if isinstance(body, bytes):
        if not body or _ESCAPED_LETTER_BYTES.search(body) is not None:
            return True
        return any(
            _keyed(body[m.start() - 1 : m.start()].decode("latin-1"), bool(m.group(1)))
            for m in _NONLOCAL_REF_BYTES.finditer(body)
        )
    if not body or _ESCAPED_LETTER.search(body) is not None:
        return True
    return any(
        _keyed(body[m.start() - 1 : m.start()], bool(m.group(1)))
        for m in _NONLOCAL_REF.finditer(body)
    )


def _keyed(before: str, quoted: bool) -> bool:
    """Whether a match of ``_NONLOCAL_REF`` after ``before`` (its one character, empty at
    the start of the text) is a key: ``"$ref"`` (any quotes), or an unquoted ``$ref`` at
    the start or after what may precede a YAML key."""
    if quoted:
        return before in ("'", '"')
    return not before or before in _BEFORE_KEY or before.isspace()


#: Keywords whose value is data, not OpenAPI or JSON Schema: a ``$ref`` key inside is a
#: value like any other (an example of a JSON Schema document, say), not a reference.
_DATA_KEYWORDS = frozenset({"example", "default", "const", "enum", "value", "externalValue"})
#: Keys whose value maps names to objects: there every key is a name, whatever it spells.
_NAME_MAPS = frozenset(
    {
        "properties",
        "patternProperties",
        "definitions",
        "$defs",
        "dependentSchemas",
        "schemas",
        "parameters",
        "responses",
        "headers",
        "examples",
        "links",
        "callbacks",
        "securitySchemes",
        "requestBodies",
        "pathItems",
        "paths",
        "content",
        "encoding",
        "variables",
        "webhooks",
        "mapping",
    }
)


def iter_refs(data: Any) -> Iterator[tuple[str, str]]:
    """(pointer of the ``$ref`` keyword, ref string) for every reference in ``data``; the
    values of ``example``, ``default``, ``const``, ``enum``, an Example's ``value``, a 3.1
    schema's ``examples`` list and ``x-`` extensions are data, and are not looked into."""
    stack: list[tuple[str, Any, bool]] = [("", data, False)]
    while stack:
        pointer, node, names = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                yield pointer + "/$ref", node["$ref"]
            for name, value in node.items():
                key = str(name)
                if not names and (key in _DATA_KEYWORDS or key.startswith("x-")):
                    continue
                if not names and key == "examples" and isinstance(value, list):
                    continue  # a 3.1 schema's examples are values
                stack.append((join_pointer(pointer, key), value, not names and key in _NAME_MAPS))
        elif isinstance(node, list):
            stack.extend((join_pointer(pointer, str(i)), v, False) for i, v in enumerate(node))
