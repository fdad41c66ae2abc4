"""Writes that stick: create, list, get, replace, update, delete, per session, resettable.

On a CRUD document (tests/data/crud-3.1.yaml: owners, and their pets nested under them)
and on the Swagger 2.0 petstore, through the served app.
"""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.errors import SpecError
from mockserver.serve.mount import MountedApi, ServeOptions, load_apis
from mockserver.serve.state import open_store
from tests.conftest import CONTROL, DATA, TOKEN, Client, MakeClient, minimal_doc

API = "/crud-3.1/api"
MERGE = {**TOKEN, "Content-Type": "application/merge-patch+json"}
JSON_PATCH = {**TOKEN, "Content-Type": "application/json-patch+json"}


@pytest.fixture
def clinic(make_client: MakeClient) -> Client:
    return make_client(DATA / "crud-3.1.yaml", fixtures_dir=None)


def session(name: str) -> dict[str, str]:
    return {**TOKEN, "X-Mock-Session": name}


def owner_ids(client: Client, headers: dict[str, str] = TOKEN, query: str = "") -> list[Any]:
    body = client.get(f"{API}/owners?limit=100{query}", headers=headers).json()
    return [o["id"] for o in body["items"]]


def create_owner(client: Client, headers: dict[str, str] = TOKEN, **fields: Any) -> Any:
    body = {"name": "Ada Lovelace", "city": "London", **fields}
    response = client.post(f"{API}/owners", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response


class TestCreate:
    def test_a_create_takes_the_next_integer_id_and_shows_in_list_filter_and_get(
        self, clinic: Client
    ) -> None:
        before = owner_ids(clinic)
        created = create_owner(clinic).json()
        assert created["id"] == max(before) + 1
        assert sorted(owner_ids(clinic)) == sorted([*before, created["id"]])
        assert owner_ids(clinic, query="&city=London") == [created["id"]]
        fetched = clinic.get(f"{API}/owners/{created['id']}", headers=TOKEN)
        assert fetched.status_code == 200 and fetched.json() == created

    def test_read_only_fields_are_the_server_s_and_write_only_ones_never_come_back(
        self, clinic: Client
    ) -> None:
        created = create_owner(
            clinic, id=9999, createdAt="1999-01-01T00:00:00Z", password="correct horse"
        ).json()
        assert created["id"] != 9999 and created["createdAt"] != "1999-01-01T00:00:00Z"
        assert "password" not in created
        fetched = clinic.get(f"{API}/owners/{created['id']}", headers=TOKEN).json()
        listed = clinic.get(f"{API}/owners?limit=100", headers=TOKEN).json()["items"]
        assert "password" not in fetched and all("password" not in o for o in listed)

    def test_location_points_at_the_new_record(self, clinic: Client) -> None:
        response = create_owner(clinic)
        location = response.headers["location"]
        assert location == f"{API}/owners/{response.json()['id']}"
        assert clinic.get(location, headers=TOKEN).json() == response.json()

    def test_uuid_ids_for_a_uuid_schema_reproducible_with_the_seed(
        self, make_client: MakeClient
    ) -> None:
        def first_pet_id(seed: int) -> str:
            client = make_client(DATA / "crud-3.1.yaml", fixtures_dir=None, seed=seed)
            body = {"name": "Rex", "species": "dog"}
            response = client.post(f"{API}/owners/1/pets", json=body, headers=TOKEN)
            assert response.status_code == 201, response.text
            return str(response.json()["id"])

        one, again, other = first_pet_id(1), first_pet_id(1), first_pet_id(2)
        assert one == again != other
        assert len(one) == 36 and one[14] == "4"

    def test_a_record_that_would_not_read_back_valid_is_refused_naming_the_field(
        self, clinic: Client
    ) -> None:
        response = clinic.post(
            f"{API}/owners/1/pets", json={"name": "Rex", "species": "dragon"}, headers=TOKEN
        )
        assert response.status_code == 400
        assert "species" in response.text and "dragon" in response.text


class TestNested:
    def test_pets_are_scoped_by_their_owner(self, clinic: Client) -> None:
        owner = create_owner(clinic).json()["id"]
        assert clinic.get(f"{API}/owners/{owner}/pets", headers=TOKEN).json() == []
        pet = clinic.post(
            f"{API}/owners/{owner}/pets", json={"name": "Rex", "species": "dog"}, headers=TOKEN
        ).json()
        assert pet["ownerId"] == owner
        assert clinic.get(f"{API}/owners/{owner}/pets", headers=TOKEN).json() == [pet]
        assert pet["id"] not in [
            p["id"] for p in clinic.get(f"{API}/owners/1/pets", headers=TOKEN).json()
        ]
        assert clinic.get(f"{API}/owners/1/pets/{pet['id']}", headers=TOKEN).status_code == 404

    def test_a_parent_that_does_not_exist_is_404(self, clinic: Client) -> None:
        body = {"name": "Rex", "species": "dog"}
        assert clinic.post(f"{API}/owners/4040/pets", json=body, headers=TOKEN).status_code == 404
        assert clinic.get(f"{API}/owners/4040/pets", headers=TOKEN).status_code == 404


class TestChange:
    def test_put_replaces_but_keeps_the_server_s_fields(self, clinic: Client) -> None:
        created = create_owner(clinic, email="ada@example.com").json()
        url = f"{API}/owners/{created['id']}"
        replaced = clinic.request("PUT", url, json={"name": "Ada", "city": "Paris"}, headers=TOKEN)
        assert replaced.status_code == 200
        assert replaced.json() == {
            "id": created["id"],
            "createdAt": created["createdAt"],
            "name": "Ada",
            "city": "Paris",
        }
        assert clinic.get(url, headers=TOKEN).json() == replaced.json()

    def test_patch_merges_as_json_merge_patch(self, clinic: Client) -> None:
        pet = clinic.get(f"{API}/owners/1/pets", headers=TOKEN).json()[0]
        url = f"{API}/owners/1/pets/{pet['id']}"
        patched = clinic.request("PATCH", url, json={"age": 7, "tags": None}, headers=MERGE)
        assert patched.status_code == 200
        expected = {k: v for k, v in pet.items() if k != "tags"} | {"age": 7}
        assert patched.json() == expected == clinic.get(url, headers=TOKEN).json()

    def test_patch_applies_a_json_patch(self, clinic: Client) -> None:
        pet = clinic.get(f"{API}/owners/1/pets", headers=TOKEN).json()[0]
        url = f"{API}/owners/1/pets/{pet['id']}"
        ops = [
            {"op": "replace", "path": "/name", "value": "Max"},
            {"op": "add", "path": "/age", "value": 2},
        ]
        patched = clinic.request("PATCH", url, json=ops, headers=JSON_PATCH)
        assert patched.status_code == 200
        assert patched.json()["name"] == "Max" and patched.json()["age"] == 2

    def test_a_patch_that_breaks_the_record_or_cannot_apply_is_400(self, clinic: Client) -> None:
        pet = clinic.get(f"{API}/owners/1/pets", headers=TOKEN).json()[0]
        url = f"{API}/owners/1/pets/{pet['id']}"
        removed = clinic.request(
            "PATCH", url, json=[{"op": "remove", "path": "/name"}], headers=JSON_PATCH
        )
        assert removed.status_code == 400 and "'name' is a required property" in removed.text
        missing = [{"op": "remove", "path": "/nope"}]
        assert clinic.request("PATCH", url, json=missing, headers=JSON_PATCH).status_code == 400
        assert clinic.get(url, headers=TOKEN).json() == pet

    def test_delete_then_get_is_the_documented_404_and_the_list_forgets_it(
        self, clinic: Client
    ) -> None:
        owner = owner_ids(clinic)[0]
        assert clinic.request("DELETE", f"{API}/owners/{owner}", headers=TOKEN).status_code == 204
        gone = clinic.get(f"{API}/owners/{owner}", headers=TOKEN)
        assert (
            gone.status_code == 404 and gone.headers["content-type"] == "application/problem+json"
        )
        assert owner not in owner_ids(clinic)
        assert clinic.request("DELETE", f"{API}/owners/{owner}", headers=TOKEN).status_code == 404

    def test_an_id_never_created_is_404(self, clinic: Client) -> None:
        assert clinic.get(f"{API}/owners/777", headers=TOKEN).status_code == 404


class TestSessions:
    def test_two_sessions_do_not_see_each_other_s_writes(self, clinic: Client) -> None:
        alice = create_owner(clinic, session("alice")).json()["id"]
        bob_owner = create_owner(clinic, session("bob"), name="Bob").json()
        assert bob_owner["id"] == alice  # each session has its own sequence
        assert clinic.get(f"{API}/owners/{alice}", headers=session("alice")).json()["name"] == (
            "Ada Lovelace"
        )
        assert clinic.get(f"{API}/owners/{alice}", headers=session("bob")).json()["name"] == "Bob"
        assert clinic.get(f"{API}/owners/{alice}", headers=TOKEN).status_code == 404

    def test_the_cookie_names_a_session_too(self, clinic: Client) -> None:
        owner = create_owner(clinic, {**TOKEN, "Cookie": "mock_session=browser"}).json()["id"]
        found = clinic.get(f"{API}/owners/{owner}", headers=session("browser"))
        assert found.status_code == 200

    def test_a_session_name_no_store_can_keep_is_400(self, clinic: Client) -> None:
        response = clinic.get(f"{API}/owners", headers=session("a b*"))
        assert response.status_code == 400 and "X-Mock-Session" in response.text

    def test_reset_one_session_or_all(self, clinic: Client) -> None:
        base = owner_ids(clinic)
        for name in ("alice", "bob"):
            create_owner(clinic, session(name))
        assert clinic.post("/__mock/reset?session=alice", headers=CONTROL).json() == {
            "reset": "alice"
        }
        assert owner_ids(clinic, session("alice")) == base
        assert owner_ids(clinic, session("bob")) != base
        assert clinic.post("/__mock/reset", headers=CONTROL).status_code == 200
        assert owner_ids(clinic, session("bob")) == base

    def test_state_shows_what_each_session_changed(self, clinic: Client) -> None:
        owner = create_owner(clinic, session("alice")).json()["id"]
        clinic.request("DELETE", f"{API}/owners/1", headers=session("alice"))
        state = clinic.get("/__mock/state").json()
        assert state["store"] == "memory:"
        changed = state["sessions"]["alice"]["datasets"]["crud-3.1/owners"]
        assert changed == {"written": [str(owner)], "deleted": ["1"]}

    def test_control_routes_refuse_other_methods_and_paths(self, clinic: Client) -> None:
        assert clinic.get("/__mock/reset").status_code == 405
        assert clinic.get("/__mock/nope").status_code == 404
        assert clinic.post("/__mock/reset?session=a%20b", headers=CONTROL).status_code == 400

    def test_a_remembered_read_never_hides_a_write(self, clinic: Client) -> None:
        url = f"{API}/owners?limit=100"
        first = clinic.get(url, headers=TOKEN).content
        assert clinic.get(url, headers=TOKEN).content == first
        create_owner(clinic)
        assert clinic.get(url, headers=TOKEN).content != first
        clinic.post("/__mock/reset", headers=CONTROL)
        assert clinic.get(url, headers=TOKEN).content == first

    def test_the_index_page_documents_sessions_and_control_routes(self, clinic: Client) -> None:
        page = clinic.get("/").text
        assert "X-Mock-Session" in page and "/__mock/reset" in page and "/__mock/state" in page


class TestPetstoreV2:
    PET = "/v2/pet"

    @pytest.fixture
    def petstore(self, make_client: MakeClient) -> Client:
        return make_client(DATA / "petstore-v2.yaml", fixtures_dir=None)

    def test_a_pet_never_created_is_404(self, petstore: Client) -> None:
        assert petstore.get(f"{self.PET}/777", headers={"api_key": "mock-token"}).status_code == 404

    def test_create_get_find_delete(self, petstore: Client) -> None:
        key = {"api_key": "mock-token"}
        body = {"name": "doggie", "photoUrls": [], "status": "sold"}
        created = petstore.post(self.PET, json=body, headers=TOKEN)
        assert created.status_code == 200, created.text  # the document declares 200
        pet = created.json()
        assert petstore.get(f"{self.PET}/{pet['id']}", headers=key).json() == pet
        sold = petstore.get(f"{self.PET}/findByStatus?status=sold", headers=key).json()
        assert pet in sold
        deleted = petstore.request("DELETE", f"{self.PET}/{pet['id']}", headers=TOKEN)
        # DELETE /pet/{petId} declares only 400 and 404: the delete happens, and the answer
        # is a declared status with a Warning saying no 2xx is declared
        assert deleted.status_code == 400 and "declares no 2xx" in deleted.headers["warning"]
        assert petstore.get(f"{self.PET}/{pet['id']}", headers=key).status_code == 404

    def test_a_client_id_is_kept_when_the_schema_lets_it(self, petstore: Client) -> None:
        body = {"id": 777, "name": "doggie", "photoUrls": []}
        assert petstore.post(self.PET, json=body, headers=TOKEN).json()["id"] == 777
        assert petstore.get(f"{self.PET}/777", headers={"api_key": "mock-token"}).status_code == 200
        again = petstore.post(self.PET, json=body, headers=TOKEN)
        # a conflict is a 409, undeclared (the declared "405 Invalid input" would be a
        # different refusal), with a Warning naming the gap
        assert again.status_code == 409 and "id 777 already exists" in again.text
        assert "409 is not declared" in again.headers["warning"]


def test_export_jobs_belong_to_their_session(vendored: Client) -> None:
    url = "/anaconda/api/audit-logs/export"
    job = vendored.post(url, json={}, headers=session("exporter")).json()["job_id"]
    assert vendored.get(f"{url}/{job}", headers=session("exporter")).status_code == 200
    assert vendored.get(f"{url}/{job}", headers=session("someone-else")).status_code == 404


def test_the_vendored_audit_logs_stay_read_only(vendored_apis: list[MountedApi]) -> None:
    behaviours = {p.behaviour.behaviour for a in vendored_apis for p in a.plans if p.behaviour}
    assert behaviours.isdisjoint({"create", "replace", "update", "delete"})


def test_a_document_under_the_control_prefix_is_refused(write_doc: Any) -> None:
    doc = minimal_doc(**{"/__mock/things": {"get": {"responses": {"200": {"description": "x"}}}}})
    path = write_doc(doc)
    with pytest.raises(SpecError, match=r"/__mock/things.*control routes"):
        load_apis([path], ServeOptions(fixtures_dir=None, state=open_store("memory:")))


def test_a_declaration_names_the_writes_and_the_id_rule(
    make_client: MakeClient, tmp_path: Any
) -> None:
    folder = tmp_path / "fixtures" / "keywords-3.1"
    folder.mkdir(parents=True)
    (folder / "things.json").write_text('[{"id": "small-1", "kind": "widget", "point": [1, 2]}]')
    (folder / "mock.yaml").write_text(
        "datasets:\n  things: {file: things.json, id: id, id-rule: objectid}\n"
        "operations:\n"
        "  listThings: {behaviour: list, items: /items}\n"
        "  getThing: {behaviour: get, param: thingId}\n"
        "  createThing: {behaviour: create}\n"
    )
    client = make_client(DATA / "keywords-3.1.yaml", fixtures_dir=tmp_path / "fixtures")
    base = "/keywords-3.1/zoo/v1/things"
    created = client.post(base, json={"kind": "widget", "point": [3, 4]}, headers=TOKEN)
    assert created.status_code == 201, created.text
    made = created.json()["id"]
    assert len(made) == 24 and int(made, 16) >= 0
    assert client.get(f"{base}/{made}", headers=TOKEN).json() == created.json()
    listed = client.get(base, headers=TOKEN).json()["items"]
    assert {t["id"] for t in listed} == {"small-1", made}
