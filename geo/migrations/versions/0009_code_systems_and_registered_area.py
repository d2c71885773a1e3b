"""Land-use code systems, the planned use beside the current one, the registered area.

Parcels keep the file's own (registered, legal) area as given, with its unit, beside the
computed ellipsoidal ``area_m2``; and each land-use code gets its system, since the same code
means different things in GB/T 21010-2017, 三调 and 用地用海 2023 (docs/domain.md).

Existing codes get the system the register read them in until now: its one table held each
code once, in one system, and matching, popups and sheets used that meaning. So 1001 (and
1002, 1101, 1102, 0901, 0902, the six-digit codes) stay 用地用海 2023, as matching treated them;
0601/0602/0603, 0508 and 05H1 are 三调 (the current-status survey of record, which the old table
named for 0601–0603 together with GB/T 21010, where they mean the same); 0604 and 0501–0507 were
GB/T 21010-2017 only. Any other value was never in the table: its system stays empty, and
matching never reads such a code as industrial. Registered areas were never kept: they stay
empty until the next import of the parcel.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The old table (data/landuse_codes.csv before 0009): code -> the system it was read in.
OLD_TABLE = {
    "sandiao": ("0601", "0602", "0603", "0508", "05H1"),
    "gbt21010": ("0604", "0501", "0502", "0503", "0504", "0505", "0506", "0507"),
    "ydyh2023": ("1001", "100101", "100102", "100103", "1002", "1101", "110101", "110102",
                 "110103", "1102", "0901", "0902"),
}
COLUMNS = (("registered_area", sa.Float()), ("registered_area_unit", sa.String(3)),
           ("land_use_system", sa.String(10)), ("planned_use", sa.String(10)),
           ("planned_use_system", sa.String(10)))


def upgrade():
    # plain add_column: a batch rebuild of parcels fails on SpatiaLite (docs/traps.md 3)
    for name, kind in COLUMNS:
        op.add_column("parcels", sa.Column(name, kind, nullable=True))
    parcels = sa.table("parcels", sa.column("land_use", sa.String),
                       sa.column("land_use_system", sa.String))
    for system, codes in OLD_TABLE.items():
        op.execute(parcels.update().where(parcels.c.land_use.in_(codes))
                   .values(land_use_system=system))


def downgrade():
    for name, _ in reversed(COLUMNS):
        op.drop_column("parcels", name)
