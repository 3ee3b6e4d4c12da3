import json

import pytest

DEEP_JSON = "[" * 100_000 + "]" * 100_000


@pytest.mark.django_db
def test_json_nested_too_deep_answers_400_on_the_client_route(staff_api):
    response = staff_api.post("/logins/clients", DEEP_JSON, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - nested too deeply."}


@pytest.mark.django_db
def test_body_over_the_limit_answers_413_and_creates_nothing(staff_api, settings, organization):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"client_name": "Big Body GmbH", "notes": "x" * 2000})

    response = staff_api.post("/logins/clients", body, content_type="application/json")

    assert response.status_code == 413
    assert "larger than the limit of 1,000 bytes" in response.json()["detail"]
    assert not organization.clients.exists()


@pytest.mark.django_db
def test_body_within_the_limit_is_parsed(staff_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = staff_api.post("/logins/clients", {"client_name": "Small Body GmbH"}, format="json")

    assert response.status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "multipart/form-data; boundary=BoUnDaRy"],
)
def test_a_form_body_answers_415_and_creates_nothing(staff_api, organization, content_type):
    response = staff_api.post("/logins/clients", "client_name=Form+GmbH", content_type=content_type)

    assert response.status_code == 415
    assert response.json()["detail"].startswith("Unsupported media type")
    assert not organization.clients.exists()
