"""The hostile-input suite: every probe of issue 20, against a real ``mockserver serve``.

The mock runs next to the developer's browser and on shared hosts; each probe here is a
request a hostile page or client could send. They run against a server in a subprocess so
that each is bounded by the client's timeout (:data:`BOUND`): a request that held the event
loop would fail the probe that follows it, not hang the suite. The probes that held before
the fixes are kept too, so they keep holding.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.cli.serve import add_serve, warn_if_exposed
from tests.conftest import CONTROL, FIXTURES, SPECS, VENDORED, serving

pytestmark = [pytest.mark.subprocess, pytest.mark.xdist_group("hostile")]

HERE = Path(__file__).resolve().parent / "hostile"
#: Seconds any probe may take: the client's timeout, not a timing assertion.
BOUND = 10.0
ALLOWED_ORIGIN = "http://allowed.example:3000"
EVIL = "https://evil.example"
AUDIT = "/launchdarkly/api/v2/auditlog"
ACCOUNTS = "/hostile/accounts"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The four vendored APIs and the probes' own document, served as a developer would,
    with one extra origin and one extra host name allowed."""
    root = tmp_path_factory.mktemp("hostile")
    specs, fixtures = root / "specs", root / "fixtures"
    specs.mkdir()
    fixtures.mkdir()
    shutil.copy(HERE / "hostile.yaml", specs / "hostile.yaml")
    (fixtures / "hostile").mkdir()
    for name in ("mock.yaml", "accounts.json"):
        shutil.copy(HERE / name, fixtures / "hostile" / name)
    for name in VENDORED:
        shutil.copy(SPECS / f"{name}.yaml", specs / f"{name}.yaml")
        (fixtures / name).symlink_to(FIXTURES / name)
    args = ("--fixtures", str(fixtures), "--cors-origin", ALLOWED_ORIGIN)
    with serving(str(specs), *args, "--allowed-host", "mock.internal") as url:
        yield url


@pytest.fixture(scope="module")
def client(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=BOUND) as made:
        yield made


def _last(client: httpx.Client) -> dict[str, Any]:
    entries = client.get("/__mock/journal?limit=1").json()["entries"]
    assert entries, "the journal holds no entry"
    return entries[0]  # type: ignore[no-any-return]


def _write(client: httpx.Client, session: str) -> None:
    created = client.post(ACCOUNTS, json={"name": "eve"}, headers={"X-Mock-Session": session})
    assert created.status_code == 201, created.text


def _sessions(client: httpx.Client) -> dict[str, Any]:
    return client.get("/__mock/state").json()["sessions"]  # type: ignore[no-any-return]


# -- cross-site reset -------------------------------------------------------------------


def test_a_simple_cross_site_post_does_not_reset(client: httpx.Client) -> None:
    _write(client, "victim")
    simple = {"Content-Type": "text/plain", "Origin": EVIL}
    refused = client.post("/__mock/reset", headers=simple, content=b"{}")
    assert refused.status_code == 403
    assert "Content-Type: application/json" in refused.json()["detail"]
    assert "victim" in _sessions(client)


def test_a_json_reset_from_a_foreign_origin_is_refused(client: httpx.Client) -> None:
    _write(client, "victim")
    refused = client.post("/__mock/reset", headers={**CONTROL, "Origin": EVIL})
    assert refused.status_code == 403
    assert "evil.example" in refused.json()["detail"]
    assert "victim" in _sessions(client)


@pytest.mark.parametrize(
    "headers",
    [
        CONTROL,
        {"X-Mock-Session": "victim"},
        {**CONTROL, "Origin": "http://localhost:5173"},
        {**CONTROL, "Origin": ALLOWED_ORIGIN},
    ],
    ids=["json", "custom-header", "local-origin", "cors-origin"],
)
def test_a_program_or_an_allowed_origin_resets(
    client: httpx.Client, headers: dict[str, str]
) -> None:
    _write(client, "victim")
    assert client.post("/__mock/reset?session=victim", headers=headers).status_code == 200
    assert "victim" not in _sessions(client)


def test_a_preflight_from_a_foreign_origin_is_refused(client: httpx.Client) -> None:
    preflight = {
        "Origin": EVIL,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    answer = client.options("/__mock/reset", headers=preflight)
    assert answer.headers.get("access-control-allow-origin") != EVIL
    assert answer.status_code >= 400


def test_a_cross_origin_journal_read_is_withheld_from_the_page(client: httpx.Client) -> None:
    answer = client.get("/__mock/journal", headers={"Origin": EVIL})
    assert "access-control-allow-origin" not in answer.headers


# -- DNS rebinding ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/__mock/journal", "/__mock/state", "/", AUDIT])
def test_a_foreign_host_is_answered_421_in_one_line(client: httpx.Client, path: str) -> None:
    answer = client.get(path, headers={"Host": "evil.example:8000"})
    assert answer.status_code == 421
    assert answer.text.count("\n") == 1 and "--allowed-host evil.example" in answer.text
    assert "entries" not in answer.text


@pytest.mark.parametrize(
    "host", ["localhost:8000", "127.0.0.1:8000", "[::1]:8000", "app.localhost", "MOCK.internal"]
)
def test_local_and_allowed_hosts_are_answered(client: httpx.Client, host: str) -> None:
    assert client.get("/__mock/state", headers={"Host": host}).status_code == 200


# -- credentials in the journal ---------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "secret"),
    [
        ('Digest username="ada", realm="r", nonce="n", uri="/", response="6629fae49393a053"',
         "6629fae49393a053"),
        ("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261202/us-east-1/s3/aws4_request, "
         "SignedHeaders=host, Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630",
         "AKIAIOSFODNN7EXAMPLE"),
        ("Basic YWRhOnMzY3JldA==", "YWRhOnMzY3JldA=="),
        ("Bearer eyJhbGciOiJIUzI1NiJ9.e30.s3cret", "s3cret"),
    ],
    ids=["digest", "sigv4", "basic", "bearer"],
)  # fmt: skip
def test_every_authorization_form_is_masked(client: httpx.Client, header: str, secret: str) -> None:
    client.get(AUDIT, headers={"Authorization": header})
    shown = json.dumps(_last(client))
    assert secret not in shown and "fe5f80f77d5f" not in shown
    assert header.split(" ")[0] + " ****" in shown


@pytest.mark.parametrize(
    "query",
    ["api%5Fkey=s3cret", "API_KEY=s3cret", "X-Amz-Signature=s3cret&X-Amz-Credential=s3cret"],
)
def test_query_credentials_are_masked_by_their_decoded_names(
    client: httpx.Client, query: str
) -> None:
    client.get(f"{ACCOUNTS}?{query}")
    entry = _last(client)
    assert "s3cret" not in json.dumps(entry)
    assert "=****" in entry["query"]


def test_secret_body_fields_are_masked_at_any_depth(client: httpx.Client) -> None:
    body = {"name": "ada", "password": "hunter2", "profile": {"pin": "0000", "nickname": "a"},
            "ssn": "078-05-1120"}  # fmt: skip
    client.post(ACCOUNTS, json=body)
    shown = json.loads(_last(client)["body"])
    assert shown["password"] == shown["profile"]["pin"] == shown["ssn"] == "****"
    assert (shown["name"], shown["profile"]["nickname"]) == ("ada", "a")


# -- Swagger UI, paths ------------------------------------------------------------------


def test_a_missing_swagger_ui_asset_is_404(client: httpx.Client) -> None:
    answer = client.get("/launchdarkly/ui/nope.js")
    assert answer.status_code == 404
    assert "Traceback" not in answer.text


TRAVERSALS = [
    f"{prefix}{step * 6}{target}"
    for prefix in ("/launchdarkly/ui/", "/launchdarkly/", "/__mock/")
    for step in ("../", "..%2f", "%2e%2e/", "%2e%2e%2f", "..%5c", "....//", "..;/", "%252e%252e/")
    for target in ("etc/passwd",)
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_path_traversal_leaks_a_file(client: httpx.Client, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code in (400, 401, 404, 405)
    assert "root:" not in answer.text


def test_twenty_four_traversal_variants_are_probed() -> None:
    assert len(set(TRAVERSALS)) == 24


@pytest.mark.parametrize("segments", [3_000, 10_000], ids=["19KiB", "60KiB"])
def test_a_long_path_does_not_stall_the_journal(client: httpx.Client, segments: int) -> None:
    path = "/launchdarkly/api/v2/" + "/".join(["abcde"] * segments)
    assert client.get(path).status_code == 404
    entry = _last(client)  # within BOUND, and so is every request after it
    assert entry["path"] == path and entry["status"] == 404
    assert client.get(AUDIT).status_code in (200, 401)


# -- patterns, bodies, limits -----------------------------------------------------------


def test_a_catastrophic_pattern_is_refused_naming_it(client: httpx.Client) -> None:
    answer = client.get(ACCOUNTS, params={"slow": "a" * 28 + "!"})
    assert 400 <= answer.status_code < 500
    assert "^(a|a)+$" in answer.text


def test_a_nested_quantifier_that_is_safe_stays_safe(client: httpx.Client) -> None:
    assert client.get(ACCOUNTS, params={"safe": "a" * 28 + "!"}).status_code == 400
    assert client.get(ACCOUNTS, params={"safe": "aaaa"}).status_code == 200


def test_an_error_body_lists_a_hundred_violations_and_counts_the_rest(
    client: httpx.Client,
) -> None:
    body = b"[" + b",".join([b'"x"'] * 100_000) + b"]"
    answer = client.post("/hostile/numbers", content=body, headers=CONTROL)
    assert answer.status_code == 400
    assert len(answer.content) < 100_000
    errors = answer.json()["errors"]
    assert len(errors) == 101
    assert all(e["message"] == "'x' is not of type 'integer'" for e in errors[:100])
    assert errors[100]["message"].startswith("the first 100 violations are listed;")
    assert "more" in errors[100]["message"]


def test_a_huge_declared_body_is_refused_unread(base: str) -> None:
    """100 MB declared, 2 bytes sent: the answer comes without waiting for the rest."""
    url = httpx.URL(base)
    head = (
        f"POST /hostile/numbers HTTP/1.1\r\nHost: {url.host}:{url.port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {100 * 1024 * 1024}\r\n\r\n{{}}"
    )
    with socket.create_connection((url.host, url.port or 80), timeout=BOUND) as sock:
        sock.sendall(head.encode())
        answer = sock.recv(4096)
    assert answer.split(b" ")[1] == b"413", answer


def test_deep_json_is_refused(client: httpx.Client) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    assert client.post("/hostile/numbers", content=body, headers=CONTROL).status_code == 400


def test_big_headers_are_refused(client: httpx.Client) -> None:
    answer = client.get(AUDIT, headers={"X-Big": "a" * 64 * 1024})
    assert answer.status_code in (400, 413, 431)


def test_many_query_parameters_are_refused(client: httpx.Client) -> None:
    query = "&".join(["a=1"] * 10_000)
    assert client.get(f"{ACCOUNTS}?{query}").status_code in (400, 414)


# -- binding ----------------------------------------------------------------------------


def test_the_default_bind_is_loopback() -> None:
    parser = argparse.ArgumentParser()
    add_serve(parser.add_subparsers())
    assert parser.parse_args(["serve"]).host == "127.0.0.1"


def test_binding_every_interface_warns_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    warn_if_exposed("0.0.0.0", None)
    line = capsys.readouterr().err
    assert line.count("\n") == 1
    assert "/__mock/reset" in line and "journal" in line and "--control-token" in line


def test_a_loopback_bind_does_not_warn(capsys: pytest.CaptureFixture[str]) -> None:
    warn_if_exposed("127.0.0.1", None)
    warn_if_exposed("localhost", None)
    assert capsys.readouterr().err == ""
