"""Staff accounts: roles, Argon2 password hashes, sign-in checks, and the demo's accounts."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.audit import SYSTEM, diff, record
from geo.errors import N_, FieldError, GeoError, NotFound
from geo.models import User
from geo.sessions import end_sessions

# Ordered: each role may do everything the ones before it may.
ROLES = ("viewer", "editor", "admin")
MIN_PASSWORD = 12  # OWASP ASVS 4.0.3 2.1.1 (docs/security.md)
DEMO_ACCOUNTS = (("demo-viewer", "viewer"), ("demo-editor", "editor"), ("demo-admin", "admin"))

_hasher = PasswordHasher()  # Argon2id with argon2-cffi's (RFC 9106 low-memory) defaults
# Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def role_allows(role: str | None, needed: str) -> bool:
    """Return True when ``role`` is at least ``needed``.

    >>> role_allows("admin", "editor"), role_allows("viewer", "editor")
    (True, False)
    """
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise FieldError("role", N_("%(field)s must be one of: %(choices)s."),
                         choices=", ".join(ROLES))
    return role


def _check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise FieldError("password", N_("The password needs at least %(min)s characters."),
                         min=MIN_PASSWORD)
    return password


def get_user(session: Session, name: str) -> User:
    """Return the account called ``name``; raise NotFound when there is none."""
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise NotFound(N_("No account is called %(name)s."), name=name)
    return user


def create_user(session: Session, name: str, password: str, role: str,
                acting: str = SYSTEM) -> User:
    """Create an account and commit it; the password is stored only as an Argon2 hash.

    >>> role_allows(_check_role("editor"), "viewer")
    True
    """
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise FieldError("name", N_("%(field)s is required."))
    if session.scalar(select(User.id).where(User.name == name)) is not None:
        raise GeoError(N_("An account called %(name)s already exists."), field="name", name=name)
    user = User(name=name, password_hash=_hasher.hash(_check_password(password)),
                role=_check_role(role), disabled=False)
    session.add(user)
    record(session, user=acting, action="create", entity="user", code=name,
           changes={"role": [None, role], "disabled": [None, False]})
    session.commit()
    return user


def authenticate(session: Session, name: str, password: str) -> User | None:
    """Return the enabled account whose name and password match, else None."""
    user = session.scalar(select(User).where(User.name == (name or "").strip()))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        return None
    if user is None or user.disabled:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.commit()
    return user


def change_password(session: Session, name: str, old: str, new: str) -> None:
    """Replace a user's password after checking the old one."""
    user = get_user(session, name)
    try:
        _hasher.verify(user.password_hash, old or "")
    except (VerificationError, InvalidHashError):
        raise FieldError("old_password", N_("The current password is wrong.")) from None
    set_password(session, name, new, acting=name)


def set_password(session: Session, name: str, password: str, acting: str = SYSTEM) -> None:
    """Set a user's password (its owner, or the CLI) and commit; the audit shows no hash."""
    user = get_user(session, name)
    user.password_hash = _hasher.hash(_check_password(password))
    end_sessions(session, user)  # a stolen or forgotten sign-in ends with the old password
    record(session, user=acting, action="password", entity="user", code=name)
    session.commit()


def update_user(session: Session, name: str, *, role: str | None = None,
                disabled: bool | None = None, acting: str | None = None) -> User:
    """Change an account's role or disabled flag (which ends its sessions); not one's own."""
    user = get_user(session, name)
    if acting == name and (disabled or (role is not None and role != "admin")):
        raise GeoError(N_("You cannot disable your own account or take away your own admin "
                          "role."), field="role")
    before = {"role": user.role, "disabled": user.disabled}
    if role is not None:
        user.role = _check_role(role)
    if disabled is not None:
        user.disabled = bool(disabled)
    if user.disabled:
        end_sessions(session, user)
    record(session, user=acting or SYSTEM, action="update", entity="user", code=name,
           changes=diff(before, {"role": user.role, "disabled": user.disabled}))
    session.commit()
    return user


def sign_out_everywhere(session: Session, name: str, acting: str = SYSTEM) -> int:
    """End every session of the account ``name`` and commit; return how many were ended."""
    ended = end_sessions(session, get_user(session, name))
    record(session, user=acting, action="sign_out", entity="user", code=name,
           note=f"{ended} sessions")
    session.commit()
    return ended


def list_users(session: Session) -> list[User]:
    """Return every account, by name."""
    return list(session.scalars(select(User).order_by(User.name)))


def create_demo_accounts(session: Session) -> dict[str, str]:
    """Create one account per role with a random password; return {name: password}.

    Existing demo accounts are left alone (and not listed): their passwords were shown once.
    """
    made = {}
    for name, role in DEMO_ACCOUNTS:
        if session.scalar(select(User.id).where(User.name == name)) is None:
            password = secrets.token_urlsafe(12)
            create_user(session, name, password, role)
            made[name] = password
    return made
