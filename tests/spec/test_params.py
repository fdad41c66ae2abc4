"""Parameter styles read back the values the OpenAPI specification serialises them from.

The oracle is the specification's own "Style Examples" table (OAS 3.1.1 / 3.0.4, which
corrected the ``label``, ``explode: false`` row to RFC 6570's ``.blue,black,brown``): a
parameter named ``color`` holding ``"blue"``, ``["blue", "black", "brown"]`` or
``{"R": 100, "G": 200, "B": 150}``, serialised in each style.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from referencing import Registry

from mockserver.spec.loader import load_document
from mockserver.spec.model import Dialect, Parameter, ParameterLocation, Schema
from mockserver.spec.params import coerce, read_parameter, shape_of, undefined_serialisation
from mockserver.spec.sentinel import NOT_SENT
from tests.conftest import WriteDoc, minimal_doc

STRING = {"type": "string"}
ARRAY = {"type": "array", "items": {"type": "string"}}
OBJECT = {
    "type": "object",
    "properties": {"R": {"type": "integer"}, "G": {"type": "integer"}, "B": {"type": "integer"}},
}
BLUE = "blue"
COLORS = ["blue", "black", "brown"]
RGB = {"R": 100, "G": 200, "B": 150}


def _schema(value: Any) -> Schema:
    return Schema(value, Dialect.OPENAPI_3_1, None, Path("api.yaml"), "/schema")


def _read(
    location: ParameterLocation,
    style: str,
    explode: bool,
    schema: Any,
    name: str = "color",
    **sources: Any,
) -> Any:
    param = Parameter(name, location, True, _schema(schema), style, explode, "/parameters/0")
    return read_parameter(param, shape_of(param.schema, Registry()), **sources)


# (style, explode, string, array, object) as the specification's table writes them.
PATH_TABLE = [
    ("simple", False, "blue", "blue,black,brown", "R,100,G,200,B,150"),
    ("simple", True, "blue", "blue,black,brown", "R=100,G=200,B=150"),
    ("label", False, ".blue", ".blue,black,brown", ".R,100,G,200,B,150"),
    ("label", True, ".blue", ".blue.black.brown", ".R=100.G=200.B=150"),
    ("matrix", False, ";color=blue", ";color=blue,black,brown", ";color=R,100,G,200,B,150"),
    ("matrix", True, ";color=blue", ";color=blue;color=black;color=brown", ";R=100;G=200;B=150"),
]
PATH_CASES = [
    pytest.param(style, explode, schema, raw, expected, id=f"{style}-{explode}-{kind}")
    for style, explode, *raws in PATH_TABLE
    for kind, schema, raw, expected in zip(
        ("string", "array", "object"),
        (STRING, ARRAY, OBJECT),
        raws,
        (BLUE, COLORS, RGB),
        strict=True,
    )
]


@pytest.mark.parametrize(("style", "explode", "schema", "raw", "expected"), PATH_CASES)
def test_path_styles_read_the_specification_examples(
    style: str, explode: bool, schema: Any, raw: str, expected: Any
) -> None:
    assert _read("path", style, explode, schema, path={"color": raw}) == expected


@pytest.mark.parametrize(("style", "raw"), [("matrix", ";color"), ("label", ".")])
def test_path_styles_read_an_empty_string(style: str, raw: str) -> None:
    assert _read("path", style, False, STRING, path={"color": raw}) == ""


HEADER_TABLE = [
    (False, "blue", "blue,black,brown", "R,100,G,200,B,150"),
    (True, "blue", "blue,black,brown", "R=100,G=200,B=150"),
]
HEADER_CASES = [
    pytest.param(explode, schema, raw, expected, id=f"simple-{explode}-{kind}")
    for explode, *raws in HEADER_TABLE
    for kind, schema, raw, expected in zip(
        ("string", "array", "object"),
        (STRING, ARRAY, OBJECT),
        raws,
        (BLUE, COLORS, RGB),
        strict=True,
    )
]


@pytest.mark.parametrize(("explode", "schema", "raw", "expected"), HEADER_CASES)
def test_header_simple_style_reads_the_specification_examples(
    explode: bool, schema: Any, raw: str, expected: Any
) -> None:
    assert _read("header", "simple", explode, schema, headers={"color": raw}) == expected


def test_header_names_ignore_case() -> None:
    # The request's headers arrive keyed by lower-case name; the document may write any case.
    value = _read("header", "simple", False, STRING, name="X-Color", headers={"x-color": "blue"})
    assert value == "blue"


Q = list[tuple[str, str]]
QUERY_CASES = [
    pytest.param("form", False, STRING, [("color", "blue")], BLUE, id="form-false-string"),
    pytest.param(
        "form", False, ARRAY, [("color", "blue,black,brown")], COLORS, id="form-false-array"
    ),
    pytest.param(
        "form", False, OBJECT, [("color", "R,100,G,200,B,150")], RGB, id="form-false-object"
    ),
    pytest.param("form", True, STRING, [("color", "blue")], BLUE, id="form-true-string"),
    pytest.param(
        "form",
        True,
        ARRAY,
        [("color", "blue"), ("color", "black"), ("color", "brown")],
        COLORS,
        id="form-true-array",
    ),
    pytest.param(
        "form", True, OBJECT, [("R", "100"), ("G", "200"), ("B", "150")], RGB, id="form-true-object"
    ),
    # The table percent-encodes the space and the pipe; the query arrives decoded.
    pytest.param(
        "spaceDelimited",
        False,
        ARRAY,
        [("color", "blue black brown")],
        COLORS,
        id="spaceDelimited-false-array",
    ),
    pytest.param(
        "spaceDelimited",
        False,
        OBJECT,
        [("color", "R 100 G 200 B 150")],
        RGB,
        id="spaceDelimited-false-object",
    ),
    pytest.param(
        "pipeDelimited",
        False,
        ARRAY,
        [("color", "blue|black|brown")],
        COLORS,
        id="pipeDelimited-false-array",
    ),
    pytest.param(
        "pipeDelimited",
        False,
        OBJECT,
        [("color", "R|100|G|200|B|150")],
        RGB,
        id="pipeDelimited-false-object",
    ),
    pytest.param(
        "deepObject",
        True,
        OBJECT,
        [("color[R]", "100"), ("color[G]", "200"), ("color[B]", "150")],
        RGB,
        id="deepObject-true-object",
    ),
]


@pytest.mark.parametrize(("style", "explode", "schema", "query", "expected"), QUERY_CASES)
def test_query_styles_read_the_specification_examples(
    style: str, explode: bool, schema: Any, query: Q, expected: Any
) -> None:
    assert _read("query", style, explode, schema, query=query) == expected


def test_query_form_reads_an_empty_string() -> None:
    assert _read("query", "form", True, STRING, query=[("color", "")]) == ""


def test_query_form_ignores_other_parameters() -> None:
    query = [("limit", "5"), ("color", "blue"), ("offset", "0")]
    assert _read("query", "form", True, STRING, query=query) == "blue"


def test_query_form_exploded_object_takes_only_its_own_properties() -> None:
    query = [("R", "100"), ("limit", "5"), ("G", "200"), ("B", "150")]
    assert _read("query", "form", True, OBJECT, query=query) == RGB


def test_query_array_items_are_coerced_to_the_item_type() -> None:
    schema = {"type": "array", "items": {"type": "integer"}}
    assert _read("query", "pipeDelimited", False, schema, query=[("ids", "1|2|3")], name="ids") == [
        1,
        2,
        3,
    ]


NESTED = {
    "type": "object",
    "properties": {
        "min": {"type": "integer"},
        "actor": {
            "type": "object",
            "properties": {"id": {"type": "string"}, "level": {"type": "integer"}},
        },
        "codes": {"type": "array", "items": {"type": "integer"}},
        "targets": {
            "type": "array",
            "items": {"type": "object", "properties": {"id": {"type": "string"}}},
        },
    },
}


def test_deep_object_reads_nested_brackets_with_each_leaf_typed() -> None:
    query = [("filter[actor][id]", "42"), ("filter[actor][level]", "3"), ("filter[min]", "5")]
    value = _read("query", "deepObject", True, NESTED, name="filter", query=query)
    assert value == {"actor": {"id": "42", "level": 3}, "min": 5}


def test_deep_object_reads_qs_style_indexes_as_lists() -> None:
    query = [("filter[codes][0]", "200"), ("filter[codes][1]", "404")]
    value = _read("query", "deepObject", True, NESTED, name="filter", query=query)
    assert value == {"codes": [200, 404]}


def test_deep_object_orders_indexes_numerically() -> None:
    query = [(f"filter[codes][{i}]", str(i)) for i in (10, 2, 0, 1)]
    value = _read("query", "deepObject", True, NESTED, name="filter", query=query)
    assert value == {"codes": [0, 1, 2, 10]}


def test_deep_object_reads_objects_inside_indexed_lists() -> None:
    query = [("filter[targets][0][id]", "a"), ("filter[targets][1][id]", "b")]
    value = _read("query", "deepObject", True, NESTED, name="filter", query=query)
    assert value == {"targets": [{"id": "a"}, {"id": "b"}]}


def test_deep_object_reads_a_top_level_qs_index_as_a_list() -> None:
    schema = {"type": "array", "items": {"type": "integer"}}
    query = [("a[0]", "7"), ("a[1]", "8")]
    assert _read("query", "deepObject", True, schema, name="a", query=query) == [7, 8]


def test_deep_object_ignores_parameters_of_another_name() -> None:
    query = [("filter[min]", "5"), ("filterx[min]", "6"), ("other[min]", "7")]
    value = _read("query", "deepObject", True, NESTED, name="filter", query=query)
    assert value == {"min": 5}


COOKIE_CASES = [
    pytest.param(STRING, "blue", BLUE, id="form-false-string"),
    pytest.param(ARRAY, "blue,black,brown", COLORS, id="form-false-array"),
    pytest.param(OBJECT, "R,100,G,200,B,150", RGB, id="form-false-object"),
]


@pytest.mark.parametrize(("schema", "raw", "expected"), COOKIE_CASES)
def test_cookie_form_style_reads_the_specification_examples(
    schema: Any, raw: str, expected: Any
) -> None:
    # The cookie's value is what follows ``color=`` in the table's form row.
    assert _read("cookie", "form", False, schema, cookies={"color": raw}) == expected


@pytest.mark.parametrize(
    ("location", "sources"),
    [
        ("query", {"query": [("other", "x")]}),
        ("query", {"query": []}),
        ("path", {"path": {}}),
        ("header", {"headers": {"other": "x"}}),
        ("cookie", {"cookies": {}}),
        ("cookie", {}),
    ],
)
def test_an_absent_parameter_is_missing(location: ParameterLocation, sources: Any) -> None:
    style = "form" if location in ("query", "cookie") else "simple"
    assert _read(location, style, style == "form", STRING, **sources) is NOT_SENT


def test_a_deep_object_without_entries_is_missing() -> None:
    query = [("color", "blue")]
    assert _read("query", "deepObject", True, OBJECT, query=query) is NOT_SENT


def test_a_referenced_schema_types_the_value(write_doc: WriteDoc) -> None:
    doc = minimal_doc(
        "3.1.0",
        **{
            "/things": {
                "get": {
                    "parameters": [
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"$ref": "#/components/schemas/Limit"},
                        },
                        {
                            "name": "ids",
                            "in": "query",
                            "explode": False,
                            "schema": {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/Limit"},
                            },
                        },
                    ],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    )
    doc["components"] = {"schemas": {"Limit": {"type": "integer"}}}
    document = load_document(write_doc(doc))
    operation = document.operations[0]
    query = [("limit", "5"), ("ids", "1,2")]
    limit, ids = (
        read_parameter(p, shape_of(p.schema, document.registry), query=query)
        for p in operation.parameters
    )
    assert (limit, ids) == (5, [1, 2])


@pytest.mark.parametrize(
    ("raw", "types", "expected"),
    [
        ("5", {"integer"}, 5),
        ("-5", {"integer"}, -5),
        ("+5", {"integer"}, 5),
        ("007", {"integer"}, 7),
        ("5.5", {"integer"}, "5.5"),
        ("five", {"integer"}, "five"),
        ("2", {"number"}, 2),
        ("1.5", {"number"}, 1.5),
        ("-.5", {"number"}, -0.5),
        ("1e3", {"number"}, 1000.0),
        ("1E-2", {"number"}, 0.01),
        ("2.5e+1", {"number"}, 25.0),
        ("1e", {"number"}, "1e"),
        ("true", {"boolean"}, True),
        ("false", {"boolean"}, False),
        ("True", {"boolean"}, "True"),
        ("yes", {"boolean"}, "yes"),
        ("null", {"integer", "null"}, None),
        ("", {"integer", "null"}, None),
        ("null", {"integer"}, "null"),
        ("null", {"string", "null"}, "null"),
        ("", {"string", "null"}, ""),
        ("5", {"string"}, "5"),
        ("true", {"string"}, "true"),
        ("null", {"string"}, "null"),
        ("5", set(), "5"),
    ],
)
def test_coerce(raw: str, types: set[str], expected: Any) -> None:
    value = coerce(raw, frozenset(types))
    assert value == expected and type(value) is type(expected)


def test_coerce_keeps_an_exponent_a_number_not_an_integer() -> None:
    # 1e3 is a JSON number; OpenAPI's integer excludes exponent forms.
    assert isinstance(coerce("1e3", frozenset({"number", "integer"})), float)


NESTED_ITEMS = {"type": "array", "items": OBJECT}
NESTED_PROPERTY = {"type": "object", "properties": {"rgb": OBJECT, "name": STRING}}


@pytest.mark.parametrize(
    ("schema", "style", "undefined"),
    [
        (NESTED_ITEMS, "simple", True),  # {R,100},{G,200}? the style table writes no such value
        (NESTED_ITEMS, "form", True),
        (NESTED_PROPERTY, "form", True),
        (NESTED_PROPERTY, "deepObject", False),  # read qs-style: rgb[R]=100
        ({"type": "array", "items": {"type": ["string", "object"]}}, "simple", False),
        (ARRAY, "simple", False),
        (OBJECT, "simple", False),
    ],
)
def test_nested_values_have_no_serialisation_the_style_table_defines(
    schema: dict[str, Any], style: str, undefined: bool
) -> None:
    location: ParameterLocation = "query" if style in ("form", "deepObject") else "header"
    param = Parameter("p", location, True, _schema(schema), style, False, "/p")
    found = undefined_serialisation(param, shape_of(param.schema, Registry()))
    assert (found is not None) is undefined
