"""Migration 0002 (matching columns, offers) goes down and up again on both backends."""

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from geo.register import MIGRATIONS, make_engine, migrate


def test_migration_0002_goes_down_and_up_again(empty_db_url):
    engine = make_engine(empty_db_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    columns = {c["name"] for c in inspect(engine).get_columns("parcels")}
    assert "power_kva" not in columns and not inspect(engine).has_table("offers")
    migrate(engine)
    columns = {c["name"] for c in inspect(engine).get_columns("parcels")}
    assert {"power_kva", "std_investment_intensity"} <= columns
    assert inspect(engine).has_table("offers")
    engine.dispose()
