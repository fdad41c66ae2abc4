"""A session's index brought up to date with only its later changes reads the same as one
built from every change; a reset in between leaves nothing stale behind.

Two apps share one ``memory:`` store: the first serves every write (its indexes move on
incrementally), the second is built after them (its indexes are built whole).
"""

from __future__ import annotations

import random
from typing import Any

from mockserver.serve.mount import ServeOptions
from mockserver.serve.state import StateStore, open_store
from tests.conftest import CONTROL, DATA, TOKEN, Client, MakeClient

API = "/crud-3.1/api"
S = {**TOKEN, "X-Mock-Session": "s"}


def app_on(make_client: MakeClient, store: StateStore) -> Client:
    return make_client(DATA / "crud-3.1.yaml", **vars(ServeOptions(fixtures_dir=None, state=store)))


def listing(client: Client) -> list[Any]:
    response = client.get(f"{API}/owners?limit=100", headers=S)
    assert response.status_code == 200
    return sorted(response.json()["items"], key=lambda owner: owner["id"])


def test_incremental_and_rebuilt_indexes_read_the_same(make_client: MakeClient) -> None:
    store = open_store("memory:")
    served = app_on(make_client, store)
    chance = random.Random(7)
    ids = [owner["id"] for owner in listing(served)]
    for step in range(120):
        roll = chance.random()
        if roll < 0.4 or not ids:
            made = served.post(
                f"{API}/owners", json={"name": f"N{step}", "city": "Oslo"}, headers=S
            )
            assert made.status_code == 201
            ids.append(made.json()["id"])
        elif roll < 0.8:
            target = chance.choice(ids)
            body = {"name": f"R{step}", "city": f"C{step}"}
            assert (
                served.request("PUT", f"{API}/owners/{target}", json=body, headers=S).status_code
                == 200
            )
        else:
            target = ids.pop(chance.randrange(len(ids)))
            assert served.request("DELETE", f"{API}/owners/{target}", headers=S).status_code == 204
        if step % 10 == 0:
            listing(served)  # reads in between: the index moves on from here
    rebuilt = app_on(make_client, store)
    assert listing(served) == listing(rebuilt)
    assert sorted(owner["id"] for owner in listing(served)) == sorted(ids)


def test_a_reset_between_reads_leaves_no_stale_record(make_client: MakeClient) -> None:
    store = open_store("memory:")
    served = app_on(make_client, store)
    old = served.post(f"{API}/owners", json={"name": "Old", "city": "Oslo"}, headers=S).json()
    assert old in listing(served)
    assert served.post("/__mock/reset?session=s", headers=CONTROL).status_code == 200
    new = served.post(f"{API}/owners", json={"name": "New", "city": "Oslo"}, headers=S).json()
    names = [owner["name"] for owner in listing(served)]
    assert "New" in names and "Old" not in names
    assert served.get(f"{API}/owners/{new['id']}", headers=S).json()["name"] == "New"
