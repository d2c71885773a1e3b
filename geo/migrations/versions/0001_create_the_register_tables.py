"""Create the register tables: parcels, buildings, projects.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_geospatial_table(
        "parcels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("layer", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("town", sa.String(length=20), nullable=True),
        sa.Column("park", sa.String(length=20), nullable=True),
        sa.Column("area_m2", sa.Float(), nullable=False),
        sa.Column("ownership", sa.String(length=20), nullable=True),
        sa.Column("holder", sa.String(length=200), nullable=True),
        sa.Column("land_use", sa.String(length=10), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("plot_ratio", sa.Float(), nullable=True),
        sa.Column("plot_ratio_min", sa.Float(), nullable=True),
        sa.Column("plot_ratio_max", sa.Float(), nullable=True),
        sa.Column("building_coefficient", sa.Float(), nullable=True),
        sa.Column("investment_intensity", sa.Float(), nullable=True),
        sa.Column("idle_cause", sa.String(length=20), nullable=True),
        sa.Column("idle_since", sa.Date(), nullable=True),
        sa.Column("disposal", sa.String(length=20), nullable=True),
        sa.Column("disposal_deadline", sa.Date(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4490,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
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
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("parcels", schema=None) as batch_op:
        batch_op.create_geospatial_index(
            "idx_parcels_geom", ["geom"], unique=False, postgresql_using="gist", postgresql_ops={}
        )
        batch_op.create_index(batch_op.f("ix_parcels_layer"), ["layer"], unique=False)
        batch_op.create_index(batch_op.f("ix_parcels_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_parcels_town"), ["town"], unique=False)

    op.create_table(
        "buildings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parcel_id", sa.Integer(), nullable=False),
        sa.Column("floor_area_m2", sa.Float(), nullable=False),
        sa.Column("storeys", sa.Integer(), nullable=True),
        sa.Column("span_m", sa.Float(), nullable=True),
        sa.Column("clear_height_m", sa.Float(), nullable=True),
        sa.Column("crane_t", sa.Float(), nullable=True),
        sa.Column("idle", sa.String(length=3), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["parcel_id"],
            ["parcels.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("buildings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_buildings_parcel_id"), ["parcel_id"], unique=False)

    op.create_geospatial_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("industry", sa.String(length=5), nullable=True),
        sa.Column("chain", sa.String(length=20), nullable=True),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("total_investment", sa.Float(), nullable=True),
        sa.Column("land_demand_mu", sa.Float(), nullable=True),
        sa.Column("leader", sa.String(length=50), nullable=True),
        sa.Column("lead_unit", sa.String(length=100), nullable=True),
        sa.Column("town", sa.String(length=20), nullable=True),
        sa.Column("parcel_id", sa.Integer(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column(
            "site",
            Geometry(
                srid=4490,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
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
        sa.ForeignKeyConstraint(
            ["parcel_id"],
            ["parcels.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.create_geospatial_index(
            "idx_projects_site", ["site"], unique=False, postgresql_using="gist", postgresql_ops={}
        )
        batch_op.create_index(batch_op.f("ix_projects_parcel_id"), ["parcel_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_projects_stage"), ["stage"], unique=False)
        batch_op.create_index(batch_op.f("ix_projects_town"), ["town"], unique=False)


def downgrade():
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_projects_town"))
        batch_op.drop_index(batch_op.f("ix_projects_stage"))
        batch_op.drop_index(batch_op.f("ix_projects_parcel_id"))
        batch_op.drop_geospatial_index(
            "idx_projects_site", postgresql_using="gist", column_name="site"
        )

    op.drop_geospatial_table("projects")
    with op.batch_alter_table("buildings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_buildings_parcel_id"))

    op.drop_table("buildings")
    with op.batch_alter_table("parcels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parcels_town"))
        batch_op.drop_index(batch_op.f("ix_parcels_status"))
        batch_op.drop_index(batch_op.f("ix_parcels_layer"))
        batch_op.drop_geospatial_index(
            "idx_parcels_geom", postgresql_using="gist", column_name="geom"
        )

    op.drop_geospatial_table("parcels")
