"""LandMatch's web application: the app factory."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from geo.register import default_url
from webmap import (
    admin,
    api,
    auth,
    boundaries,
    cli,
    db,
    edit_api,
    editing,
    errors,
    i18n,
    inputs,
    ledger,
    ledger_api,
    match,
    offers,
    ogc,
    openapi,
    pages,
    project_editing,
    security,
    supply_api,
    tiles,
    uploads,
)
from webmap.config import Defaults

STATIC = Path(__file__).resolve().parent.parent / "static"


def create_app(config: dict | None = None) -> Flask:
    """Create the app: defaults, then ``LANDMATCH_*`` environment variables, then ``config``."""
    app = Flask(__name__, instance_relative_config=True, static_folder=str(STATIC))
    app.config.from_object(Defaults)
    app.config.from_prefixed_env("LANDMATCH")
    if config:
        app.config.from_mapping(config)
    app.json.ensure_ascii = False  # Chinese stays readable in JSON responses
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = default_url(app.instance_path)
    # Every state-changing request needs the CSRF token: forms carry it as a hidden field,
    # scripts send the X-CSRFToken header from the page's csrf-token meta tag. auth's gate
    # checks it, after refusing the anonymous (401 first), so not flask-wtf's own hook.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf = CSRFProtect(app)
    # Matching changes nothing, so API clients may post needs without a token.
    csrf.exempt(match.api_match)
    csrf.exempt(match.api_explain)
    _secret_key(app)
    db.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    inputs.init_app(app)
    cli.init_app(app)
    security.init_app(app)
    for module in (pages, api, match, offers, ledger, ledger_api, openapi, ogc, uploads,
                   editing, project_editing, edit_api, supply_api, admin, boundaries, tiles):
        app.register_blueprint(module.bp)
    auth.init_app(app)  # after the blueprints: it wraps the login view with the rate limit
    return app


def _secret_key(app: Flask) -> None:
    """Use the configured secret, else one generated once and kept in instance/ (not git)."""
    if app.config.get("SECRET_KEY"):
        return
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    app.config["SECRET_KEY"] = path.read_text().strip()
