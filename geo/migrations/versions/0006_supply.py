"""A parcel's supply life: one project at most holds a parcel, and the dated supply moves.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    # Main parcels recorded only on the project become holds, as geo/supply.py keeps them.
    op.execute(
        "INSERT INTO project_parcels (project_id, parcel_id) "
        "SELECT p.id, p.parcel_id FROM projects p WHERE p.parcel_id IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM project_parcels pp WHERE pp.project_id = p.id "
        "AND pp.parcel_id = p.parcel_id)")
    # A parcel held twice keeps its first holder; the unique index then refuses a second.
    op.execute(
        "DELETE FROM project_parcels WHERE EXISTS (SELECT 1 FROM project_parcels older "
        "WHERE older.parcel_id = project_parcels.parcel_id "
        "AND older.project_id < project_parcels.project_id)")
    op.drop_index("ix_project_parcels_parcel_id", table_name="project_parcels")
    op.create_index("ux_project_parcels_parcel", "project_parcels", ["parcel_id"], unique=True)
    op.create_table(
        "supply_moves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parcel_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("move", sa.String(length=20), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=False),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("by", sa.String(length=80), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True),
                  server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.ForeignKeyConstraint(["parcel_id"], ["parcels.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_supply_moves_parcel_id", "supply_moves", ["parcel_id"])
    op.create_index("ix_supply_moves_project_id", "supply_moves", ["project_id"])


def downgrade():
    op.drop_index("ix_supply_moves_project_id", table_name="supply_moves")
    op.drop_index("ix_supply_moves_parcel_id", table_name="supply_moves")
    op.drop_table("supply_moves")
    op.drop_index("ux_project_parcels_parcel", table_name="project_parcels")
    op.create_index("ix_project_parcels_parcel_id", "project_parcels", ["parcel_id"])
