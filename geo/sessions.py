"""Sign-in sessions kept server-side, so that logout, a new password or an admin can end them.

Flask-Login keeps the id that ``StaffUser.get_id`` returns in the signed session cookie; that id
is a random token whose hash is a row of ``user_sessions``. A session lives while its row does:
ending a session deletes the row, and a copy of the cookie taken before then names nothing.
A session unused for longer than the idle timeout, or older than its lifetime however busy
(OWASP ASVS 4.0.3 3.3.2: sign in again periodically), is ended when it is next presented.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from geo.models import User, UserSession

# last_seen is written at most this often: a read must not become a write on every request.
TOUCH_EVERY = dt.timedelta(minutes=1)
DEFAULT_IDLE = dt.timedelta(hours=8)
DEFAULT_LIFETIME = dt.timedelta(hours=12)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes for DateTime(timezone=True) columns; they are UTC.
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def start_session(session: Session, user: User, idle: dt.timedelta = DEFAULT_IDLE) -> str:
    """Open a session for ``user`` and commit; return its token (kept only in the cookie).

    Sessions of anyone that lapsed are removed on the way, so the table stays small.
    """
    token = secrets.token_urlsafe(32)
    now = _now()
    session.execute(delete(UserSession).where(UserSession.last_seen < now - idle))
    session.add(UserSession(user_id=user.id, token_hash=_hash(token), created_at=now,
                            last_seen=now))
    session.commit()
    return token


def load_session(session: Session, token: str, idle: dt.timedelta = DEFAULT_IDLE,
                 lifetime: dt.timedelta = DEFAULT_LIFETIME) -> User | None:
    """Return the enabled account of a live session; None when ended, lapsed or disabled."""
    if not token:
        return None
    row = session.scalar(select(UserSession).where(UserSession.token_hash == _hash(token)))
    if row is None:
        return None
    now = _now()
    user = session.get(User, row.user_id)
    if (user is None or user.disabled or _aware(row.last_seen) + idle < now
            or _aware(row.created_at) + lifetime < now):
        session.delete(row)
        _commit_quietly(session)
        return None
    if now - _aware(row.last_seen) > TOUCH_EVERY:
        row.last_seen = now
        _commit_quietly(session)
    return user


def _commit_quietly(session: Session) -> None:
    """Commit a bookkeeping write; when another write holds the database, skip it."""
    try:
        session.commit()
    except OperationalError:
        # SQLite is locked by a long write (an import): the session stays valid, and its
        # last_seen is written on a later request.
        session.rollback()


def end_session(session: Session, token: str) -> None:
    """End the session ``token`` names (sign out) and commit."""
    session.execute(delete(UserSession).where(UserSession.token_hash == _hash(token or "")))
    session.commit()


def end_sessions(session: Session, user: User) -> int:
    """End every session of ``user`` (sign out everywhere), without committing; return how many.

    The caller commits, in the same transaction as the change that calls for it (a new
    password, a disabled account).
    """
    result = session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    return result.rowcount or 0


def count_sessions(session: Session, user: User, idle: dt.timedelta = DEFAULT_IDLE) -> int:
    """Return how many live sessions ``user`` has."""
    rows = session.scalars(select(UserSession.last_seen).where(UserSession.user_id == user.id))
    now = _now()
    return sum(_aware(seen) + idle >= now for seen in rows)
