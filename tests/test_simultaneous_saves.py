"""Two members of staff saving at the same moment: one wins, the other gets 409, never a 500."""

import datetime as dt
import threading

import pytest

import geo.editing
import geo.lifecycle
import geo.offers
import geo.project_editing
from geo.editing import create_parcel, update_parcel
from geo.errors import Conflict, Duplicate, GeoError
from geo.lifecycle import STAGE_ORDER, advance, get_project
from geo.offers import land_project
from geo.project_editing import update_project
from tests.conftest import csrf_token, login

CODE = "141023XZ0001"
PROJECT = "141023XM004"
SQUARE = {"type": "Polygon", "coordinates": [[[111.3, 36.0], [111.301, 36.0],
                                              [111.301, 36.001], [111.3, 36.0]]]}


def _sessions(app):
    return app.extensions["landmatch.sessions"](), app.extensions["landmatch.sessions"]()


def _meanwhile(monkeypatch, module, their_save, step="clean_record"):
    """Run ``their_save`` once, inside my save at ``step``: after my read, before my write."""
    real = getattr(module, step)

    def step_then_theirs_commits(*args, **kwargs):
        monkeypatch.setattr(module, step, real)
        their_save()
        return real(*args, **kwargs)

    monkeypatch.setattr(module, step, step_then_theirs_commits)


def test_a_save_overtaken_by_another_is_a_conflict_with_both_versions(app, monkeypatch):
    mine, theirs = _sessions(app)
    with mine, theirs:
        _meanwhile(monkeypatch, geo.editing,
                   lambda: update_parcel(theirs, CODE, {"name": "他们的"}, 1, "other"))
        with pytest.raises(Conflict) as caught:
            update_parcel(mine, CODE, {"name": "我的"}, 1, "me")
    assert caught.value.status == 409
    assert caught.value.current["name"] == "他们的" and caught.value.current["version"] == 2
    assert caught.value.submitted == {"name": "我的"}
    assert caught.value.params["expected"] == 1


def test_a_project_save_overtaken_by_another_is_a_conflict_too(app, monkeypatch):
    mine, theirs = _sessions(app)
    with mine, theirs:
        version = get_project(mine, PROJECT).version
        _meanwhile(monkeypatch, geo.project_editing, lambda: update_project(
            theirs, PROJECT, {"name": "他们的"}, version, "other"))
        with pytest.raises(Conflict) as caught:
            update_project(mine, PROJECT, {"name": "我的"}, version, "me")
    assert caught.value.current["name"] == "他们的"


def test_two_moves_of_one_project_at_once_are_a_conflict_not_a_500(app, monkeypatch):
    mine, theirs = _sessions(app)
    with mine, theirs:
        project = get_project(mine, PROJECT)
        following = STAGE_ORDER[STAGE_ORDER.index(project.stage) + 1]
        move = {"to_stage": following, "date": "2026-11-01", "by": "x"}
        _meanwhile(monkeypatch, geo.lifecycle,
                   lambda: advance(theirs, PROJECT, move, today=dt.date(2026, 12, 1)),
                   step="_check_date")
        with pytest.raises(Conflict):
            advance(mine, PROJECT, move, today=dt.date(2026, 12, 1))


def test_the_ledger_api_answers_a_simultaneous_move_with_409_and_both_versions(app,
                                                                              monkeypatch):
    client = app.test_client()
    login(client, "editor")
    with app.extensions["landmatch.sessions"]() as theirs:
        project = get_project(theirs, PROJECT)
        move = {"to_stage": STAGE_ORDER[STAGE_ORDER.index(project.stage) + 1],
                "date": dt.date.today().isoformat(), "by": "x"}
        _meanwhile(monkeypatch, geo.lifecycle, lambda: update_project(
            theirs, PROJECT, {"name": "他们的"}, project.version, "other"), step="_check_date")
        response = client.post(f"/api/projects/{PROJECT}/transitions", json=move,
                               headers={"X-CSRFToken": csrf_token(client)})
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"]["code"] == "conflict"
    assert body["current"]["name"] == "他们的" and body["submitted"]["stage"] == move["to_stage"]


def test_landing_a_project_someone_saved_meanwhile_is_a_conflict(app, monkeypatch):
    seeker = "141023XM001"  # 储备: signed below, then looking for land
    mine, theirs = _sessions(app)
    with mine, theirs:
        advance(theirs, seeker, {"to_stage": "signed", "date": dt.date.today(), "by": "王"})
        version = get_project(theirs, seeker).version
        _meanwhile(monkeypatch, geo.offers, lambda: update_project(
            theirs, seeker, {"name": "他们的"}, version, "other"), step="_parcels")
        with pytest.raises(GeoError) as caught:
            land_project(mine, seeker, "141023CL0002", dt.date.today())
    assert caught.value.status == 409
    with app.extensions["landmatch.sessions"]() as s:
        assert get_project(s, seeker).stage == "signed"  # nothing half-written


def test_creating_a_code_someone_created_meanwhile_is_a_409_naming_the_code(app, monkeypatch):
    mine, theirs = _sessions(app)
    values = {"code": "N-1", "layer": "stock", "status": "available"}
    with mine, theirs:
        _meanwhile(monkeypatch, geo.editing,
                   lambda: create_parcel(theirs, values, SQUARE, "other"))
        with pytest.raises(Duplicate) as caught:
            create_parcel(mine, values, SQUARE, "me")
    assert caught.value.status == 409 and caught.value.field == "code"


def test_the_api_answers_409_for_a_code_already_in_the_register(client):
    login(client, "editor")
    response = client.post("/api/parcels", json={
        "values": {"code": CODE, "layer": "stock", "status": "available"},
        "geometry": SQUARE}, headers={"X-CSRFToken": csrf_token(client)})
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "duplicate" and error["field"] == "code" and CODE in error["message"]


def _editors(app, count=2):
    clients = []
    for _ in range(count):
        client = app.test_client()
        login(client, "editor")
        clients.append((client, csrf_token(client)))
    return clients


def _at_once(calls):
    """Run ``calls`` in threads released together; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


ROUNDS = 50


def _patch(client, token, version, name):
    return lambda: client.patch(f"/api/parcels/{CODE}", headers={"X-CSRFToken": token},
                                json={"version": version, "values": {"name": name}})


def _post_form(client, token, version, name):
    return lambda: client.post(f"/parcels/{CODE}/edit", data={
        "csrf_token": token, "version": str(version), "layer": "idle", "status": "idle",
        "name": name})


def _create(client, token, code):
    # Every round draws the same square under a new code: the overlap with the earlier
    # rounds' parcels is confirmed, so that only the code is raced for.
    return lambda: client.post("/api/parcels", headers={"X-CSRFToken": token}, json={
        "values": {"code": code, "layer": "stock", "status": "available"}, "geometry": SQUARE,
        "confirm_overlap": True})


def test_two_editors_saving_one_version_at_once_get_one_200_and_one_409(app):
    editors = _editors(app)
    for version in range(1, ROUNDS + 1):
        answers = _at_once([_patch(c, t, version, f"{who}{version}")
                            for (c, t), who in zip(editors, "ab", strict=True)])
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200, 409], (version, [a.get_data(as_text=True)[:300]
                                                  for a in answers])
        won, lost = sorted(answers, key=lambda a: a.status_code)
        body = lost.get_json()
        assert body["error"]["code"] == "conflict"
        assert body["current"]["version"] == won.get_json()["version"] == version + 1
        assert body["current"]["name"] == won.get_json()["properties"]["name"]
        assert body["submitted"]["name"] != body["current"]["name"]


def test_two_editors_saving_the_form_at_once_see_both_versions_side_by_side(app):
    editors = _editors(app)
    for version in range(1, 6):
        answers = _at_once([_post_form(c, t, version, f"{who}{version}")
                            for (c, t), who in zip(editors, "ab", strict=True)])
        assert sorted(a.status_code for a in answers) == [302, 409], version
        page = next(a for a in answers if a.status_code == 409).get_data(as_text=True)
        assert 'id="conflict"' in page and f"a{version}" in page and f"b{version}" in page


def test_two_editors_creating_one_code_at_once_get_one_201_and_one_409(app):
    editors = _editors(app)
    for n in range(10):
        answers = _at_once([_create(c, t, f"NEW-{n}") for c, t in editors])
        assert sorted(a.status_code for a in answers) == [201, 409], n
