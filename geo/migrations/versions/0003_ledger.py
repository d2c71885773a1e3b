"""The key-project ledger: plans, annual plans, progress, transitions, parcels of a project;
idle-land follow-up columns on parcels (disposal plan, agreed and actual start dates).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "annual_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("planned_investment", sa.Float(), nullable=False),
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
            ["project_id"],
            ["projects.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "year"),
    )
    op.create_table(
        "progress_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("completed_investment", sa.Float(), nullable=True),
        sa.Column("percent_done", sa.Float(), nullable=True),
        sa.Column("problems", sa.Text(), nullable=True),
        sa.Column("next_steps", sa.Text(), nullable=True),
        sa.Column("reporter", sa.String(length=50), nullable=False),
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
            ["project_id"],
            ["projects.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("progress_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_progress_entries_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "project_parcels",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("parcel_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parcel_id"],
            ["parcels.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
        ),
        sa.PrimaryKeyConstraint("project_id", "parcel_id"),
    )
    with op.batch_alter_table("project_parcels", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_parcels_parcel_id"), ["parcel_id"], unique=False
        )

    op.create_table(
        "project_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("plan_sign", sa.Date(), nullable=True),
        sa.Column("plan_land", sa.Date(), nullable=True),
        sa.Column("plan_start", sa.Date(), nullable=True),
        sa.Column("plan_complete", sa.Date(), nullable=True),
        sa.Column("plan_production", sa.Date(), nullable=True),
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
            ["project_id"],
            ["projects.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id"),
    )
    op.create_table(
        "project_transitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("from_stage", sa.String(length=20), nullable=False),
        sa.Column("to_stage", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("by", sa.String(length=50), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
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
            ["project_id"],
            ["projects.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("project_transitions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_transitions_project_id"), ["project_id"], unique=False
        )

    with op.batch_alter_table("parcels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("disposal_plan", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("agreed_start", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("actual_start", sa.Date(), nullable=True))


def downgrade():
    # Plain DROP COLUMN (SQLite >= 3.35): a batch rebuild of parcels fails on SpatiaLite,
    # whose other tables hold foreign keys to it.
    for name in ("actual_start", "agreed_start", "disposal_plan"):
        op.drop_column("parcels", name)

    with op.batch_alter_table("project_transitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_transitions_project_id"))

    op.drop_table("project_transitions")
    op.drop_table("project_plans")
    with op.batch_alter_table("project_parcels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_parcels_parcel_id"))

    op.drop_table("project_parcels")
    with op.batch_alter_table("progress_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_progress_entries_project_id"))

    op.drop_table("progress_entries")
    op.drop_table("annual_plans")
