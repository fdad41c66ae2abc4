"""Read a YAML or JSON file safely and remember where every value came from.

This is the only place that parses documents from disk. Everything it returns is plain
data plus a lazy map from JSON pointer to (line, column), so that any later finding can
name the exact spot in the file.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from mockserver.errors import LoadError, Position
from mockserver.spec.pointer import join_pointer

if TYPE_CHECKING:
    import yaml

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPANDED_NODES",
    "MAX_FILE_BYTES",
    "Position",  # defined with the errors that carry it; re-exported where positions are read
    "SourceFile",
    "from_text",
    "iter_pointers",
    "load_source",
]

#: Deeper documents are refused: real OpenAPI documents stay far below this, and every
#: recursive walk in the project stays well inside Python's recursion limit.
MAX_DEPTH = 100
#: A YAML alias bomb expands a few lines into billions of nodes; refuse past this many.
MAX_EXPANDED_NODES = 5_000_000
#: Files larger than this are refused before parsing.
MAX_FILE_BYTES = 64 * 1024 * 1024


def _safe_loader() -> type[yaml.SafeLoader]:
    """libyaml's safe loader when it is built, else PyYAML's. PyYAML is imported here, on
    the first YAML file: a JSON document is served without it (a twentieth of a second)."""
    import yaml  # noqa: PLC0415

    loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return loader


@dataclass(frozen=True, eq=False)
class SourceFile:
    """A parsed file: its data and, computed on first use, the position of each value."""

    path: Path
    #: The file's text; for a JSON file, its UTF-8 bytes instead, a quarter of the memory
    #: of a str as soon as one character lies beyond U+FFFF (an emoji): 23 MB, not 6, for
    #: GitHub's description. Read it through :attr:`text`.
    body: str | bytes
    data: Any
    is_json: bool
    #: Pointers of mapping keys YAML read as something other than a string (an unquoted
    #: ``200:`` is an integer); they are kept as strings, as JSON would have them.
    non_string_keys: tuple[str, ...] = ()
    _positions: dict[str, Position] = field(default_factory=dict, repr=False)

    @property
    def text(self) -> str:
        """The file's text (decoded from :attr:`body` on each use: keep it only briefly)."""
        return self.body if isinstance(self.body, str) else self.body.decode("utf-8-sig")

    def position(self, pointer: str) -> Position:
        """Where the value at ``pointer`` is written (its key, for a mapping entry).

        Falls back to the nearest parent for pointers that do not exist in the file.
        """
        positions = self._index()
        probe = pointer
        while probe not in positions and probe:
            probe = probe.rsplit("/", 1)[0]
        return positions.get(probe, Position(1, 1))

    def _index(self) -> dict[str, Position]:
        if not self._positions:
            scan = _scan_json if self.is_json else _scan_yaml
            self._positions.update(scan(self.text))
        return self._positions


def load_source(path: Path) -> SourceFile:
    """Read and parse ``path`` (YAML or JSON), refusing unsafe or absurd input."""
    raw = _read_bytes(path)
    data = _fast_json(path, raw)
    if data is not None:
        _check_depth(path, data)
        return SourceFile(path=path, body=raw, data=data, is_json=True)
    text = _decoded(path, raw)
    is_json = path.suffix.lower() == ".json" or text.lstrip().startswith(("{", "["))
    data = _parse_json(path, text) if is_json else _parse_yaml(path, text)
    _check_depth(path, data)
    keys = () if is_json else _stringify_keys(data)
    body = raw if is_json and not text.isascii() else text  # bytes: the smaller then
    return SourceFile(path=path, body=body, data=data, is_json=is_json, non_string_keys=keys)


#: Nineteen digits in a row: perhaps an integer orjson cannot hold (in a string, harmless).
_LONG_NUMBER = re.compile(rb"\d{19}")


def _fast_json(path: Path, raw: bytes) -> Any:
    """A JSON file's data parsed straight from its UTF-8 bytes by orjson (a fraction of
    the time, and no str of the whole file: for GitHub's description, 23 MB of them);
    None when the file does not look like JSON or orjson refuses it (invalid UTF-8 or
    JSON, an integer beyond 64 bits, a lone surrogate, NaN): the standard parser then
    reads it, and says what is wrong with the position it knows."""
    body = raw.removeprefix(b"\xef\xbb\xbf")  # the UTF-8 BOM, as utf-8-sig drops it
    if path.suffix.lower() != ".json" and not body.lstrip().startswith((b"{", b"[")):
        return None
    if _LONG_NUMBER.search(body):  # orjson would read an integer beyond 64 bits as a float
        return None
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


def from_text(text: str, *, path: Path = Path("<memory>"), is_json: bool = False) -> SourceFile:
    """Parse ``text`` as if it were read from ``path``; used for payloads and tests."""
    data = _parse_json(path, text) if is_json else _parse_yaml(path, text)
    _check_depth(path, data)
    keys = () if is_json else _stringify_keys(data)
    return SourceFile(path=path, body=text, data=data, is_json=is_json, non_string_keys=keys)


def _stringify_keys(data: Any) -> tuple[str, ...]:
    """Turn every non-string mapping key into its string, in place, and say where.

    The OpenAPI data model is JSON's, whose keys are strings; YAML reads ``200:`` as an
    integer and ``true:`` as a boolean, which JSON Schema validators cannot take.
    """
    found: list[str] = []
    stack: list[tuple[str, Any]] = [("", data)]
    seen: set[int] = set()
    while stack:
        pointer, value = stack.pop()
        if id(value) in seen or not isinstance(value, dict | list):
            continue
        seen.add(id(value))
        if isinstance(value, list):
            stack.extend((join_pointer(pointer, str(i)), v) for i, v in enumerate(value))
            continue
        if any(not isinstance(key, str) for key in value):
            items = [(_key_text(key), item) for key, item in value.items()]
            found.extend(join_pointer(pointer, key) for key, item in items if key not in value)
            value.clear()
            value.update(items)
        stack.extend((join_pointer(pointer, key), item) for key, item in value.items())
    return tuple(sorted(found))


def _key_text(key: Any) -> str:
    """A key as the text JSON would have: ``200`` -> "200", ``True`` -> "true"."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool) or key is None:
        return json.dumps(key)
    return str(key)


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise LoadError(
                path, f"file is {size} bytes; the limit is {MAX_FILE_BYTES}", code="MS001"
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise LoadError(
            path,
            "no such file",
            code="MS001",
            hint="check the path; relative paths start at the current folder",
        ) from None
    except IsADirectoryError:
        raise LoadError(path, "is a folder, not a file", code="MS001") from None
    except OSError as exc:
        raise LoadError(path, f"cannot read: {exc.strerror}", code="MS001") from None
    return raw


def _decoded(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LoadError(
            path,
            f"not valid UTF-8 at byte {exc.start}",
            code="MS002",
            position=Position(line, 1),
            hint="save the file as UTF-8",
        ) from None


def _parse_json(path: Path, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise LoadError(
            path, f"invalid JSON: {exc.msg}", code="MS002", position=Position(exc.lineno, exc.colno)
        ) from None
    except RecursionError:
        raise LoadError(path, f"nested deeper than {MAX_DEPTH} levels", code="MS003") from None


def _parse_yaml(path: Path, text: str) -> Any:
    import yaml  # noqa: PLC0415

    _check_yaml_events(path, text)
    loader = _safe_loader()(text)
    try:
        node = loader.get_single_node()
        _check_expansion(path, node)
        return None if node is None else loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from None
    finally:
        loader.dispose()


def _yaml_error(path: Path, exc: yaml.YAMLError) -> LoadError:
    """An MS002 for a YAML error, at its position when the parser knows it."""
    import yaml  # noqa: PLC0415

    if isinstance(exc, yaml.MarkedYAMLError):
        return LoadError(
            path,
            f"invalid YAML: {exc.problem or exc.context}",
            code="MS002",
            position=_mark_position(exc.problem_mark),
        )
    return LoadError(path, f"invalid YAML: {exc}", code="MS002")


def _check_yaml_events(path: Path, text: str) -> None:
    """Refuse documents nested too deep before the recursive composer sees them."""
    import yaml  # noqa: PLC0415

    depth = 0
    try:
        for event in yaml.parse(text, Loader=_safe_loader()):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise LoadError(
                        path,
                        f"nested deeper than {MAX_DEPTH} levels",
                        code="MS003",
                        position=_mark_position(event.start_mark),
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from None


def _check_expansion(path: Path, root: yaml.Node | None) -> None:
    """Count nodes as if every alias were copied out; an alias bomb explodes this count."""
    import yaml  # noqa: PLC0415

    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key not in sizes:
            sizes[key] = 1  # guards against recursive aliases
            children: list[yaml.Node] = []
            if isinstance(node, yaml.SequenceNode):
                children = node.value
            elif isinstance(node, yaml.MappingNode):
                children = [part for pair in node.value for part in pair]
            sizes[key] = 1 + sum(size(child) for child in children)
        return sizes[key]

    if root is not None and size(root) > MAX_EXPANDED_NODES:
        raise LoadError(
            path,
            f"aliases expand to more than {MAX_EXPANDED_NODES} nodes",
            code="MS004",
            position=_mark_position(root.start_mark),
            hint="this looks like a YAML alias bomb; write the values out",
        )


def _check_depth(path: Path, data: Any) -> None:
    """Refuse a value deeper than :data:`MAX_DEPTH` (the root is at depth 1). Walked one
    level of containers at a time, so the leaves, most of a document, are never stacked."""
    level = [data] if isinstance(data, dict | list) else []
    depth = 1
    while level:
        below: list[Any] = []
        for value in level:
            children = value.values() if isinstance(value, dict) else value
            below.extend(child for child in children if isinstance(child, dict | list))
            if depth >= MAX_DEPTH and children:  # a child, scalar or not, is too deep
                raise LoadError(path, f"nested deeper than {MAX_DEPTH} levels", code="MS003")
        level = below
        depth += 1


def _mark_position(mark: Any) -> Position | None:
    return None if mark is None else Position(mark.line + 1, mark.column + 1)


def _scan_yaml(text: str) -> dict[str, Position]:
    import yaml  # noqa: PLC0415

    positions: dict[str, Position] = {}
    root = yaml.compose(text, Loader=_safe_loader())
    # (node, pointer, mark): a mapping entry is placed at its key, where editors put it.
    stack: list[tuple[yaml.Node, str, Any]] = [] if root is None else [(root, "", root.start_mark)]
    seen: set[int] = set()
    while stack:
        node, pointer, mark = stack.pop()
        positions.setdefault(pointer, Position(mark.line + 1, mark.column + 1))
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append((value, join_pointer(pointer, str(key.value)), key.start_mark))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                stack.append((item, join_pointer(pointer, str(index)), item.start_mark))
    return positions


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')


def _scan_json(text: str) -> dict[str, Position]:
    """Positions of every JSON value, from one pass over the tokens."""
    positions: dict[str, Position] = {}
    line_starts = _line_starts(text)
    containers: list[tuple[str, str, list[Any]]] = []  # (kind, pointer, [next key or index])
    pending_key: str | None = None
    key_offset = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in ",:":
            continue
        if token in "}]":
            containers.pop()
            continue
        if containers and containers[-1][0] == "{" and pending_key is None:
            pending_key = json.loads(token)
            key_offset = match.start()
            continue
        in_object = pending_key is not None
        pointer = _value_pointer(containers, pending_key)
        pending_key = None
        # an object member is placed at its key, where editors put it
        positions[pointer] = _offset_position(
            line_starts, key_offset if in_object else match.start()
        )
        if token in "{[":
            containers.append((token, pointer, [0]))
    return positions


def _value_pointer(containers: list[tuple[str, str, list[Any]]], key: str | None) -> str:
    if not containers:
        return ""
    kind, pointer, counter = containers[-1]
    if kind == "{":
        return join_pointer(pointer, str(key))
    index = counter[0]
    counter[0] += 1
    return join_pointer(pointer, str(index))


def _line_starts(text: str) -> list[int]:
    return [0] + [match.end() for match in re.finditer("\n", text)]


def _offset_position(line_starts: list[int], offset: int) -> Position:
    line = bisect.bisect_right(line_starts, offset)
    return Position(line, offset - line_starts[line - 1] + 1)


def iter_pointers(data: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """Every (pointer, value) pair in ``data``, parents before children."""
    stack: list[tuple[str, Any]] = [(pointer, data)]
    while stack:
        here, value = stack.pop()
        yield here, value
        if isinstance(value, dict):
            stack.extend((join_pointer(here, str(k)), v) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            pairs = list(enumerate(value))
            stack.extend((join_pointer(here, str(i)), v) for i, v in reversed(pairs))
