"""Language of the interface: Simplified Chinese by default, English on request."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, current_app, request
from flask_babel import Babel, get_locale

from geo.fields import Field
from webmap.drawlocal import draw_local

LANG_COOKIE = "lang"


def select_locale() -> str:
    """Pick the language: ``?lang=``, then the cookie, then the default (Chinese)."""
    languages = current_app.config["LANGUAGES"]
    for candidate in (request.args.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in languages:
            return candidate
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def lang() -> str:
    """Return "zh" or "en" for the current request."""
    return "en" if str(get_locale()).startswith("en") else "zh"


def field_label(field: Field) -> str:
    """Return a field's label in the current language."""
    return field.label(lang())


def init_app(app: Flask) -> None:
    """Attach Flask-Babel and remember a language chosen with ``?lang=``."""
    Babel(app, locale_selector=select_locale)

    @app.after_request
    def remember_language(response):
        chosen = request.args.get("lang")
        if chosen in app.config["LANGUAGES"]:
            response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, samesite="Lax",
                                httponly=True)
        return response

    app.jinja_env.globals["lang"] = lang
    app.jinja_env.globals["language_link"] = language_link
    app.jinja_env.globals["draw_local"] = draw_local


def language_link(code: str) -> str:
    """Return this page's address in language ``code``, keeping the rest of its query."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return request.path + "?" + urlencode([*args, ("lang", code)])
