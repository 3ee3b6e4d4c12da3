import pytest
from django.db import DatabaseError
from django.test import Client


@pytest.mark.django_db
def test_healthz_checks_the_database(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_down(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise DatabaseError("down")

    monkeypatch.setattr("config.urls.connection.cursor", broken_cursor)

    assert client.get("/healthz").status_code == 503


@pytest.mark.django_db
def test_openapi_schema_describes_the_logins_routes(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert "/logins/report_types" in response.json()["paths"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_api_docs_load_their_assets_from_this_site_only(client, path):
    response = client.get(path)

    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    assert "https://" not in page
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    "path", ["/logins/clients/null,null", "/logins/clients/1/credentials/DE/abc", "/logins/nope"]
)
def test_a_logins_path_that_no_route_matches_answers_404_in_json(staff_api, settings, debug, path):
    settings.DEBUG = debug

    response = staff_api.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/users/x/producers", "/users/x/producers/1/registrations/2"])
def test_a_users_path_that_no_route_matches_answers_404_in_the_algorep_shape(
    client, settings, debug, path
):
    settings.DEBUG = debug

    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "ALGOREP_043", "message": "Not Found", "details": {}}


@pytest.mark.django_db
def test_a_post_to_an_unmatched_api_path_answers_json_404_not_a_csrf_page(settings):
    settings.DEBUG = True
    browser = Client(enforce_csrf_checks=True)

    response = browser.post("/logins/no-such-route", {}, content_type="application/json")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.django_db
def test_an_unknown_path_outside_the_api_answers_django_404_page(client):
    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
