"""The supply register per parcel (令53 reads it) and a project's yearly emissions.

A parcel's idle date is now derived from its contract's agreed start (geo/idle_law.py):
where only a typed "idle since" was kept, the agreed start it implies (one year earlier,
令53 第二条) is written, so the derived date is the one staff had typed.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

PARCEL_COLUMNS = (
    ("supervision_no", sa.String(length=40)), ("supply_method", sa.String(length=20)),
    ("contract_price", sa.Float()), ("contract_date", sa.Date()),
    ("agreed_completion", sa.Date()), ("developed_area_m2", sa.Float()),
    ("invested", sa.Float()), ("agreed_investment", sa.Float()), ("stopped_since", sa.Date()),
)
POLLUTANTS = ("so2", "nox", "pm", "voc", "cod", "nh3n")


def upgrade():
    # Plain add_column, not batch mode: other tables reference these (docs/traps.md, 3).
    for name, kind in PARCEL_COLUMNS:
        op.add_column("parcels", sa.Column(name, kind, nullable=True))
    for p in POLLUTANTS:
        op.add_column("projects", sa.Column(f"emission_{p}", sa.Float(), nullable=True))
    parcels = sa.table("parcels", sa.column("id", sa.Integer), sa.column("idle_since", sa.Date),
                       sa.column("agreed_start", sa.Date))
    bind = op.get_bind()
    rows = bind.execute(sa.select(parcels.c.id, parcels.c.idle_since).where(
        parcels.c.agreed_start.is_(None), parcels.c.idle_since.is_not(None))).all()
    for row_id, since in rows:
        try:
            agreed = since.replace(year=since.year - 1)
        except ValueError:  # 29 February
            agreed = since.replace(year=since.year - 1, day=28)
        bind.execute(parcels.update().where(parcels.c.id == row_id).values(agreed_start=agreed))


def downgrade():
    for p in reversed(POLLUTANTS):
        op.drop_column("projects", f"emission_{p}")
    for name, _kind in reversed(PARCEL_COLUMNS):
        op.drop_column("parcels", name)
