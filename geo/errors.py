"""Errors that carry an HTTP-style status, a stable code and a message safe to show a user."""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark ``message`` for translation; the web layer translates it when it is shown."""
    return message


class GeoError(Exception):
    """A failure the user can act on.

    ``message`` is an English msgid with ``%(name)s`` placeholders filled from ``params``;
    the web layer translates it (Chinese by default) and substitutes ``%(field)s`` with the
    field's label in the user's language.
    """

    status = 400
    code = "invalid"

    def __init__(self, message: str, field: str | None = None, **params: object) -> None:
        super().__init__(message % {"field": field, **params} if params or field else message)
        self.message = message
        self.field = field
        self.params = params


class FieldError(GeoError):
    """A value that does not fit its field in the data dictionary."""

    code = "invalid_field"

    def __init__(self, field: str, message: str, **params: object) -> None:
        super().__init__(message, field=field, **params)


class Duplicate(FieldError):
    """A code that another record already holds: the register keeps codes unique."""

    status = 409
    code = "duplicate"


class Busy(GeoError):
    """Another write holds the register (SQLite has one writer at a time): try again soon.

    ``retry_after`` is the seconds a client should wait; the web layer sends it as the
    ``Retry-After`` header of a 503.
    """

    status = 503
    code = "busy"
    retry_after = 5

    def __init__(self) -> None:
        super().__init__(N_("Another write to the register is running (an import, a restore or "
                            "another save): nothing was changed. Try again in a moment."))


class NotFound(GeoError):
    """The thing asked for does not exist."""

    status = 404
    code = "not_found"


class Conflict(GeoError):
    """The record changed since the user loaded it: their change was not saved.

    ``current`` holds the stored version's values, ``submitted`` what the user sent, so the
    user can see both and redo the change.
    """

    status = 409
    code = "conflict"

    def __init__(self, message: str, current: dict, submitted: dict, **params: object) -> None:
        super().__init__(message, field="version", **params)
        self.current = current
        self.submitted = submitted


class Unavailable(GeoError):
    """The database server cannot be reached (restarting, down, the network): try again soon.

    ``retry_after`` is the seconds a client should wait (the ``Retry-After`` header).
    """

    status = 503
    code = "database_unavailable"
    retry_after = 5

    def __init__(self) -> None:
        super().__init__(N_("The database cannot be reached at the moment: nothing was changed. "
                            "Try again in a moment; if it lasts, tell the administrator."))


class DiskFull(GeoError):
    """The disk that holds a SpatiaLite register is full: the write was undone whole."""

    status = 507
    code = "disk_full"

    def __init__(self) -> None:
        super().__init__(N_("The disk that holds the register is full: nothing was changed. "
                            "Free some space on the server (or tell the administrator), then "
                            "try again."))
