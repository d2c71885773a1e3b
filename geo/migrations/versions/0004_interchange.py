"""Imports: the log of committed imports and the parcels' previous versions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "import_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("layer", sa.String(length=10), nullable=False),
        sa.Column("crs", sa.String(length=100), nullable=False),
        sa.Column("encoding", sa.String(length=20), nullable=True),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column(
            "imported_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "parcel_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parcel_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column(
            "saved_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["import_id"], ["import_runs.id"]),
        sa.ForeignKeyConstraint(["parcel_id"], ["parcels.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("parcel_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_parcel_versions_parcel_id"), ["parcel_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("parcel_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parcel_versions_parcel_id"))
    op.drop_table("parcel_versions")
    op.drop_table("import_runs")
