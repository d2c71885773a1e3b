"""The county 台账 sheet's own columns: a project's 建设单位, 建设性质 and 建设内容及规模, and a
progress entry's 形象进度 in words (主体完工) beside its percent.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


COLUMNS = (("projects", "builder", sa.String(200)), ("projects", "nature", sa.String(20)),
           ("projects", "content", sa.Text()), ("progress_entries", "status_text",
                                                 sa.String(500)))


def upgrade():
    # Plain ADD COLUMN, not a batch copy: a batch rebuild of projects (which has a geometry
    # column) fails on SpatiaLite (docs/traps.md 3).
    for table, name, type_ in COLUMNS:
        op.add_column(table, sa.Column(name, type_, nullable=True))


def downgrade():
    # Plain DROP COLUMN (SQLite >= 3.35), for the same reason.
    for table, name, _type in reversed(COLUMNS):
        op.drop_column(table, name)
