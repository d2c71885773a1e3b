"""Indexes that find a project's latest progress entries without reading its whole history.

The ledger reads, per project, the last entry up to a day and an entry at 100 %
(geo.ledger.decisive_progress); the second index answers the 100 % lookup from
the index alone; with only ``project_id`` indexed, every ledger read sorted
each project's whole history, and /api/ledger grew with it (bench/README.md).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_progress_entries_project_date", "progress_entries",
                    ["project_id", "date", "id"])
    op.create_index("ix_progress_entries_project_percent", "progress_entries",
                    ["project_id", "percent_done", "date"])


def downgrade():
    op.drop_index("ix_progress_entries_project_percent", table_name="progress_entries")
    op.drop_index("ix_progress_entries_project_date", table_name="progress_entries")
