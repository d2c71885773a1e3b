"""Matching: parcel utilities, price and 标准地 indicators; the offer log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

NEW_PARCEL_COLUMNS = (
    ("power_kva", sa.Float()),
    ("water_t_per_day", sa.Float()),
    ("gas", sa.String(length=3)),
    ("rail", sa.String(length=3)),
    ("price", sa.Float()),
    ("std_investment_intensity", sa.Float()),
    ("std_plot_ratio_min", sa.Float()),
    ("std_building_coefficient", sa.Float()),
)


def upgrade():
    # Plain ADD COLUMN, not a batch copy: SQLite supports it, and a batch rebuild would lose
    # SpatiaLite's geometry registration of parcels.geom.
    for name, type_ in NEW_PARCEL_COLUMNS:
        op.add_column("parcels", sa.Column(name, type_, nullable=True))
    op.create_index("ix_parcels_area_m2", "parcels", ["area_m2"], unique=False)
    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("parcel_id", sa.Integer(), nullable=False),
        sa.Column("offered_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("feedback", sa.String(length=2000), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["parcel_id"], ["parcels.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_offers_parcel_id", "offers", ["parcel_id"], unique=False)
    op.create_index("ix_offers_project_id", "offers", ["project_id"], unique=False)


def downgrade():
    op.drop_index("ix_offers_project_id", table_name="offers")
    op.drop_index("ix_offers_parcel_id", table_name="offers")
    op.drop_table("offers")
    op.drop_index("ix_parcels_area_m2", table_name="parcels")
    # Plain DROP COLUMN (SQLite ≥ 3.35): a batch rebuild of parcels fails on SpatiaLite.
    for name, _type in reversed(NEW_PARCEL_COLUMNS):
        op.drop_column("parcels", name)
