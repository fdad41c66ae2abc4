"""Parsing is safe and every value has a position."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockserver.errors import LoadError
from mockserver.spec.source import MAX_DEPTH, Position, from_text, load_source
from tests.conftest import WriteDoc

YAML = """\
openapi: 3.1.0
info:
  title: t
  version: '1'
paths:
  /pets:
    get:
      responses:
        '200':
          description: ok
"""


def test_yaml_positions_name_line_and_column(write_doc: WriteDoc) -> None:
    source = load_source(write_doc(YAML))
    assert source.position("/info/title") == Position(3, 3)
    assert source.position("/paths/~1pets/get/responses/200") == Position(9, 9)


def test_json_positions_match_yaml_positions(write_doc: WriteDoc) -> None:
    text = '{\n  "a": {"b": [1, {"c": "x"}]},\n  "d~e/f": true\n}'
    source = load_source(write_doc(text, "doc.json"))
    assert source.position("/a/b/1/c") == Position(2, 19)
    assert source.position("/d~0e~1f") == Position(3, 3)


def test_unknown_pointer_falls_back_to_nearest_parent(write_doc: WriteDoc) -> None:
    source = load_source(write_doc(YAML))
    assert source.position("/info/nope/deeper") == source.position("/info")


def test_syntax_error_names_the_line(write_doc: WriteDoc) -> None:
    with pytest.raises(LoadError) as caught:
        load_source(write_doc("a: 1\nb: [1, 2\nc: 3\n"))
    assert caught.value.code == "MS002"
    assert caught.value.position is not None and caught.value.position.line >= 2


def test_alias_bomb_is_refused(write_doc: WriteDoc) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join(['*a' + str(i - 1)] * 9)}]" for i in range(1, 9)]
    with pytest.raises(LoadError) as caught:
        load_source(write_doc("\n".join(lines) + "\n"))
    assert caught.value.code == "MS004"


@pytest.mark.parametrize("name", ["deep.yaml", "deep.json"])
def test_absurdly_deep_documents_are_refused(write_doc: WriteDoc, name: str) -> None:
    text = "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)
    with pytest.raises(LoadError) as caught:
        load_source(write_doc(text, name))
    assert caught.value.code == "MS003"


def test_safe_loader_refuses_python_tags(write_doc: WriteDoc) -> None:
    with pytest.raises(LoadError):
        load_source(write_doc("a: !!python/object/apply:os.system ['true']\n"))


def test_invalid_utf8_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"a: 1\nb: \xff\xfe\n")
    with pytest.raises(LoadError) as caught:
        load_source(path)
    assert caught.value.position == Position(2, 1)
    assert "UTF-8" in caught.value.message


def test_missing_file_is_mS001(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as caught:
        load_source(tmp_path / "nope.yaml")
    assert caught.value.code == "MS001"


def test_non_string_keys_become_strings_and_are_listed() -> None:
    source = from_text("responses:\n  200: {description: ok}\n  true: 1\n  '201': {}\n")
    assert source.data == {"responses": {"200": {"description": "ok"}, "true": 1, "201": {}}}
    assert source.non_string_keys == ("/responses/200", "/responses/true")


def test_json_keys_are_strings_already() -> None:
    assert from_text('{"200": {}}', is_json=True).non_string_keys == ()


def test_a_json_file_beyond_ascii_is_kept_as_its_bytes(tmp_path: Path) -> None:
    """One emoji makes a str four bytes a character: the bytes are kept instead, and the
    text, the positions and the data are as they were."""
    text = '{\n  "info": {"title": "\U0001f6a2 ships"},\n  "paths": {}\n}\n'
    path = tmp_path / "api.json"
    path.write_text(text, encoding="utf-8")
    source = load_source(path)
    assert isinstance(source.body, bytes) and source.body == text.encode()
    assert source.text == text
    assert source.data["info"]["title"] == "\U0001f6a2 ships"
    assert source.position("/paths") == Position(3, 3)


@pytest.mark.parametrize(
    "text",
    [
        '{"big": 123456789012345678901234567890}',  # beyond 64 bits
        '{"small": -9223372036854775809, "large": 18446744073709551616}',  # just beyond
        '{"inf": 1e400}',
        '{"x": NaN, "y": -Infinity}',  # not JSON, but the standard parser's
        '{"lone": "\\ud800"}',  # a lone surrogate escape
        '\ufeff{"bom": [1, 2.5, -0.0, true, null]}',
    ],
    ids=["big-int", "beyond-64-bits", "inf", "nan", "surrogate", "bom"],
)
def test_what_the_fast_parser_refuses_reads_as_the_standard_one_reads_it(
    tmp_path: Path, text: str
) -> None:
    path = tmp_path / "api.json"
    path.write_text(text, encoding="utf-8")
    expected = json.loads(text.removeprefix("\ufeff"))
    data = load_source(path).data
    assert json.dumps(data, sort_keys=True) == json.dumps(expected, sort_keys=True)


def test_invalid_json_still_names_its_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    path.write_text('{\n  "a": 1,\n  "b": \n}\n', encoding="utf-8")
    with pytest.raises(LoadError) as raised:
        load_source(path)
    assert raised.value.position == Position(4, 1)
