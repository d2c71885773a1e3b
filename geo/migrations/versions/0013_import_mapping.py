"""Imports keep the mapping they used: columns to fields, and words read as other values.

A file that says 可供 for 可供地 is imported through a value mapping (the user's, or the
dictionary's other words); the run records which words became which value on how many
rows, so the import can be explained later (geo/importer/values.py).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    # plain add/drop column, no batch rebuild: parcel_versions references import_runs
    # (docs/traps.md, "Alembic batch mode on SpatiaLite")
    op.add_column("import_runs", sa.Column("mapping", sa.JSON(), nullable=True))


def downgrade():
    op.drop_column("import_runs", "mapping")
