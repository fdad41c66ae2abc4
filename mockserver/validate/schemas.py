"""Checks on each schema object that no meta-schema makes: regexes, contradictions,
keywords that can never apply, discriminators that point nowhere.

Each takes one schema object as written (refs not followed) and yields what is wrong
with it. Swagger 2.0's inline parameter and header fields get the checks that apply to
them too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from mockserver.errors import MockserverError
from mockserver.report.findings import Finding
from mockserver.spec.model import Dialect
from mockserver.spec.patterns import PatternTimeout, ecma
from mockserver.spec.refs import RefResolver
from mockserver.validate.structure import Node

SchemaCheck = Callable[[Node, Dialect], Iterator[Finding]]

#: (lower, upper) bounds that contradict each other when lower > upper.
_RANGES = (
    ("minLength", "maxLength"),
    ("minItems", "maxItems"),
    ("minProperties", "maxProperties"),
    ("minContains", "maxContains"),
)
_OBJECT_ONLY = ("properties", "additionalProperties", "patternProperties", "required")
_ARRAY_ONLY = ("items", "prefixItems")
_SCALARS = ("string", "number", "integer", "boolean", "null")
#: Beside a $ref in 2.0 and 3.0 these change nothing, so writing them there is harmless.
_ANNOTATIONS = frozenset({"description", "title", "summary", "example", "externalDocs"})


def iter_pattern_issues(node: Node, dialect: Dialect) -> Iterator[Finding]:
    """``pattern`` and ``patternProperties`` keys must be ECMA-262 regular expressions."""
    pattern = node.value.get("pattern")
    if isinstance(pattern, str):
        problem = regex_problem(pattern)
        if problem:
            yield _regex_issue(node, node.at("pattern"), pattern, problem)
    patterns = node.value.get("patternProperties")
    if isinstance(patterns, dict):
        for key in patterns:
            problem = regex_problem(str(key))
            if problem:
                yield _regex_issue(node, node.at("patternProperties", str(key)), key, problem)


def regex_problem(pattern: str) -> str:
    """Why ``pattern`` judges no value (not ECMA-262, or not translatable for the engine
    that evaluates it: :mod:`mockserver.spec.patterns`), or "" when it is fine."""
    return ecma(pattern).problem


def _regex_issue(node: Node, pointer: str, pattern: str, problem: str) -> Finding:
    return Finding.at(
        "MS114",
        node.source,
        pointer,
        f"{pattern!r} {problem}; the mock accepts any value for it",
        "JSON Schema patterns follow ECMAScript: escape literal brackets and braces, "
        "and drop Python-only syntax such as (?P<name>...) or (?i)"
        if problem.startswith("not an ECMA-262")
        else "write it without the construct named (e.g. \\p{..} with a known property)",
    )


def iter_range_issues(node: Node, dialect: Dialect) -> Iterator[Finding]:
    """Lower bounds above upper bounds: no value satisfies the schema."""
    value = node.value
    for low, high in _RANGES:
        if _number(value.get(low)) and _number(value.get(high)) and value[low] > value[high]:
            yield _range_issue(node, low, high)
    lower = _bound(value, "minimum", "exclusiveMinimum", dialect)
    upper = _bound(value, "maximum", "exclusiveMaximum", dialect)
    if lower and upper:
        (low, low_value, low_strict), (high, high_value, high_strict) = lower, upper
        if low_value > high_value or (low_value == high_value and (low_strict or high_strict)):
            yield _range_issue(node, low, high)


def _bound(
    value: dict[str, Any], inclusive: str, exclusive: str, dialect: Dialect
) -> tuple[str, float, bool] | None:
    """(keyword, bound, strict) of the tighter bound, honouring 3.0's boolean exclusives."""
    flag = value.get(exclusive)
    if dialect is not Dialect.OPENAPI_3_1 or isinstance(flag, bool):
        return (
            (inclusive, value[inclusive], flag is True) if _number(value.get(inclusive)) else None
        )
    candidates = []
    if _number(value.get(inclusive)):
        candidates.append((inclusive, value[inclusive], False))
    if _number(flag):
        candidates.append((exclusive, flag, True))
    if not candidates:
        return None
    tighter = max if inclusive == "minimum" else min
    return tighter(candidates, key=lambda c: (c[1], c[2] if inclusive == "minimum" else not c[2]))


def _range_issue(node: Node, low: str, high: str) -> Finding:
    return Finding.at(
        "MS115",
        node.source,
        node.at(low),
        f"{low} {node.value[low]} is above {high} {node.value[high]}: no value can satisfy both",
        f"lower {low} or raise {high}",
    )


def iter_required_issues(node: Node, dialect: Dialect) -> Iterator[Finding]:
    """A ``required`` property that ``additionalProperties: false`` forbids."""
    value = node.value
    required = value.get("required")
    if value.get("additionalProperties") is not False or not isinstance(required, list):
        return
    if not _allows_type(value, "object") or _is_ref_only(value, dialect):
        return
    properties: Any = value.get("properties") or {}
    if not isinstance(properties, dict):
        return
    patterns = value.get("patternProperties")
    patterns = [str(p) for p in patterns] if isinstance(patterns, dict) else []
    for index, name in enumerate(required):
        if not isinstance(name, str) or name in properties:
            continue
        if any(_matches(p, name) for p in patterns):
            continue
        yield Finding.at(
            "MS116",
            node.source,
            node.at("required", index),
            f"{name!r} is required, but additionalProperties: false forbids it "
            "(it is not under properties)",
            f"declare {name!r} under properties, or drop it from required",
        )


def _matches(pattern: str, name: str) -> bool:
    if regex_problem(pattern):
        return True  # reported by the pattern check; do not pile on
    try:
        return ecma(pattern).search(name)
    except PatternTimeout:
        return True  # too slow to say: do not report what cannot be shown


def iter_enum_issues(node: Node, dialect: Dialect) -> Iterator[Finding]:
    """``enum`` and ``const`` values must be of the schema's own type."""
    value = node.value
    declared = value.get("type")
    if not isinstance(declared, str | list) or _is_ref_only(value, dialect):
        return
    types = {declared} if isinstance(declared, str) else {str(t) for t in declared}
    if value.get("nullable") is True or value.get("x-nullable") is True:
        types.add("null")
    candidates: list[tuple[str, Any]] = []
    if isinstance(value.get("enum"), list):
        candidates += [(node.at("enum", i), v) for i, v in enumerate(value["enum"])]
    if "const" in value and dialect is Dialect.OPENAPI_3_1:
        candidates.append((node.at("const"), value["const"]))
    for pointer, candidate in candidates:
        if not any(_is_type(candidate, t) for t in types):
            yield Finding.at(
                "MS117",
                node.source,
                pointer,
                f"{_json_type(candidate)} {candidate!r} is not of the schema's type "
                f"{' or '.join(sorted(types))}, so it can never be valid",
                f"write it as {' or '.join(sorted(types))}, or widen the type",
            )


def iter_array_items_issues(node: Node, dialect: Dialect) -> Iterator[Finding]:
    """2.0 and 3.0 require ``items`` beside ``type: array``."""
    if dialect is Dialect.OPENAPI_3_1 or node.value.get("type") != "array":
        return
    if "items" not in node.value and "$ref" not in node.value:
        yield Finding.at(
            "MS125",
            node.source,
            node.pointer,
            "type: array without items; OpenAPI 3.0 and Swagger 2.0 require items here",
            "add items: with the schema of each element (items: {} for anything)",
        )


def iter_keyword_type_issues(node: Node, dialect: Dialect) -> Iterator[Finding]:
    """Keywords that can never apply under the declared type (properties on a string)."""
    declared = node.value.get("type")
    if not isinstance(declared, str):
        return
    misplaced = []
    if declared != "object":
        misplaced += [
            k for k in _OBJECT_ONLY if k in node.value and declared in (*_SCALARS, "array")
        ]
    if declared != "array":
        misplaced += [k for k in _ARRAY_ONLY if k in node.value]
    for keyword in misplaced[:1]:
        yield Finding.at(
            "MS130",
            node.source,
            node.at(keyword),
            f"{keyword} applies only to {'arrays' if keyword in _ARRAY_ONLY else 'objects'}, "
            f"but the schema's type is {declared}: it is ignored",
            f"change the type, or remove {keyword}",
        )


def iter_ref_sibling_issues(node: Node, dialect: Dialect) -> Iterator[Finding]:
    """In 2.0 and 3.0 everything beside ``$ref`` is ignored; a keyword there is lost."""
    if dialect is Dialect.OPENAPI_3_1 or not isinstance(node.value.get("$ref"), str):
        return
    for key in node.value:
        ignored = key not in _ANNOTATIONS and (not key.startswith("x-") or key == "x-nullable")
        if key != "$ref" and ignored:
            yield Finding.at(
                "MS126",
                node.source,
                node.at(key),
                f"{key} beside $ref is ignored: this version reads only the $ref",
                "wrap both in allOf: [{$ref: ...}] with the keyword beside the allOf",
            )
            return


def iter_nullable_issues(node: Node, dialect: Dialect) -> Iterator[Finding]:
    """3.0's ``nullable: true`` means nothing without a ``type`` beside it."""
    value = node.value
    if dialect is Dialect.OPENAPI_3_0 and value.get("nullable") is True and "type" not in value:
        if "$ref" in value:
            return  # reported as a $ref sibling
        yield Finding.at(
            "MS127",
            node.source,
            node.at("nullable"),
            "nullable: true without a type has no effect (OpenAPI 3.0.3)",
            "add the type beside nullable",
        )


def iter_discriminator_issues(
    node: Node, dialect: Dialect, resolver: RefResolver
) -> Iterator[Finding]:
    """Mapping targets must exist; 2.0's property must be defined and required."""
    discriminator = node.value.get("discriminator")
    if dialect is Dialect.SWAGGER_2:
        if isinstance(discriminator, str):
            yield from _swagger_discriminator(node, discriminator)
        return
    if not isinstance(discriminator, dict) or not isinstance(discriminator.get("mapping"), dict):
        return
    for name, target in discriminator["mapping"].items():
        if isinstance(target, str) and not _mapping_exists(target, node, resolver):
            yield Finding.at(
                "MS118",
                node.source,
                node.at("discriminator", "mapping", str(name)),
                f"discriminator mapping {name!r} points at {target!r}, which does not exist",
                "map to an existing schema: a name under components/schemas or a $ref",
            )


def _mapping_exists(target: str, node: Node, resolver: RefResolver) -> bool:
    ref = target if ("/" in target or "#" in target) else f"#/components/schemas/{target}"
    if ref.startswith("#") and node.source is not resolver.root:
        ref = resolver.root.path.name + ref  # mapping names resolve in the root document
    try:
        resolver.locate(ref, node.source, node.at("discriminator"))
    except MockserverError:
        return False
    return True


def _swagger_discriminator(node: Node, name: str) -> Iterator[Finding]:
    properties = node.value.get("properties")
    required = node.value.get("required")
    defined = isinstance(properties, dict) and name in properties
    if defined and isinstance(required, list) and name in required:
        return
    yield Finding.at(
        "MS119",
        node.source,
        node.at("discriminator"),
        f"discriminator {name!r} must be "
        + ("listed in required" if defined else "defined under properties and listed in required"),
        f"add {name!r} to properties and to required",
    )


def _allows_type(value: dict[str, Any], name: str) -> bool:
    declared = value.get("type")
    if declared is None:
        return "properties" in value
    return declared == name or (isinstance(declared, list) and name in declared)


def _is_ref_only(value: dict[str, Any], dialect: Dialect) -> bool:
    return dialect is not Dialect.OPENAPI_3_1 and "$ref" in value


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_type(value: Any, name: str) -> bool:
    checks: dict[str, Callable[[Any], bool]] = {
        "null": lambda v: v is None,
        "boolean": lambda v: isinstance(v, bool),
        "integer": lambda v: _number(v) and float(v).is_integer(),
        "number": _number,
        "string": lambda v: isinstance(v, str),
        "array": lambda v: isinstance(v, list),
        "object": lambda v: isinstance(v, dict),
    }
    check = checks.get(name)
    return check is None or check(value)  # an unknown type name is the meta-schema's finding


def _json_type(value: Any) -> str:
    for name in ("null", "boolean", "integer", "number", "string", "array", "object"):
        if _is_type(value, name):
            return name
    return type(value).__name__


#: The checks that need nothing but the schema object and the dialect.
SCHEMA_CHECKS: tuple[SchemaCheck, ...] = (
    iter_pattern_issues,
    iter_range_issues,
    iter_required_issues,
    iter_enum_issues,
    iter_array_items_issues,
    iter_keyword_type_issues,
    iter_ref_sibling_issues,
    iter_nullable_issues,
)
#: The subset that applies to Swagger 2.0's inline parameter and header fields.
SIMPLE_CHECKS: tuple[SchemaCheck, ...] = (
    iter_pattern_issues,
    iter_range_issues,
    iter_enum_issues,
    iter_array_items_issues,
)
