"""How the engines answer when storage fails: a server gone, a full disk, a WAL that grows."""

from __future__ import annotations

import os
import sqlite3

from sqlalchemy import Engine, event

from geo.errors import DiskFull, Unavailable

# SQLSTATE classes of a lost or refused connection: 08 (connection exception) and 57P01-03
# (the server shutting down, crashed, or not yet accepting connections).
_OUTAGE_STATES = ("08", "57P01", "57P02", "57P03")
# Past this size the WAL is checkpointed and truncated when a connection goes back to the
# pool; SQLite's own passive checkpoints keep it near 4 MB when readers pause now and then.
WAL_LIMIT_BYTES = 16 * 2**20


def watch_postgres(engine: Engine) -> None:
    """Turn a lost or refused PostgreSQL connection into ``Unavailable`` (503).

    The engine's ``pool_pre_ping`` replaces dead pooled connections once the server is back,
    so the app recovers by itself; a pre-ping's own failure is left to SQLAlchemy, which
    then tries a fresh connection (and comes back here if that fails too).
    """
    event.listen(engine, "handle_error", _postgres_outage)


def _postgres_outage(context) -> None:
    if context.is_pre_ping:
        return
    state = getattr(context.original_exception, "sqlstate", None)
    if context.is_disconnect or (
            type(context.original_exception).__name__ == "OperationalError"
            and (state is None or state.startswith(_OUTAGE_STATES))):
        raise Unavailable() from context.original_exception


def watch_sqlite(engine: Engine, path: str) -> None:
    """Turn SQLite's "database or disk is full" into ``DiskFull`` (507), and keep the WAL
    file of ``path`` bounded.

    Checkpoint starvation: SQLite restarts the WAL only when a checkpoint has copied every
    frame back and no reader still uses it; with readers that always overlap (a busy map
    and ledger) that moment never comes, and the WAL grows without bound (136 MB in the
    issue's ten-minute soak), every page lookup walking a longer WAL index. A TRUNCATE
    checkpoint waits (busy_timeout) for the readers of the moment and restarts it.
    """
    event.listen(engine, "handle_error", _sqlite_full)
    wal = f"{path}-wal"

    def checkpoint_when_grown(dbapi_conn, _record) -> None:
        try:
            if dbapi_conn is None or os.path.getsize(wal) <= WAL_LIMIT_BYTES:
                return
        except OSError:  # no WAL yet (or an in-memory database)
            return
        try:
            dbapi_conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except sqlite3.Error:  # busy past busy_timeout: the next check-in tries again
            pass

    event.listen(engine, "checkin", checkpoint_when_grown)


def _sqlite_full(context) -> None:
    if "database or disk is full" in str(context.original_exception):
        raise DiskFull() from context.original_exception
