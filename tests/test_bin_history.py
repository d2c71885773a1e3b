"""A binned record's history goes with it: editors see it (to restore it), nobody else does."""

from __future__ import annotations

import pytest

from geo.editing import delete_parcel, get_parcel, restore_parcel, update_parcel
from geo.lifecycle import get_project
from geo.project_editing import delete_project
from tests.conftest import login

PARCEL = "141023XZ0001"
PROJECT = "141023XM004"
URLS = [f"/parcels/{PARCEL}/history", f"/api/parcels/{PARCEL}/history",
        f"/projects/{PROJECT}/history", f"/api/projects/{PROJECT}/history"]


@pytest.fixture
def binned(app, session):
    """The parcel and the project, renamed (so their history holds a name), then binned."""
    parcel = update_parcel(session, PARCEL, {"name": "秘密地块"}, 1, "someone")
    delete_parcel(session, PARCEL, parcel.version, "someone")
    delete_project(session, PROJECT, get_project(session, PROJECT).version, "someone")


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("role", ["anonymous", "viewer"])
def test_the_history_of_a_binned_record_is_not_found_for_viewers_and_the_anonymous(
        app, binned, url, role):
    client = app.test_client()
    if role != "anonymous":
        login(client, role)
    response = client.get(url)
    assert response.status_code == 404
    assert "秘密地块" not in response.get_data(as_text=True)


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("role", ["editor", "admin"])
def test_editors_see_the_history_of_a_binned_record(app, binned, url, role):
    client = app.test_client()
    login(client, role)
    response = client.get(url)
    assert response.status_code == 200
    if "parcels" in url:
        assert "秘密地块" in response.get_data(as_text=True)


def test_a_restored_record_has_its_history_back_for_everyone(app, binned, session):
    restore_parcel(session, PARCEL, "admin")
    assert get_parcel(session, PARCEL).deleted_at is None
    assert app.test_client().get(f"/api/parcels/{PARCEL}/history").status_code == 200
