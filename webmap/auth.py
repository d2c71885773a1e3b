"""Sign-in (Flask-Login), roles on views, the public-read switch, and the login rate limit."""

from __future__ import annotations

import datetime as dt
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import (
    LoginManager,
    UserMixin,
    current_user,
    login_user,
    logout_user,
)
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from geo.sessions import end_session, load_session, start_session
from geo.users import (
    MIN_PASSWORD,
    authenticate,
    change_password,
    role_allows,
    sign_out_everywhere,
)
from webmap import ratelimit
from webmap.db import get_session
from webmap.negotiation import wants_json

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
# Reachable without signing in even when reading needs an account.
OPEN_ENDPOINTS = {"auth.login", "static"}


class StaffUser(UserMixin):
    """The signed-in member of staff, as Flask-Login sees them."""

    def __init__(self, token: str, name: str, role: str) -> None:
        self.token, self.name, self.role = token, name, role

    def get_id(self) -> str:
        """Return the server-side session's token (geo/sessions.py): ending it signs out."""
        return self.token

    def can(self, role: str) -> bool:
        """Return True when this user's role is at least ``role``."""
        return role_allows(self.role, role)


def idle_timeout() -> dt.timedelta:
    """Return how long a session may go unused before it ends (SESSION_IDLE_HOURS)."""
    return dt.timedelta(hours=float(current_app.config["SESSION_IDLE_HOURS"]))


@login_manager.user_loader
def _load(token: str) -> StaffUser | None:
    lifetime = dt.timedelta(hours=float(current_app.config["SESSION_MAX_HOURS"]))
    user = load_session(get_session(), token, idle_timeout(), lifetime)
    return StaffUser(token, user.name, user.role) if user else None


@login_manager.unauthorized_handler
def _unauthorized():
    # A tile, a GeoJSON download or an API client must fail as a status (401 in the error
    # shape), not turn into the sign-in page; only a page read in a browser is redirected.
    if wants_json() or request.method != "GET":
        abort(401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def role_required(role: str):
    """Let the view run only for a signed-in user whose role is at least ``role``."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.can(role):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_role = role
        return wrapped

    return decorate


editor_required = role_required("editor")
admin_required = role_required("admin")


def may_see_the_bin() -> bool:
    """Return True when the signed-in user may see binned records' history (editors, to
    restore them); viewers and the anonymous may not."""
    return current_user.is_authenticated and current_user.can("editor")


class LoginForm(FlaskForm):
    """Name and password."""

    name = StringField("Account name", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


class PasswordForm(FlaskForm):
    """The current password and a new one."""

    old_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField("New password", validators=[DataRequired()])


def _safe_next(target: str | None) -> str:
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/"):
        return target
    return url_for("pages.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with name and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(get_session(), form.name.data, form.password.data)
        if user is not None:
            token = start_session(get_session(), user, idle_timeout())
            login_user(StaffUser(token, user.name, user.role))
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Wrong account name or password, or the account is disabled."))
        return render_template("login.html", form=form), 401
    return render_template("login.html", form=form)


@bp.post("/logout")
def logout():
    """Sign out: the session ends on the server too, so a copy of the cookie is dead."""
    if current_user.is_authenticated:
        end_session(get_session(), current_user.token)
    logout_user()
    return redirect(url_for("pages.index"))


@bp.post("/account/sign-out-everywhere")
@role_required("viewer")  # any account, as the password page
def sign_out_all():
    """End every session of one's own account, on every device, this one included."""
    sign_out_everywhere(get_session(), current_user.name, acting=current_user.name)
    logout_user()
    flash(_("Signed out everywhere: sign in again."))
    return redirect(url_for("pages.index"))  # as sign-out does


@bp.route("/account/password", methods=["GET", "POST"])
@role_required("viewer")  # any account; marked like every view that needs one (see gate)
def password():
    """Change one's own password."""
    form = PasswordForm()
    if form.validate_on_submit():
        change_password(get_session(), current_user.name, form.old_password.data,
                        form.new_password.data)
        logout_user()  # every session ended with the old password: sign in again
        flash(_("Password changed: sign in with the new one."))
        return redirect(url_for("auth.login"))
    return render_template("password.html", form=form)


def _login_name() -> str:
    return "name:" + (request.form.get("name") or "").strip().lower()


def init_app(app: Flask) -> None:
    """Attach Flask-Login, the access gate (then CSRF) and the sign-in rate limit to ``app``."""
    login_manager.init_app(app)
    app.register_blueprint(bp)
    # Counters shared by every worker: the app's database by default (webmap/ratelimit.py).
    limiter = Limiter(get_remote_address, app=app,
                      storage_uri=app.config["RATELIMIT_STORAGE_URI"],
                      storage_options=ratelimit.storage_options(app))
    limit = app.config["LOGIN_RATE_LIMIT"]
    failed = {"methods": ["POST"], "deduct_when": lambda response: response.status_code == 401}
    view = limiter.limit(limit, **failed)(app.view_functions["auth.login"])
    app.view_functions["auth.login"] = limiter.limit(limit, key_func=_login_name, **failed)(view)
    app.extensions["landmatch.limiter"] = limiter

    @app.before_request
    def gate():
        # Who may come in is decided before the CSRF token is checked: an anonymous client is
        # told to sign in (401), not that a token it could never have is missing.
        if not current_user.is_authenticated and request.endpoint not in OPEN_ENDPOINTS:
            view = current_app.view_functions.get(request.endpoint)
            writes = request.method in current_app.config["WTF_CSRF_METHODS"]
            if not current_app.config["PUBLIC_READ"] or (
                    writes and getattr(view, "required_role", None)):
                return login_manager.unauthorized()
        if current_app.config["WTF_CSRF_ENABLED"]:
            current_app.extensions["csrf"].protect(apply_exemptions=True)
        return None

    app.jinja_env.globals["current_user"] = current_user
    app.jinja_env.globals["min_password"] = MIN_PASSWORD  # the forms' minlength
