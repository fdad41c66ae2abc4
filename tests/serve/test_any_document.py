"""Documents no one here wrote: no 5xx, only declared statuses, never stricter than the document.

One regression test per class of failure an outside run (Schemathesis) found.
"""

from __future__ import annotations

import pytest

from tests.conftest import DATA, Client, MakeClient

PETSTORE = DATA / "petstore-v2.yaml"
CREDENTIALS = {"api_key": "any", "Authorization": "Bearer any"}


@pytest.fixture
def petstore(make_client: MakeClient) -> Client:
    return make_client(PETSTORE, fixtures_dir=None, any_token=True)


@pytest.mark.parametrize(
    ("method", "url", "form"),
    [
        ("POST", "/v2/pet/5", {"data": {"name": "rex", "status": "sold"}}),
        ("POST", "/v2/pet/5/uploadImage", {"files": {"file": ("a.txt", b"hi")}}),
    ],
)
def test_swagger_2_form_data_operations_answer_without_a_server_error(
    petstore: Client, method: str, url: str, form: dict[str, object]
) -> None:
    answer = petstore.request(method, url, headers=CREDENTIALS, **form)  # type: ignore[arg-type]
    assert answer.status_code < 500


@pytest.mark.parametrize("raw", ["%C2%88%0A", "%0A", "a%0Db", "%00", "%09x"])
def test_control_characters_in_a_path_id_get_the_documented_400(petstore: Client, raw: str) -> None:
    answer = petstore.get(f"/v2/pet/{raw}", headers=CREDENTIALS)
    assert answer.status_code == 400  # petId is an integer: a 400, never a 500
    assert "petId" in answer.text


def test_an_operation_declaring_no_success_answers_a_declared_status_and_says_so(
    petstore: Client,
) -> None:
    answer = petstore.request("DELETE", "/v2/pet/5", headers=CREDENTIALS)
    assert answer.status_code in (400, 404)  # what DELETE /pet/{petId} declares
    assert "declares no 2xx" in answer.headers["warning"]


def test_missing_credentials_answer_a_status_the_operation_declares(
    make_client: MakeClient,
) -> None:
    petstore = make_client(PETSTORE, fixtures_dir=None)
    answer = petstore.get("/v2/pet/5")  # getPetById declares 200, 400, 404 and no 401
    assert answer.status_code in (400, 404)
    assert "401" in answer.headers["warning"]
