"""A real browser (headless Chromium through Playwright, the `page` fixture of
tests/conftest.py) uses the API documentation with no internet: every request that is not for
the live server is aborted, and Swagger UI and ReDoc work all the same."""

import pytest
from playwright.sync_api import expect

from clients.models import Role
from tests.factories import MembershipFactory, TokenFactory

SCREENSHOT = "/tmp/forsure-api-docs.png"


@pytest.fixture
def offline_page(page, live_server):
    """The page, with every request for another host aborted and remembered."""
    page.external_requests = []

    def only_the_live_server(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            page.external_requests.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_live_server)
    return page


@pytest.mark.django_db(transaction=True)
def test_swagger_ui_runs_a_request_with_a_token_offline(offline_page, live_server, organization):
    page = offline_page
    token = TokenFactory(user=MembershipFactory(organization=organization, role=Role.STAFF).user)

    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("ForSURE logins API")

    page.click("button.authorize")
    token_scheme = page.locator(".auth-container").filter(has_text="tokenAuth")
    expect(token_scheme).to_contain_text("Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b")
    api_key_scheme = page.locator(".auth-container").filter(has_text="For the /users routes")
    expect(api_key_scheme).to_contain_text("with no prefix")
    token_scheme.locator("input").fill(f"Token {token.key}")
    token_scheme.locator("button.authorize").click()
    page.click("button.btn-done")

    operation = page.locator("#operations-clients-get_clients_stats")
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()

    status = operation.locator(".live-responses-table .response .response-col_status")
    expect(status).to_have_text("200")
    expect(operation.locator(".live-responses-table").first).to_contain_text('"total_clients": 0')
    operation.screenshot(path=SCREENSHOT)
    assert page.external_requests == []


@pytest.mark.django_db(transaction=True)
def test_redoc_renders_offline(offline_page, live_server):
    page = offline_page

    page.goto(f"{live_server.url}/api/redoc/")

    expect(page.locator("h1").first).to_contain_text("ForSURE logins API")
    expect(
        page.locator("h2", has_text="Log in: a token for a username and password")
    ).to_be_visible()
    assert page.external_requests == []
