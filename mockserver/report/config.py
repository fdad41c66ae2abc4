"""A project's say over a verb's findings: which rules, at what level, and where not.

Teams adopt a checker on the documents they already have, so they need to turn rules
off, soften them, and make exceptions for one file or one part of a document, in a file
that lives in the repository and is reviewed like code. The configuration is read from
``.mockserver.yaml`` (under the verb's name) or ``pyproject.toml``
(``[tool.mockserver.<verb>]``), whichever the current folder or the nearest parent holds
first. A mistake in it (an unknown code, key or level) stops the run with exit code 2
rather than silently checking less than the team believes.
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

import yaml

from mockserver.errors import UsageError
from mockserver.report.findings import SEVERITIES, Finding, Registry, Severity

YAML_NAME = ".mockserver.yaml"
TOML_NAME = "pyproject.toml"
#: The keys a verb's table may hold.
KEYS = frozenset(
    {"select", "ignore", "severity", "per-file-ignores", "per-pointer-ignores", "fail-on"}
)

Exceptions = tuple[tuple[str, frozenset[str]], ...]


def under(pointer: str, prefix: str) -> bool:
    """Whether ``pointer`` is ``prefix`` or lies inside the subtree it names."""
    return pointer == prefix or pointer.startswith(prefix.rstrip("/") + "/")


def display_path(path: Path) -> str:
    """``path`` relative to the current folder when it is inside it, with ``/``: what
    file globs in the configuration and baselines are written against."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


@dataclass(frozen=True)
class Policy:
    """The configuration of one verb; the default one reports everything as it is."""

    source: Path | None = None
    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    levels: Mapping[str, Severity] = field(default_factory=dict)
    file_ignores: Exceptions = ()
    pointer_ignores: tuple[tuple[str, str, frozenset[str]], ...] = ()
    fail_on: Severity | None = None

    def apply(self, findings: Iterable[Finding]) -> list[Finding]:
        """The findings this policy reports, each at its configured level. A file that
        could not be checked (``MS0xx``) is always reported: no setting hides it."""
        kept = []
        for finding in findings:
            if finding.fatal:
                kept.append(finding)
            elif self.reports(finding):
                level = self.levels.get(finding.code, finding.severity)
                kept.append(replace(finding, severity=level))
        return kept

    def reports(self, finding: Finding) -> bool:
        """Whether ``finding`` is selected and not ignored, globally, for its file or
        for the part of the document it is in."""
        code = finding.code
        if (self.select is not None and code not in self.select) or code in self.ignore:
            return False
        path = display_path(finding.file)
        if any(code in codes and fnmatch.fnmatch(path, g) for g, codes in self.file_ignores):
            return False
        return not any(
            code in codes and fnmatch.fnmatch(path, g) and under(finding.pointer, p)
            for g, p, codes in self.pointer_ignores
        )


def load_policy(verb: str, rules: Registry, config: Path | None = None) -> Policy:
    """The policy for ``verb`` from ``config``, else from the nearest configuration file
    (see the module's docstring), else the default policy."""
    if config is not None:
        return parse_policy(config, _read_table(config, verb) or {}, rules)
    found = _find_table(verb)
    return Policy() if found is None else parse_policy(*found, rules)


def _find_table(verb: str) -> tuple[Path, Mapping[str, Any]] | None:
    """The first configuration for ``verb`` in the current folder or its parents, up to
    the repository's root."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        for name in (YAML_NAME, TOML_NAME):
            path = folder / name
            if path.is_file() and (table := _read_table(path, verb)) is not None:
                return path, table
        if (folder / ".git").exists():
            return None
    return None


def _read_table(path: Path, verb: str) -> Mapping[str, Any] | None:
    """The verb's table in ``path``, or None when the file has none."""
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".toml":
            data: Any = tomllib.loads(text).get("tool", {}).get("mockserver", {})
        else:
            data = yaml.safe_load(text) or {}
    except (OSError, UnicodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as error:
        raise _error(path, f"cannot read the configuration: {error}") from error
    if not isinstance(data, dict):
        raise _error(path, "the configuration must be a mapping of verbs to settings")
    table = data.get(verb)
    if table is None:
        return None
    if not isinstance(table, dict):
        raise _error(path, f"the settings of '{verb}' must be a mapping")
    return cast(Mapping[str, Any], table)


def parse_policy(path: Path, table: Mapping[str, Any], rules: Registry) -> Policy:
    """A policy from one verb's table; anything unknown is an error naming ``path``."""
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise _error(path, f"unknown setting '{unknown[0]}' (known: {', '.join(sorted(KEYS))})")
    select = table.get("select")
    return Policy(
        source=path,
        select=None if select is None else _codes(path, "select", select, rules),
        ignore=_codes(path, "ignore", table.get("ignore", []), rules),
        levels=_levels(path, table.get("severity", {}), rules),
        file_ignores=tuple(
            (glob, _codes(path, f"per-file-ignores '{glob}'", codes, rules))
            for glob, codes in _mapping(path, "per-file-ignores", table).items()
        ),
        pointer_ignores=tuple(
            (*_glob_pointer(path, key), _codes(path, f"per-pointer-ignores '{key}'", codes, rules))
            for key, codes in _mapping(path, "per-pointer-ignores", table).items()
        ),
        fail_on=None if "fail-on" not in table else _level(path, "fail-on", table["fail-on"]),
    )


def _mapping(path: Path, key: str, table: Mapping[str, Any]) -> Mapping[str, Any]:
    value = table.get(key, {})
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise _error(path, f"'{key}' must map strings to lists of rule codes")
    return cast(Mapping[str, Any], value)


def _glob_pointer(path: Path, key: str) -> tuple[str, str]:
    """``[GLOB#]POINTER``: the files (all by default) and the subtree an entry covers."""
    glob, _, pointer = key.rpartition("#")
    if pointer and not pointer.startswith("/"):
        raise _error(path, f"per-pointer-ignores '{key}': a JSON pointer starts with '/'")
    return glob or "*", pointer


def _codes(path: Path, key: str, value: object, rules: Registry) -> frozenset[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise _error(path, f"'{key}' must be a list of rule codes")
    for code in value:
        if code not in rules:
            raise _error(path, f"unknown rule code {code} in {key}")
    return frozenset(value)


def _levels(path: Path, value: object, rules: Registry) -> dict[str, Severity]:
    if not isinstance(value, dict):
        raise _error(path, "'severity' must map rule codes to error, warning or info")
    levels = {}
    for code, level in value.items():
        if code not in rules:
            raise _error(path, f"unknown rule code {code} in severity")
        levels[str(code)] = _level(path, f"severity of {code}", level)
    return levels


def _level(path: Path, key: str, value: object) -> Severity:
    if value not in SEVERITIES:
        raise _error(path, f"{key} must be one of {', '.join(SEVERITIES)}, not {value!r}")
    return cast(Severity, value)


def _error(path: Path, message: str) -> UsageError:
    return UsageError(path, message)
