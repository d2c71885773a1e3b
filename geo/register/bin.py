"""The bin, enforced once: binned parcels and projects are invisible to every ORM read.

A read that needs them (the bin page, history, restore, a code's uniqueness) asks with
``.execution_options(include_deleted=True)``. Core reads of the tables themselves (the
importer's) are not ORM reads and see every row, as they must to update by code.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, event
from sqlalchemy.orm import ORMExecuteState, sessionmaker, with_loader_criteria

from geo.models import Binnable

INCLUDE_DELETED = "include_deleted"


def _hide_binned(state: ORMExecuteState) -> None:
    # Column and relationship loads inherit the criteria from the statement that loaded the
    # object, as SQLAlchemy's own soft-delete recipe does.
    if (state.is_select and not state.is_column_load and not state.is_relationship_load
            and not state.execution_options.get(INCLUDE_DELETED, False)):
        state.statement = state.statement.options(with_loader_criteria(
            Binnable, not_binned, include_aliases=True))


def not_binned(model: type[Binnable]) -> ColumnElement[bool]:
    """Return the bin's condition for a Core read that bypasses the ORM (the hook cannot see it)."""
    return model.deleted_at.is_(None)


def hide_binned(factory: sessionmaker) -> sessionmaker:
    """Make every session of ``factory`` leave binned records out of its reads."""
    event.listen(factory, "do_orm_execute", _hide_binned)
    return factory
