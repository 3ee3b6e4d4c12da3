import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ALLOWED = "https://app.forsure.example"
REFUSED = "https://evil.example"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def allowed_origins(settings):
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED]


def preflight(client, path, origin, method="GET"):
    return client.options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )


@pytest.mark.django_db
def test_preflight_from_an_allowed_origin_is_answered_without_authentication(anonymous_api):
    response = preflight(anonymous_api, "/logins/clients", ALLOWED, method="POST")

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "authorization" in response.headers["Access-Control-Allow-Headers"]


@pytest.mark.django_db
def test_preflight_from_a_refused_origin_gets_no_allow_origin(anonymous_api):
    response = preflight(anonymous_api, "/logins/clients", REFUSED)

    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.django_db
def test_preflight_reaches_the_users_routes(anonymous_api):
    response = preflight(anonymous_api, "/users/u1/producers/NRN1/registrations", ALLOWED, "POST")

    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED


@pytest.mark.django_db
def test_token_request_from_an_allowed_origin_carries_allow_origin(staff_api):
    response = staff_api.get("/logins/stats", HTTP_ORIGIN=ALLOWED)

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED


@pytest.mark.django_db
def test_token_request_from_a_refused_origin_gets_no_allow_origin(staff_api):
    response = staff_api.get("/logins/stats", HTTP_ORIGIN=REFUSED)

    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/login/", "/api/schema/"])
def test_pages_outside_the_api_get_no_cors_headers(client, path):
    response = client.get(path, HTTP_ORIGIN=ALLOWED)

    assert "Access-Control-Allow-Origin" not in response.headers


def cors_settings(debug: str) -> dict:
    environment = {k: v for k, v in os.environ.items() if k != "CORS_ALLOWED_ORIGINS"}
    environment.update(DEBUG=debug, CORS_ALLOWED_ORIGINS=f"{ALLOWED}, https://other.example")
    script = (
        "import json, re, config.settings as s; print(json.dumps({"
        "'origins': s.CORS_ALLOWED_ORIGINS, 'matches': {o: any(re.match(r, o) for r in "
        "s.CORS_ALLOWED_ORIGIN_REGEXES) for o in ['http://localhost:5173', "
        "'http://127.0.0.1:8080', 'http://localhost.evil.example', 'https://localhost:5173']}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_allowed_origins_come_from_the_environment():
    assert cors_settings("0")["origins"] == [ALLOWED, "https://other.example"]


def test_development_allows_localhost_on_any_port():
    assert cors_settings("1")["matches"] == {
        "http://localhost:5173": True,
        "http://127.0.0.1:8080": True,
        "http://localhost.evil.example": False,
        "https://localhost:5173": False,
    }


def test_production_allows_no_localhost_origin():
    assert not any(cors_settings("0")["matches"].values())
