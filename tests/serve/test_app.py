"""The served app: mounts, the index, documents, Swagger UI, CORS, 404 and 405."""

from __future__ import annotations

import pytest

from mockserver.serve.app import create_app
from mockserver.serve.mount import ServeOptions, load_apis
from tests.conftest import DATA, TOKEN, MakeClient, WriteDoc, minimal_doc

KEYWORDS = DATA / "keywords-3.1.yaml"
PETSTORE = DATA / "petstore-v2.yaml"
API_KEY = {"api_key": "mock-token"}


def test_each_document_is_mounted_under_its_name_and_base_path(make_client: MakeClient) -> None:
    client = make_client(KEYWORDS, PETSTORE)
    assert client.get("/keywords-3.1/zoo/v1/things", headers=TOKEN).status_code == 200
    assert client.get("/petstore-v2/v2/pet/42", headers=API_KEY).status_code == 200
    assert client.get("/zoo/v1/things", headers=TOKEN).status_code == 404  # two documents


def test_a_single_document_is_also_served_at_its_base_path(make_client: MakeClient) -> None:
    client = make_client(PETSTORE)
    response = client.get("/v2/pet/42", headers=API_KEY)
    assert response.status_code == 200
    assert response.json()["id"] == 42  # the path id is echoed into the generated body


def test_index_lists_every_api_with_operations_and_swagger_ui(make_client: MakeClient) -> None:
    page = make_client(KEYWORDS, PETSTORE).get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for text in (
        "Keyword zoo",
        "/keywords-3.1/zoo/v1/ui/",
        "/petstore-v2/openapi.json",
        "/petstore-v2/v2/pet/{petId}",
        "mock-token",
    ):
        assert text in page.text


def test_openapi_json_is_the_original_document_pointed_at_the_mock(make_client: MakeClient) -> None:
    client = make_client(KEYWORDS, PETSTORE)
    document = client.get("/keywords-3.1/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "/keywords-3.1/zoo/v1", "description": "mockserver"}]
    assert "unevaluatedProperties" in document["components"]["schemas"]["Thing"]
    swagger = client.get("/petstore-v2/openapi.json").json()
    assert swagger["swagger"] == "2.0" and swagger["basePath"] == "/petstore-v2/v2"


def test_swagger_ui_is_served_per_api(make_client: MakeClient) -> None:
    response = make_client(KEYWORDS).get("/keywords-3.1/zoo/v1/ui/")
    assert response.status_code == 200 and "swagger-ui" in response.text.lower()


def test_unknown_paths_and_methods_get_404_and_405_with_allow(make_client: MakeClient) -> None:
    client = make_client(KEYWORDS, PETSTORE)
    assert client.get("/keywords-3.1/zoo/v1/nothing", headers=TOKEN).status_code == 404
    assert client.get("/not-an-api/x").status_code == 404
    response = client.request("DELETE", "/keywords-3.1/zoo/v1/things", headers=TOKEN)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.headers["content-type"] == "application/problem+json"


def test_local_origins_get_cors_and_preflight_is_answered(make_client: MakeClient) -> None:
    client = make_client(KEYWORDS)
    preflight = client.request(
        "OPTIONS",
        "/keywords-3.1/zoo/v1/things",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:5173"
    simple = client.get(
        "/keywords-3.1/zoo/v1/things", headers={**TOKEN, "Origin": "http://127.0.0.1:3000"}
    )
    assert simple.headers["access-control-allow-origin"] == "http://127.0.0.1:3000"
    foreign = client.get(
        "/keywords-3.1/zoo/v1/things", headers={**TOKEN, "Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in foreign.headers


def test_extra_cors_origins_are_allowed(make_client: MakeClient) -> None:
    client = make_client(KEYWORDS, cors_origins=("https://app.example.com",))
    response = client.get(
        "/keywords-3.1/zoo/v1/things", headers={**TOKEN, "Origin": "https://app.example.com"}
    )
    assert response.headers["access-control-allow-origin"] == "https://app.example.com"


def test_path_variables_that_are_not_identifiers_are_routed_by_their_own_names(
    make_client: MakeClient, write_doc: WriteDoc
) -> None:
    echo = {"type": "object", "properties": {"thing-id": {"type": "string"}}}
    doc = minimal_doc(
        **{
            "/things/{thing-id}/parts/{part.no}": {
                "get": {
                    "parameters": [
                        {
                            "name": "thing-id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "part.no",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": echo}},
                        },
                        "400": {"description": "bad"},
                    },
                }
            }
        }
    )
    client = make_client(write_doc(doc), fixtures_dir=None)
    answer = client.get("/api/things/a-1/parts/7")
    assert answer.status_code == 200 and answer.json()["thing-id"] == "a-1"
    refused = client.get("/api/things/a-1/parts/seven")
    assert refused.status_code == 400 and "part.no" in refused.text


def test_one_router_no_routing_view_is_added_to_connexion() -> None:
    [api] = load_apis([KEYWORDS], ServeOptions(fixtures_dir=None))
    app = create_app([api])
    assert app.middleware.apis == []  # the gate is the only router


@pytest.mark.parametrize("path", ["/things", "/things/small-1"])
def test_literal_paths_win_over_templates(make_client: MakeClient, path: str) -> None:
    response = make_client(KEYWORDS).get(f"/keywords-3.1/zoo/v1{path}", headers=TOKEN)
    assert response.status_code == 200


@pytest.mark.slow
def test_launchdarkly_s_full_document_is_served(make_client: MakeClient) -> None:
    client = make_client(DATA / "ld-openapi.full.json")
    flags = client.get("/api/v2/flags/default", headers={"Authorization": "mock-token"})
    assert flags.status_code == 200 and "items" in flags.json()
    member = client.get(
        "/ld-openapi.full/api/v2/members/abc",
        headers={"Authorization": "mock-token", "Prefer": "dynamic=true"},
    )
    assert member.status_code == 200 and member.json()["_id"] == "abc"


def test_swagger_ui_5_assets_and_redirect(make_client: MakeClient) -> None:
    client = make_client(KEYWORDS)
    page = client.get("/keywords-3.1/zoo/v1/ui/")
    assert 'url: "/keywords-3.1/zoo/v1/openapi.json"' in page.text
    bundle = client.get("/keywords-3.1/zoo/v1/ui/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.content) > 100_000
    redirect = client.get("/keywords-3.1/zoo/v1/ui")
    assert (redirect.status_code, redirect.headers["location"]) == (307, "/keywords-3.1/zoo/v1/ui/")


def _pet(**methods: object) -> dict[str, object]:
    json_pet = {"application/json": {"example": {"name": "Rex"}}}
    default = {"get": {"responses": {"200": {"description": "ok", "content": json_pet}}}}
    return minimal_doc("3.0.3", **{"/pet": {**default, **methods}})


def test_head_answers_as_get_without_a_body(make_client: MakeClient, write_doc: WriteDoc) -> None:
    client = make_client(write_doc(_pet()), fixtures_dir=None)
    got, head = client.get("/api/pet"), client.request("HEAD", "/api/pet")
    assert (head.status_code, head.headers["content-type"]) == (200, "application/json")
    assert head.content == b""
    assert head.headers["content-length"] == got.headers["content-length"] != "0"


def test_a_declared_head_is_answered_as_declared(
    make_client: MakeClient, write_doc: WriteDoc
) -> None:
    head = {"responses": {"204": {"description": "exists"}}}
    client = make_client(write_doc(_pet(head=head)), fixtures_dir=None)
    assert client.request("HEAD", "/api/pet").status_code == 204


def test_head_without_a_get_is_405(make_client: MakeClient, write_doc: WriteDoc) -> None:
    post = {"post": {"responses": {"201": {"description": "made"}}}}
    client = make_client(write_doc(minimal_doc("3.0.3", **{"/pet": post})), fixtures_dir=None)
    assert client.request("HEAD", "/api/pet").status_code == 405
