"""The ``landmatch`` command: init-db, demo, export."""

from geo.demo import counts


def test_demo_loads_once_and_if_empty_leaves_data_alone(empty_app):
    runner = empty_app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    first = runner.invoke(args=["demo", "--if-empty"])
    assert first.exit_code == 0 and "虚构数据" in first.output
    again = runner.invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0 and "未加载" in again.output
    refused = runner.invoke(args=["demo"])
    assert refused.exit_code != 0 and "空库" in refused.output
    with empty_app.extensions["landmatch.sessions"]() as session:
        assert counts(session)["idle"] >= 60


def test_console_script_is_a_flask_group():
    from flask.cli import FlaskGroup

    from webmap.cli import main

    assert isinstance(main, FlaskGroup)
