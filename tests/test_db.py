"""Schema, migrations and the spatial index on both backends."""

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text

from geo.models import Parcel
from geo.register import MIGRATIONS, backend_for, is_migrated, make_engine, migrate

BBOX = (111.40, 35.80, 111.50, 35.90)


def test_migrations_create_the_register_tables(empty_db_url):
    engine = make_engine(empty_db_url)
    assert is_migrated(engine)
    assert {"parcels", "buildings", "projects"} <= set(inspect(engine).get_table_names())
    migrate(engine)  # running again changes nothing and does not fail
    with engine.connect() as conn:
        current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert current == ScriptDirectory(str(MIGRATIONS)).get_current_head()
    engine.dispose()


def _bbox_statement(session):
    return select(Parcel.id).where(backend_for(session).bbox_filter(Parcel.geom, Parcel.id, BBOX))


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_spatialite_bbox_query_goes_through_the_rtree(session):
    sql = _bbox_statement(session).compile(session.get_bind(),
                                           compile_kwargs={"literal_binds": True})
    plan = " ".join(str(r) for r in session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
    # SQLite would otherwise scan parcels row by row (docs/stack.md trap 4).
    assert "VIRTUAL TABLE INDEX" in plan and "idx_parcels_geom" in plan, plan
    assert "SCAN parcels" not in plan, plan


@pytest.mark.parametrize("backend", ["postgis"], indirect=True)
def test_postgis_bbox_query_can_use_the_gist_index(session):
    session.execute(text("SET enable_seqscan = off"))  # the demo is small enough to scan
    sql = _bbox_statement(session).compile(session.get_bind(),
                                           compile_kwargs={"literal_binds": True})
    plan = " ".join(r[0] for r in session.execute(text(f"EXPLAIN {sql}")))
    assert "idx_parcels_geom" in plan, plan


def test_bbox_filter_returns_exactly_the_parcels_that_intersect(session):
    from shapely.geometry import box

    from geo.geometry import from_db

    found = set(session.scalars(_bbox_statement(session)))
    expected = {p.id for p in session.scalars(select(Parcel))
                if from_db(p.geom).intersects(box(*BBOX))}
    assert found == expected and found


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_spatialite_file_runs_in_wal_mode_so_reads_go_on_during_writes(session):
    assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
