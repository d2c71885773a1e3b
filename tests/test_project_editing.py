"""Editing a key project's own attributes: form and API, versions, audit, bin, fixed stage."""

import re

import pytest

from geo.audit import history
from geo.errors import Conflict, FieldError, NotFound
from geo.features import PROJECTS, query_layer
from geo.ledger import load_projects
from geo.lifecycle import get_project
from geo.project_editing import (
    delete_project,
    deleted_projects,
    restore_project,
    update_project,
)
from tests.conftest import csrf_token, login

CODE = "141023XM004"  # 开工 (started), version 1 in the demo
XSS = '<script>window.__xss=1</script>"><img src=x onerror=alert(1)>'


def _form(client, **values) -> dict:
    return {"csrf_token": csrf_token(client), "version": "1",
            "name": "塔儿山机械精品钢材深加工项目", **values}


def test_update_changes_values_bumps_the_version_and_is_audited(session):
    project = get_project(session, CODE)
    leader, investment = project.leader, project.total_investment  # as the demo drew them
    update_project(session, CODE, {"total_investment": "70000", "leader": "王刚"}, 1, "wang")
    assert project.total_investment == 70000 and project.leader == "王刚"
    assert project.version == 2
    entry = history(session, "project", CODE)[0]
    assert (entry.user_name, entry.action, entry.version) == ("wang", "update", 2)
    assert entry.changes == {"leader": [leader, "王刚"],
                             "total_investment": [investment, 70000.0]}


def test_saving_over_a_newer_version_is_a_conflict_showing_both(session):
    update_project(session, CODE, {"leader": "甲"}, 1, "jia")
    with pytest.raises(Conflict) as caught:
        update_project(session, CODE, {"leader": "乙"}, 1, "yi")
    assert caught.value.status == 409
    assert caught.value.current["leader"] == "甲" and caught.value.current["version"] == 2
    assert caught.value.submitted == {"leader": "乙"}
    assert get_project(session, CODE).leader == "甲"


def test_a_value_outside_its_dictionary_rule_is_refused(session):
    with pytest.raises(FieldError) as caught:
        update_project(session, CODE, {"land_demand_mu": "-3"}, 1, "wang")
    assert caught.value.field == "land_demand_mu"
    session.rollback()
    assert get_project(session, CODE).land_demand_mu == 70 and history(session, "project",
                                                                       CODE) == []


def test_the_stage_is_not_an_attribute_to_edit(session):
    with pytest.raises(FieldError) as caught:
        update_project(session, CODE, {"stage": "producing"}, 1, "wang")
    assert caught.value.field == "stage"
    session.rollback()
    # sending the stage it already has back (a client returning what it read) is fine
    update_project(session, CODE, {"stage": "开工", "leader": "王刚"}, 1, "wang")
    assert get_project(session, CODE).stage == "started"


def test_deleted_project_leaves_the_ledger_and_returns_from_the_bin(session):
    before = query_layer(session, PROJECTS).number_matched
    count = len(load_projects(session))
    delete_project(session, CODE, 1, "wang")
    assert len(load_projects(session)) == count - 1
    assert query_layer(session, PROJECTS).number_matched == before - 1
    assert [p.code for p in deleted_projects(session)] == [CODE]
    with pytest.raises(NotFound):
        get_project(session, CODE)
    restore_project(session, CODE, "admin")
    assert len(load_projects(session)) == count and deleted_projects(session) == []
    assert [(e.action, e.user_name) for e in history(session, "project", CODE)] == [
        ("restore", "admin"), ("delete", "wang")]


def test_edit_form_is_built_from_the_data_dictionary(client, session):
    investment = get_project(session, CODE).total_investment
    login(client, "editor")
    html = client.get(f"/projects/{CODE}/edit").get_data(as_text=True)
    for label in ("项目名称", "总投资（万元）", "用地需求（亩）", "包联领导", "重点产业"):
        assert label in html
    assert 'name="land_demand_mu"' in html and 'max="100000"' in html
    assert f'value="{investment}"' in html
    for fixed in ("stage", "code", "parcel"):
        assert f'name="{fixed}"' not in html


def test_an_editor_changes_a_project_through_the_form(client, session):
    name = login(client, "editor")
    response = client.post(f"/projects/{CODE}/edit", data=_form(
        client, total_investment="65000", chain="equipment", town="新城镇"))
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/projects/{CODE}")
    project = get_project(session, CODE)
    assert (project.total_investment, project.chain, project.version) == (65000, "equipment", 2)
    assert project.leader is None  # the form sends every field: a blank one clears it
    entry = history(session, "project", CODE)[0]
    assert entry.user_name == name and entry.changes["chain"] == ["coking_steel", "equipment"]


def test_the_form_does_not_change_the_stage(client, session):
    login(client, "editor")
    response = client.post(f"/projects/{CODE}/edit", data=_form(
        client, stage="producing", leader="孙丽华", town="新城镇", total_investment="1"))
    assert response.status_code == 302
    project = get_project(session, CODE)
    assert project.stage == "started" and project.total_investment == 1


@pytest.mark.parametrize(("values", "message"), [
    ({"total_investment": "很多"}, "总投资应为数字"),
    ({"name": " "}, "项目名称为必填项"),  # a project's 名称, not a parcel's
])
def test_a_bad_value_on_the_form_answers_400_naming_the_field(client, session, values, message):
    login(client, "editor")
    response = client.post(f"/projects/{CODE}/edit", data=_form(client, **values))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert get_project(session, CODE).version == 1


def test_edit_page_with_a_stale_version_shows_both_versions(client, session):
    login(client, "editor")
    update_project(session, CODE, {"leader": "别人先存的"}, 1, "other")
    response = client.post(f"/projects/{CODE}/edit", data=_form(client, leader="我的修改"))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert 'id="conflict"' in html and "别人先存的" in html and "我的修改" in html
    assert 'name="version" type="hidden" value="2"' in html  # saving again overwrites


def test_api_patch_changes_a_project_and_a_stale_version_answers_409(client):
    login(client, "editor")
    headers = {"X-CSRFToken": csrf_token(client)}
    ok = client.patch(f"/api/projects/{CODE}", headers=headers,
                      json={"version": 1, "values": {"lead_unit": "县发改局"}})
    assert ok.status_code == 200
    assert ok.get_json()["version"] == 2 and ok.get_json()["properties"]["lead_unit"] == "县发改局"
    stale = client.patch(f"/api/projects/{CODE}", headers=headers,
                         json={"version": 1, "values": {"lead_unit": "县工信局"}})
    assert stale.status_code == 409
    body = stale.get_json()
    assert body["error"]["code"] == "conflict"
    assert body["current"]["lead_unit"] == "县发改局" and body["current"]["version"] == 2
    assert body["submitted"] == {"lead_unit": "县工信局"}


@pytest.mark.parametrize(("values", "field", "label"), [
    ({"total_investment": "-1"}, "total_investment", "总投资"),
    ({"name": ""}, "name", "项目名称"),
    ({"chain": "钢铁"}, "chain", "重点产业"),
    ({"stage": "producing"}, "stage", "项目阶段"),
])
def test_api_refuses_a_bad_value_naming_the_field_in_chinese(client, values, field, label):
    login(client, "editor")
    response = client.patch(f"/api/projects/{CODE}", headers={"X-CSRFToken": csrf_token(client)},
                            json={"version": 1, "values": values})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == field and error["message"].startswith(label)


def test_deleted_by_an_editor_then_restored_by_an_admin(app, client, session):
    login(client, "editor")
    client.post(f"/projects/{CODE}/delete", data={"csrf_token": csrf_token(client),
                                                  "version": "1"})
    assert client.get(f"/projects/{CODE}").status_code == 404
    assert client.get(f"/api/projects/{CODE}").status_code == 404
    assert CODE not in client.get("/projects").get_data(as_text=True)
    admin = app.test_client()
    login(admin, "admin")
    assert CODE in admin.get("/admin/bin").get_data(as_text=True)
    assert "在回收站中" in admin.get(f"/projects/{CODE}/history").get_data(as_text=True)
    response = admin.post(f"/admin/bin/projects/{CODE}/restore",
                          data={"csrf_token": csrf_token(admin)})
    assert response.status_code == 302
    assert client.get(f"/projects/{CODE}").status_code == 200
    assert [e.action for e in history(session, "project", CODE)] == ["restore", "delete"]


def test_the_project_page_links_to_the_edit_form_for_editors_only(app, client):
    assert 'id="edit-project"' not in client.get(f"/projects/{CODE}").get_data(as_text=True)
    login(client, "viewer")
    assert 'id="edit-project"' not in client.get(f"/projects/{CODE}").get_data(as_text=True)
    editor = app.test_client()
    login(editor, "editor")
    html = editor.get(f"/projects/{CODE}").get_data(as_text=True)
    assert f'href="/projects/{CODE}/edit" id="edit-project">编辑</a>' in html


def test_history_page_lists_who_changed_what(client, session):
    leader = get_project(session, CODE).leader
    update_project(session, CODE, {"leader": "王刚"}, 1, "wang")
    html = client.get(f"/projects/{CODE}/history").get_data(as_text=True)
    assert "wang" in html and "包联领导" in html and f"{leader} → 王刚" in html
    records = client.get(f"/api/projects/{CODE}/history").get_json()["history"]
    assert [(r["user"], r["action"], r["version"], r["changes"]) for r in records] == [
        ("wang", "update", 2, {"leader": [leader, "王刚"]})]


@pytest.mark.parametrize("path", ["edit", "history"])
def test_project_pages_load_nothing_from_outside(client, path):
    login(client, "editor")
    response = client.get(f"/projects/{CODE}/{path}")
    assert response.status_code == 200
    # The CSRF token is random text: it may spell "cdn" by chance, so it is left out.
    html = re.sub(r'(name="csrf[-_]token" (?:content|value)=)"[^"]*"', r"\1",
                  response.get_data(as_text=True))
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not re.match(r"^(https?:)?//", src), src
    assert "cdn" not in html.lower() and "http://" not in html and "https://" not in html


def test_markup_in_a_project_name_is_shown_as_text(client, session):
    update_project(session, CODE, {"name": XSS, "leader": "<b>x</b>"}, 1, "<script>who</script>")
    login(client, "admin")
    pages = [client.get(f"/projects/{CODE}"), client.get(f"/projects/{CODE}/edit"),
             client.get(f"/projects/{CODE}/history")]
    delete_project(session, CODE, 2, "x")
    pages.append(client.get("/admin/bin"))
    for response in pages:
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        for value in (XSS, "<b>x</b>", "<script>who</script>"):
            assert value not in html
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html


def test_a_project_in_the_bin_is_no_longer_looking_for_land(session):
    from geo.offers import seeking_projects

    assert "141023XM001" in [p.code for p in seeking_projects(session)]  # 储备
    delete_project(session, "141023XM001", 1, "wang")
    assert "141023XM001" not in [p.code for p in seeking_projects(session)]


def test_a_ledger_import_does_not_write_into_a_project_in_the_bin(empty_app):
    from geo.ledger_xlsx import import_ledger
    from tests.test_ledger_import import GOOD, TODAY, _sheet

    with empty_app.extensions["landmatch.sessions"]() as db:
        import_ledger(db, _sheet(GOOD), today=TODAY)
        delete_project(db, "N1", 1, "wang")
        result = import_ledger(db, _sheet(["N1", "改名", *GOOD[2:]]), today=TODAY)
        assert [(p.row, p.error.field) for p in result.problems] == [(3, "code")]
        assert deleted_projects(db)[0].name == "新项目"
