"""The case format's reader: curl translation, answers and the body and header judges.

The Prism peer suite and our behavioural suite both trust bench/harness_case.py to read a
case as Prism's runner would; these pin the parts whose mistakes would pass a case silently.
"""

from __future__ import annotations

import pytest

from bench.harness_case import Answer, body_agrees, parse_answer, parse_case, translate
from tests.behaviour.test_cases import assert_headers


def test_combined_short_flags_and_data() -> None:
    request = translate(
        "curl -sIXGET 'http://localhost:4010/a?b=1' -H 'Prefer: code=404' --data-urlencode 'x=a b'"
    )
    assert (request.method, request.target, request.head_only) == ("GET", "/a?b=1", True)
    assert request.header("prefer") == "code=404"
    assert request.body == b"x=a%20b"
    assert request.header("content-type") == "application/x-www-form-urlencoded"


def test_head_and_form_fields() -> None:
    assert translate("curl --head http://h/x").method == "HEAD"
    request = translate(
        'curl -i -X POST http://h/p -H "Content-Type: multipart/form-data" -F "id="'
    )
    assert request.method == "POST"
    assert (request.header("content-type") or "").startswith("multipart/form-data; boundary=")
    assert b'name="id"\r\n\r\n\r\n' in request.body


def test_sections_and_answer() -> None:
    case = parse_case(
        "c",
        "====test====\nt\n====command====\ncurl x\n====expect-loose====\n"
        'HTTP/1.1 200 OK\ncontent-type: application/json\n\n{"a":1}\n',
    )
    assert case.mode == "loose"
    answer = parse_answer(case.expected)
    assert (answer.status, answer.media_type, answer.body) == (200, "application/json", '{"a":1}')


@pytest.mark.parametrize(
    ("expected", "got", "mode", "agrees"),
    [
        ('{"a":1}', '{"a": 1}', "exact", True),
        ('{"a":1}', '{"a":2}', "exact", False),
        ('{"a":1}', '{"a":2,"b":3}', "loose", True),
        ('{"a":1}', '{"b":3}', "loose", False),
        ('{"a":1,"b":2}', '{"b":1,"a":2}', "keys", False),
        ("", "anything", "loose", True),
        ("", "anything", "exact", False),
        ("pong", "ping", "loose", False),
        ("<a><b>1</b></a>", "<a><b>2</b></a>", "exact", True),
        ("<a><b>1</b></a>", "<a><c>1</c></a>", "exact", False),
    ],
)
def test_body_judge(expected: str, got: str, mode: str, agrees: bool) -> None:
    assert body_agrees(expected, got, mode) is agrees


def test_a_named_header_must_be_present() -> None:
    expected = Answer(401, {"www-authenticate": "*"}, "")
    with pytest.raises(AssertionError):
        assert_headers(expected, Answer(401, {}, ""))
    assert_headers(expected, Answer(401, {"www-authenticate": "Bearer"}, ""))


def test_an_answer_without_a_blank_line_states_no_body() -> None:
    assert not parse_answer("HTTP/1.1 200 OK\nnonce: abc").stated_body
    assert parse_answer("HTTP/1.1 200 OK\n\nok").stated_body
