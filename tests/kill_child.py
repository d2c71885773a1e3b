"""A server (or a backup) that stops dead at a chosen point of a write (test_kill_writes.py).

    python tests/kill_child.py serve URL PORT PATH POINT   # the app; the write to PATH pauses
    python tests/kill_child.py backup URL OUTPUT           # `landmatch backup`, paused mid-copy

POINT is ``write`` (just after the request's first INSERT/UPDATE/DELETE ran: the rest of the
change is not yet sent) or ``commit`` (every statement sent, the COMMIT not yet). On reaching
it the child prints ``paused`` and sleeps, for the test to kill it with SIGKILL.
"""

from __future__ import annotations

import sys
import time


def _pause(what: str) -> None:
    print("paused", what, flush=True)
    time.sleep(600)


def serve(url: str, port: int, path: str, point: str) -> None:
    from flask import has_request_context, request
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from werkzeug.serving import make_server

    from webmap import create_app

    def ours() -> bool:
        return has_request_context() and request.path == path and request.method != "GET"

    @event.listens_for(Engine, "after_cursor_execute")
    def after_first_write(_conn, _cursor, statement, *_args) -> None:
        if point == "write" and ours() and statement.lstrip().upper().startswith(
                ("INSERT", "UPDATE", "DELETE")):
            _pause(statement.split("(")[0][:60])

    @event.listens_for(Engine, "commit")
    def before_commit(_conn) -> None:
        if point == "commit" and ours():
            _pause("commit")

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "kill-test", "TESTING": True})
    server = make_server("127.0.0.1", port, app)
    print("ready", flush=True)
    server.serve_forever()


class _PausingSource:
    """The backup's source connection, copying one page at a time and stopping after the first."""

    def __init__(self, real) -> None:
        self.real = real

    def backup(self, target, **_kw) -> None:
        def progress(_status, remaining, _total) -> None:
            if remaining:
                _pause("backup")

        self.real.backup(target, pages=1, progress=progress)

    def close(self) -> None:
        self.real.close()


def backup(url: str, output: str) -> None:
    import sqlite3

    import geo.register.backup
    import geo.register.postgis
    import geo.register.spatialite

    class Shim:
        Error = sqlite3.Error

        @staticmethod
        def connect(path, *args, **kwargs):
            conn = sqlite3.connect(path, *args, **kwargs)
            source = geo.register.spatialite._path(url)
            return _PausingSource(conn) if str(path) == str(source) else conn

    real_run = geo.register.postgis._run

    def run_then_pause(command: list[str]) -> None:  # pg_dump done, its file not yet named
        real_run(command)
        _pause("pg_dump")

    geo.register.spatialite.sqlite3 = Shim
    geo.register.postgis._run = run_then_pause
    geo.register.backup.backup(url, output)
    print("finished", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
    else:
        backup(sys.argv[2], sys.argv[3])
