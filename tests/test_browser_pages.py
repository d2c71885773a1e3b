"""Every HTML page in a real browser under the app's CSP: no console error, no inline handler,
and the buttons that were inline handlers (打印, the leader filter) do their job."""

from __future__ import annotations

import re

import pytest

from geo.users import create_user
from tests.conftest import PASSWORD, login
from tests.test_browser import browser, serving  # noqa: F401  (the browser fixture)
from tests.test_security import MATRIX
from webmap import create_app

pytestmark = pytest.mark.browser

ADMIN = "pages-admin"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# Every GET endpoint that answers a browser with an HTML page; the access table
# (tests/test_security.py) gives each one's address.
PAGES = sorted([
    "pages.index", "auth.login", "auth.password", "editing.edit", "editing.new",
    "editing.split", "editing.history", "admin.users", "admin.bin_", "boundaries.page",
    "match.page",
    "match.sheet", "offers.log", "ledger.projects", "ledger.my_projects", "ledger.board",
    "ledger.project", "ledger.dashboard", "ledger.idle", "ledger.report", "ledger.import_page",
    "project_editing.edit", "project_editing.history", "uploads.page", "ogc.landing",
    "ogc.conformance", "ogc.collections", "ogc.collection", "ogc.items", "ogc.item",
    "openapi.docs",
])
EXTRA_PAGES = {"my-projects of a leader": "/my-projects?leader=王建国",
               "the error page": "/no-such-page"}


def _url(endpoint: str) -> str:
    return MATRIX[(endpoint, "GET")][0]


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_the_page_list_holds_every_endpoint_that_answers_html(app):
    client = app.test_client()
    login(client, "admin")
    html = set()
    for endpoint, method in MATRIX:
        if method == "GET":
            response = client.get(MATRIX[(endpoint, method)][0],
                                  headers={"Accept": BROWSER_ACCEPT})
            if response.status_code == 200 and response.mimetype == "text/html":
                html.add(endpoint)
    assert html == set(PAGES)


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_no_page_carries_an_inline_handler_or_a_script_without_the_nonce(app):
    client = app.test_client()
    login(client, "admin")
    for url in [*map(_url, PAGES), *EXTRA_PAGES.values()]:
        response = client.get(url, headers={"Accept": BROWSER_ACCEPT})
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])[1]
        html = response.get_data(as_text=True)
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), url
        inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
        assert all(f'nonce="{nonce}"' in attrs or "application/json" in attrs
                   for attrs in inline), url


@pytest.fixture(scope="module")
def served(templates, tmp_path_factory):
    """The demo app with an admin account (every page is open to it), on a free port."""
    folder = tmp_path_factory.mktemp("browser-pages")
    app = create_app({"DATABASE_URL": templates("spatialite").fresh(True, folder)})
    with app.extensions["landmatch.sessions"]() as session:
        create_user(session, ADMIN, PASSWORD, "admin")
    with serving(app) as url:
        yield url


@pytest.fixture(scope="module")
def signed_in(browser, served):  # noqa: F811
    """One browser context, signed in as the admin through the login page."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{served}/login")
    page.fill("input[name=name]", ADMIN)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{served}/")
    page.close()
    yield context
    context.close()


@pytest.fixture
def page(signed_in):
    """A fresh tab of the signed-in context that collects console errors and page errors."""
    tab = signed_in.new_page()
    tab.problems = []
    tab.on("console", lambda m: m.type == "error" and tab.problems.append(m.text))
    tab.on("pageerror", lambda e: tab.problems.append(str(e)))
    yield tab
    tab.close()


def _open(page, served, url, status=200):
    response = page.goto(f"{served}{url}")
    assert response.status == status, url
    page.wait_for_load_state("networkidle")
    inline = page.evaluate("""() => Array.from(document.querySelectorAll('*')).flatMap(
        e => Array.from(e.attributes).filter(a => a.name.startsWith('on'))
             .map(a => e.tagName + ' ' + a.name))""")
    assert inline == [], f"{url}: inline handlers the CSP refuses: {inline}"


@pytest.mark.parametrize("endpoint", PAGES)
def test_every_page_opens_without_a_console_error_under_the_csp(page, served, endpoint):
    _open(page, served, _url(endpoint))
    assert page.problems == [], f"{_url(endpoint)}: {page.problems}"


@pytest.mark.parametrize("name", sorted(EXTRA_PAGES))
def test_other_pages_open_without_a_console_error(page, served, name):
    url = EXTRA_PAGES[name]
    _open(page, served, url, 404 if "no-such" in url else 200)
    # The error page's own 404 is the answer asked for, not a broken resource.
    problems = [p for p in page.problems if "404" not in p or "no-such" not in url]
    assert problems == [], f"{url}: {problems}"


def _print_calls(page, button):
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed++; }; }")
    page.click(button)
    return page.evaluate("() => window.__printed")


@pytest.mark.parametrize("endpoint", ["match.sheet", "ledger.report"])
def test_the_print_button_prints(page, served, endpoint):
    _open(page, served, _url(endpoint))
    assert _print_calls(page, "button:has-text('打印')") == 1
    assert page.problems == []


def test_choosing_a_leader_on_my_projects_shows_their_projects(page, served):
    _open(page, served, "/my-projects")
    leader = page.eval_on_selector("select[name=leader]",
                                   "s => Array.from(s.options).map(o => o.value)"
                                   ".find(v => v)")
    with page.expect_navigation():
        page.select_option("select[name=leader]", leader)
    assert "leader=" in page.url
    assert page.input_value("select[name=leader]") == leader
    assert leader in page.inner_text("h2")
    assert page.problems == []
