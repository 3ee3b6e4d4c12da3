import pytest
import responses
from django.urls import reverse

from reporting.models import Pro

URL = "https://reporting.test/catalog"


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["country", "pro", "reporttype", "scheme"])
def test_catalog_admin_lists_and_searches(superuser_client, model):
    url = reverse(f"admin:reporting_{model}_changelist")

    assert superuser_client.get(url, {"q": "DE"}).status_code == 200


@pytest.mark.django_db
def test_admin_sync_button_pulls_the_catalog(superuser_client, settings):
    settings.REPORTING_API_URL = URL
    with responses.RequestsMock() as upstream:
        upstream.get(URL, json={"MT": {"GreenPak": ["Packaging"]}})

        response = superuser_client.post(reverse("admin:reporting_scheme_sync"), follow=True)

    assert "Catalog synced" in response.content.decode()
    assert Pro.objects.filter(name="GreenPak").exists()


@pytest.mark.django_db
def test_admin_sync_button_shows_the_failure(superuser_client, settings):
    settings.REPORTING_API_URL = URL
    settings.REPORTING_API_BACKOFF = 0
    with responses.RequestsMock() as upstream:
        upstream.get(URL, status=502)

        response = superuser_client.post(reverse("admin:reporting_scheme_sync"), follow=True)

    assert "Catalog not synced, nothing changed" in response.content.decode()


@pytest.mark.django_db
def test_admin_sync_refuses_get(superuser_client):
    assert superuser_client.get(reverse("admin:reporting_scheme_sync")).status_code == 405
