"""Rate-limit counters in the app's own database, shared by every worker and server (database://).

flask-limiter keeps its counters in a storage of the ``limits`` library. ``memory://`` is one
counter per process: under ``make serve`` (one worker per core) each worker let through its own
ten failed sign-ins a minute. ``limits`` has no SQL storage, and Redis is not on a fresh machine,
so this one registers the scheme ``database://`` with ``limits``: one row per key in the table
``rate_limits``, counted up by a single atomic upsert that SQLite (3.35+) and PostgreSQL both
run. Every worker and every app server that shares the database shares the counts
(docs/security.md). ``LANDMATCH_RATELIMIT_STORAGE_URI=redis://…`` still chooses Redis.
"""

from __future__ import annotations

import time

from flask import Flask
from limits.storage import Storage
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

# Fixed window: a new window starts when the old one has expired.
_INCR = text("""
    INSERT INTO rate_limits (bucket, hits, expires_at) VALUES (:key, :amount, :expires)
    ON CONFLICT (bucket) DO UPDATE SET
        hits = CASE WHEN rate_limits.expires_at <= :now THEN :amount
                    ELSE rate_limits.hits + :amount END,
        expires_at = CASE WHEN rate_limits.expires_at <= :now THEN :expires
                          ELSE rate_limits.expires_at END
    RETURNING hits
""")
_PURGE_EVERY = 200  # increments between removals of expired rows, per process


class DatabaseStorage(Storage):
    """A ``limits`` storage over the app's database (fixed-window strategy only)."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 engine: Engine | None = None, **options) -> None:
        if engine is None:
            raise ValueError("database:// needs the app's engine (storage_options engine=)")
        self.engine = engine
        self._increments = 0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to ``key``'s count in its window (``expiry`` seconds); return it."""
        now = time.time()
        with self.engine.begin() as conn:
            hits = conn.execute(_INCR, {"key": key, "amount": amount, "now": now,
                                        "expires": now + expiry}).scalar_one()
            self._increments += 1
            if self._increments % _PURGE_EVERY == 0:
                conn.execute(text("DELETE FROM rate_limits WHERE expires_at <= :now"),
                             {"now": now})
        return int(hits)

    def get(self, key: str) -> int:
        """Return ``key``'s count in its current window (0 once it expired)."""
        with self.engine.connect() as conn:
            hits = conn.execute(text("SELECT hits FROM rate_limits WHERE bucket = :key "
                                     "AND expires_at > :now"),
                                {"key": key, "now": time.time()}).scalar()
        return int(hits or 0)

    def get_expiry(self, key: str) -> float:
        """Return when ``key``'s window ends (seconds since the epoch)."""
        now = time.time()
        with self.engine.connect() as conn:
            expires = conn.execute(text("SELECT expires_at FROM rate_limits WHERE bucket = :key"),
                                   {"key": key}).scalar()
        return float(expires) if expires and expires > now else now

    def check(self) -> bool:
        """Return True when the database answers."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1 FROM rate_limits WHERE 1 = 0"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Remove every counter; return how many there were."""
        with self.engine.begin() as conn:
            return conn.execute(text("DELETE FROM rate_limits")).rowcount

    def clear(self, key: str) -> None:
        """Remove ``key``'s counter."""
        with self.engine.begin() as conn:
            conn.execute(text("DELETE FROM rate_limits WHERE bucket = :key"), {"key": key})


def storage_options(app: Flask) -> dict:
    """Return the options flask-limiter passes to the storage RATELIMIT_STORAGE_URI names."""
    if app.config["RATELIMIT_STORAGE_URI"].startswith("database:"):
        return {"engine": app.extensions["landmatch.engine"]}
    return {}
