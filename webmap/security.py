"""Response headers: a Content-Security-Policy with a per-request script nonce, and friends.

Inline scripts run only when they carry the request's nonce (folium's map script does,
see ``with_nonce``); no inline event handlers, no ``eval``. Styles allow 'unsafe-inline'
because folium and Leaflet set ``style`` attributes; a style cannot run code.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, g
from markupsafe import Markup
from werkzeug.middleware.proxy_fix import ProxyFix

_SCRIPT_OPEN = re.compile(r"<script(?![^>]*\bnonce=)")


def csp_nonce() -> str:
    """Return this request's nonce, made on first use."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def with_nonce(html: str) -> Markup:
    """Return trusted, generated HTML (folium's) with the nonce on each of its script tags."""
    return Markup(_SCRIPT_OPEN.sub(f'<script nonce="{csp_nonce()}"', html))


def _tile_sources(config) -> list[str]:
    choice = (config.get("BASEMAP") or "none").strip()
    if choice == "tianditu":
        return ["https://*.tianditu.gov.cn"]
    if "{z}" in choice:
        parts = urlsplit(choice.replace("{s}", "a"))
        host = parts.netloc.replace("a.", "*.", 1) if "{s}" in choice else parts.netloc
        return [f"{parts.scheme}://{host}"] if parts.scheme and host else []
    return []


def policy(nonce: str) -> str:
    """Return the Content-Security-Policy header for a response."""
    images = " ".join(["'self'", "data:", *_tile_sources(current_app.config)])
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src {images}",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def init_app(app: Flask) -> None:
    """Add the security headers to every response; trust PROXY_COUNT proxies' X-Forwarded-*."""
    if app.config.get("PROXY_COUNT"):
        # Behind nginx every request comes from the proxy: without its X-Forwarded-For the
        # sign-in limit would count all clients as one address (docs/security.md).
        n = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.jinja_env.filters["with_nonce"] = with_nonce

    @app.after_request
    def headers(response):
        response.headers["Content-Security-Policy"] = policy(csp_nonce())
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        return response
