"""Staff accounts: hashing, sign-in, roles, the public-read switch, rate limit, admin page, CLI."""

import re

import pytest

from geo.users import authenticate, create_user, get_user
from tests.conftest import PASSWORD, csrf_token, login


def test_password_is_stored_only_as_an_argon2_hash(session):
    user = create_user(session, "wang", "秘密-password-1", "editor")
    assert user.password_hash.startswith("$argon2id$")
    assert "秘密-password-1" not in user.password_hash
    assert authenticate(session, "wang", "秘密-password-1").name == "wang"
    assert authenticate(session, "wang", "wrong password!") is None
    assert authenticate(session, "nobody", "秘密-password-1") is None


def test_short_passwords_and_unknown_roles_are_refused(session):
    with pytest.raises(Exception, match="12"):
        create_user(session, "li", "eleven char", "editor")  # OWASP ASVS 4.0.3 2.1.1
    with pytest.raises(Exception, match="viewer"):
        create_user(session, "li", PASSWORD, "boss")


def test_cli_user_add_reads_the_password_from_stdin(app):
    result = app.test_cli_runner().invoke(args=["user", "add", "zhang", "--role", "admin"],
                                          input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    with app.extensions["landmatch.sessions"]() as s:
        assert authenticate(s, "zhang", PASSWORD).role == "admin"


def test_demo_prints_each_demo_account_once_with_a_random_password(empty_app):
    runner = empty_app.test_cli_runner()
    first = runner.invoke(args=["demo"]).output
    found = dict(re.findall(r"^\s+(demo-\w+)\s+(\S+)$", first, re.M))
    assert set(found) == {"demo-viewer", "demo-editor", "demo-admin"}
    assert len(set(found.values())) == 3
    with empty_app.extensions["landmatch.sessions"]() as s:
        assert authenticate(s, "demo-admin", found["demo-admin"]).role == "admin"
    again = runner.invoke(args=["demo", "--if-empty"]).output
    assert "demo-admin" not in again


def test_sign_in_then_sign_out(client):
    assert "Sign in" in client.get("/?lang=en").get_data(as_text=True)
    login(client, "editor")
    assert "test-editor" in client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert "test-editor" not in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_with_401(client):
    response = client.post("/login", data={"name": "nobody", "password": "x" * 12,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 401


def test_failed_sign_ins_are_rate_limited(client, session):
    create_user(session, "target", PASSWORD, "viewer")
    token = csrf_token(client)
    statuses = [client.post("/login", data={"name": "target", "password": "wrong" * 3,
                                            "csrf_token": token}).status_code
                for _ in range(11)]
    assert statuses[:10] == [401] * 10 and statuses[10] == 429
    # the right password is refused too until the window passes
    right = client.post("/login", data={"name": "target", "password": PASSWORD,
                                        "csrf_token": token})
    assert right.status_code == 429


def test_changing_the_password_ends_other_sessions(app):
    first, second = app.test_client(), app.test_client()
    name = login(first, "viewer")
    login(second, "viewer")
    response = first.post("/account/password", data={
        "old_password": PASSWORD, "new_password": "a brand new password",
        "csrf_token": csrf_token(first)})
    assert response.status_code == 302
    assert name not in second.get("/").get_data(as_text=True)  # its token lapsed
    with app.extensions["landmatch.sessions"]() as s:
        assert authenticate(s, name, "a brand new password") is not None


def test_reading_needs_an_account_when_public_read_is_off(app):
    app.config["PUBLIC_READ"] = False
    client = app.test_client()
    page = client.get("/")
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    assert client.get("/api/parcels?layer=stock").status_code == 401
    assert client.get("/login").status_code == 200
    login(client, "viewer")
    assert client.get("/api/parcels?layer=stock&limit=1").status_code == 200


def test_admin_adds_disables_and_re_roles_accounts(app):
    admin = app.test_client()
    login(admin, "admin")
    token = csrf_token(admin)
    admin.post("/admin/users", data={"name": "liu", "password": PASSWORD, "role": "viewer",
                                     "csrf_token": token})
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "liu" in page
    admin.post("/admin/users/liu", data={"role": "editor", "csrf_token": token})
    with app.extensions["landmatch.sessions"]() as s:
        assert get_user(s, "liu").role == "editor"
    admin.post("/admin/users/liu", data={"role": "editor", "disabled": "y",
                                         "csrf_token": token})
    with app.extensions["landmatch.sessions"]() as s:
        assert get_user(s, "liu").disabled and authenticate(s, "liu", PASSWORD) is None


def test_an_admin_cannot_disable_themself(app):
    admin = app.test_client()
    name = login(admin, "admin")
    response = admin.post(f"/admin/users/{name}", data={
        "role": "admin", "disabled": "y", "csrf_token": csrf_token(admin)})
    assert response.status_code == 400


def test_account_changes_are_audited_without_the_password(session):
    from geo.audit import history
    from geo.users import set_password, update_user

    create_user(session, "zhao", PASSWORD, "viewer", acting="boss")
    update_user(session, "zhao", role="editor", acting="boss")
    set_password(session, "zhao", "another long password", acting="boss")
    entries = history(session, "user", "zhao")
    assert [(e.action, e.user_name) for e in entries] == [
        ("password", "boss"), ("update", "boss"), ("create", "boss")]
    assert entries[1].changes == {"role": ["viewer", "editor"]}
    assert "argon2" not in str([e.changes for e in entries])


def test_loading_the_demo_is_audited(session):
    from geo.audit import history

    (entry,) = history(session, "register", "demo")
    assert entry.action == "import" and entry.user_name == "system" and "seed" in entry.note


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_account_and_editing_pages_load_nothing_from_outside(client):
    login(client, "admin")
    for url in ("/login", "/account/password", "/admin/users", "/admin/bin",
                "/parcels/new", "/parcels/141023XZ0001/edit", "/parcels/141023XZ0001/split",
                "/parcels/141023XZ0001/history"):
        html = client.get(url).get_data(as_text=True)
        urls = re.findall(r'(?:src|href|action)="([^"]+)"', html)
        assert all(not re.match(r"^(https?:)?//", u) for u in urls), url
        assert "http://" not in html and "https://" not in html, url
        for asset in (u for u in urls if u.startswith("/static/")):
            response = client.get(asset)
            assert response.status_code == 200, asset
            response.close()


def test_sign_in_never_redirects_to_another_site(client, session):
    from geo.users import create_user
    from tests.conftest import PASSWORD

    create_user(session, "li", PASSWORD, "viewer")
    response = client.post("/login?next=//evil.example/x", data={
        "name": "li", "password": PASSWORD, "csrf_token": csrf_token(client)})
    assert response.status_code == 302 and response.headers["Location"] == "/"
