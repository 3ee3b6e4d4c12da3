import importlib
import os
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.cache import cache
from django.db import connections
from playwright.sync_api import expect, sync_playwright
from rest_framework.test import APIClient

from clients.models import Role
from clients.services import api_key_create
from tests.factories import MembershipFactory, OrganizationFactory, TokenFactory


def pytest_configure(config):
    """Fixture users' passwords are hashed with a fast hasher: the production hasher's cost is
    for attackers, and paid per user it would dominate the suite's time."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgresql` prove behaviour only PostgreSQL can show (concurrent
    transactions waiting on each other's row locks; SQLite has one writer at a time). On another
    database they are deselected, so they are never reported as passing or skipped there; CI runs
    the suite on PostgreSQL."""
    from django.db import connection

    # Likewise, tests marked `sqlite` prove what only SQLite needs (its connections' Unicode
    # functions, config/sqlite_functions.py), and are deselected on other databases.
    other_markers = {"postgresql", "sqlite"} - {connection.vendor}
    deselected = [item for item in items if any(item.get_closest_marker(m) for m in other_markers)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]


@pytest.fixture
def throttle_rates(settings):
    """Sets some of the API's request rates for one test: `throttle_rates(anon="3/min")`."""

    def set_rates(**rates: str) -> None:
        rest_framework = settings.REST_FRAMEWORK
        settings.REST_FRAMEWORK = {
            **rest_framework,
            "DEFAULT_THROTTLE_RATES": {**rest_framework["DEFAULT_THROTTLE_RATES"], **rates},
        }

    return set_rates


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="Acme Compliance")


@pytest.fixture
def other_organization(db):
    return OrganizationFactory(name="Rival Agency")


@pytest.fixture
def api_client_for(db):
    """An APIClient authenticated by token as a new member of `organization` with `role`."""

    def make(organization, role=Role.STAFF) -> APIClient:
        membership = MembershipFactory(organization=organization, role=role)
        token = TokenFactory(user=membership.user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        client.user = membership.user
        return client

    return make


@pytest.fixture
def admin_api(api_client_for, organization):
    return api_client_for(organization, Role.ADMIN)


@pytest.fixture
def staff_api(api_client_for, organization):
    return api_client_for(organization, Role.STAFF)


@pytest.fixture
def viewer_api(api_client_for, organization):
    return api_client_for(organization, Role.VIEWER)


@pytest.fixture
def other_org_api(api_client_for, other_organization):
    """A staff member of another organization: must never see `organization`'s rows."""
    return api_client_for(other_organization, Role.STAFF)


@pytest.fixture
def anonymous_api():
    return APIClient()


@pytest.fixture
def api_key_for(db):
    """A raw API key of `organization`, for the /users routes."""

    def make(organization) -> str:
        _, raw_key = api_key_create(organization=organization, name="test key")
        return raw_key

    return make


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """Tests render admin pages without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def empty_cache(monkeypatch):
    """Each test starts with an empty cache: database ids come back after a rolled-back test.
    Nor is a catalog kept in memory (Catalog.current), so that a test's query count does not
    depend on the tests before it."""
    cache.clear()
    monkeypatch.setattr("reporting.selectors._kept", None)


@pytest.fixture
def committed_catalog(transactional_db):
    """For tests whose writes really commit: a transactional test that ran before flushed the
    tables, the catalog's data migration included, so it is loaded again (it is idempotent)."""
    migration = importlib.import_module("reporting.migrations.0002_starting_catalog")
    migration.load_starting_catalog(django_apps, None)


# Browser tests drive Debian's Chromium (/usr/bin/chromium, or CHROMIUM_PATH): `make test`
# installs it when it is missing. Without it they fail, they are not skipped.
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# What the browser tests wait for (a page, an element) may take longer than Playwright's default
# 5 s when the suite shares the machine's CPUs with other work; a failure still fails.
BROWSER_WAIT_MS = 30_000
expect.set_options(timeout=BROWSER_WAIT_MS)


@pytest.fixture
def page(live_server, monkeypatch, settings):
    """A browser page; closed before the live server stops, so no request is left open."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"No Chromium at {CHROMIUM}: `make test` installs it (apt-get install chromium), "
            "or point CHROMIUM_PATH at one."
        )
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # ordinary synchronous ones all the same.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The live server speaks plain HTTP.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(BROWSER_WAIT_MS)
            yield page
        finally:
            browser.close()
            # Inside Playwright's event loop the test's queries use a connection of their own
            # (Django's connections follow the async context); close it before the test
            # database is dropped.
            connections.close_all()


@pytest.fixture
def admin_as(client, organization):
    """Django's test client logged in to the admin as a new member of `organization` (or
    `org`) with `role`; the member is `client.user`."""

    def login(role=Role.STAFF, org=None):
        membership = MembershipFactory(organization=org or organization, role=role)
        client.force_login(membership.user)
        client.user = membership.user
        return client

    return login


@pytest.fixture
def browser_as(page, live_server, organization):
    """The browser `page` logged in to the admin as a new member of `organization` with `role`
    (through the login form); returns the member's user."""

    def login(role=Role.STAFF):
        password = "correct horse battery staple"  # UserFactory's
        membership = MembershipFactory(organization=organization, role=role)
        page.goto(f"{live_server.url}/admin/login/?next=/admin/")
        page.fill("#id_username", membership.user.username)
        page.fill("#id_password", password)
        page.click("input[type=submit]")
        page.wait_for_url(f"{live_server.url}/admin/")
        return membership.user

    return login
