"""One engine per app, one database session per request, closed when the request ends."""

from __future__ import annotations

from flask import Flask, current_app, g
from flask_login import current_user
from sqlalchemy.orm import Session

from geo.register import make_engine, make_sessionmaker


def init_app(app: Flask) -> None:
    """Create the app's engine and session factory; close each request's session on teardown."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["landmatch.engine"] = engine
    app.extensions["landmatch.sessions"] = make_sessionmaker(engine)
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """Return the current request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["landmatch.sessions"]()
        # Which statuses this bureau offers: geo/supply.py reads it from the session.
        g.db_session.info["offerable_statuses"] = tuple(current_app.config["OFFERABLE_STATUSES"])
        # Whose zones' emission quotas landing and matching read (geo/capacity.py).
        g.db_session.info["county"] = current_app.config["COUNTY"]
        # Every audit record written through this session names the signed-in account.
        if current_user and current_user.is_authenticated:
            g.db_session.info["user"] = current_user.name
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
