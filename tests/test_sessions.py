"""Sessions end on the server: logout, a new password, a disabled account, idle time, everywhere."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from geo.models import User, UserSession
from tests.conftest import PASSWORD, csrf_token, login


def _copy(client, app):
    """Return a second client holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _signed_in(client) -> bool:
    response = client.get("/account/password")
    return response.status_code == 200


def _post(client, url, **data):
    return client.post(url, data={**data, "csrf_token": csrf_token(client)})


def test_a_copied_cookie_is_dead_after_logout(app):
    client = app.test_client()
    login(client, "editor")
    thief = _copy(client, app)
    assert _signed_in(thief)
    assert _post(client, "/logout").status_code == 302
    assert thief.get("/account/password").status_code == 302  # to the sign-in page
    assert "/login" in thief.get("/account/password").headers["Location"]
    assert thief.patch("/api/parcels/141023XZ0001", json={"version": 1, "values": {}},
                       headers={"X-CSRFToken": csrf_token(thief)}).status_code == 401


def test_logout_ends_only_this_session(app):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "viewer")
    login(phone, "viewer")
    _post(laptop, "/logout")
    assert not _signed_in(laptop) and _signed_in(phone)


def test_a_password_change_ends_every_session_of_the_account(app):
    client, other = app.test_client(), app.test_client()
    login(client, "viewer")
    login(other, "viewer")
    thief = _copy(client, app)
    response = _post(client, "/account/password", old_password=PASSWORD,
                     new_password="a brand new password")
    assert response.status_code == 302
    assert not _signed_in(thief) and not _signed_in(other) and not _signed_in(client)


def test_an_account_disabled_by_an_admin_is_signed_out_at_once(app, session):
    user = app.test_client()
    login(user, "editor")
    admin = app.test_client()
    login(admin, "admin")
    assert _post(admin, "/admin/users/test-editor", role="editor", disabled="y").status_code == 302
    assert not _signed_in(user)
    assert session.scalar(select(UserSession.id).join(User, User.id == UserSession.user_id)
                          .where(User.name == "test-editor")) is None


def test_a_session_unused_for_longer_than_the_idle_timeout_ends(app, session):
    client = app.test_client()
    login(client, "viewer")
    assert _signed_in(client)
    app.config["SESSION_IDLE_HOURS"] = 8
    session.execute(update(UserSession).values(
        last_seen=dt.datetime.now(dt.UTC) - dt.timedelta(hours=7, minutes=50)))
    session.commit()
    assert _signed_in(client)  # 7 h 50 min idle: still alive, and now fresh again
    session.execute(update(UserSession).values(
        last_seen=dt.datetime.now(dt.UTC) - dt.timedelta(hours=8, minutes=1)))
    session.commit()
    assert not _signed_in(client)


def test_sign_out_everywhere_ends_all_of_ones_own_sessions(app):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "viewer")
    login(phone, "viewer")
    response = _post(phone, "/account/sign-out-everywhere")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert not _signed_in(laptop) and not _signed_in(phone)


def test_an_admin_signs_an_account_out_everywhere(app):
    laptop, phone, admin = app.test_client(), app.test_client(), app.test_client()
    login(laptop, "editor")
    login(phone, "editor")
    login(admin, "admin")
    assert _post(admin, "/admin/users/test-editor/sign-out").status_code == 302
    assert not _signed_in(laptop) and not _signed_in(phone) and _signed_in(admin)
    login(laptop, "editor")  # the account itself still works
    assert _signed_in(laptop)


def test_the_database_keeps_only_a_hash_of_the_session_token(app, session):
    client = app.test_client()
    login(client, "viewer")
    cookie = client.get_cookie("session").value
    stored = session.scalars(select(UserSession.token_hash)).all()
    assert len(stored) == 1 and stored[0] not in cookie


def test_a_busy_session_still_ends_when_its_lifetime_is_over(app, session):
    client = app.test_client()
    login(client, "viewer")
    app.config["SESSION_MAX_HOURS"] = 12
    session.execute(update(UserSession).values(
        created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=12, minutes=1)))
    session.commit()
    assert not _signed_in(client)


def test_each_sign_in_gets_a_new_session_token(app):
    client = app.test_client()
    login(client, "viewer")
    first = client.get_cookie("session").value
    thief = _copy(client, app)
    login(client, "viewer")
    assert client.get_cookie("session").value != first and _signed_in(client)
    assert _signed_in(thief)  # the earlier session is its own, ended by its own logout
