import pytest
import requests
import responses
from django.core.management import CommandError, call_command

from reporting.models import Pro, Scheme
from reporting.reporting_api import ReportingApiError, fetch_catalog
from reporting.services import catalog_sync_from_reporting_api

URL = "https://reporting.test/catalog"
UPSTREAM = {"DE": {"Stiftung EAR": ["WEEE"]}, "MT": {"GreenPak": ["Packaging"]}}


@pytest.fixture
def upstream(settings):
    settings.REPORTING_API_URL = URL
    settings.REPORTING_API_KEY = "upstream-key"
    settings.REPORTING_API_BACKOFF = 0
    with responses.RequestsMock() as mock:
        yield mock


def catalog_size():
    return Pro.objects.count(), Scheme.objects.count()


@pytest.mark.django_db
def test_sync_merges_the_upstream_catalog(upstream):
    upstream.get(URL, json=UPSTREAM)

    result = catalog_sync_from_reporting_api()

    assert result.schemes_created == 1
    assert Scheme.objects.filter(pro__name="GreenPak", report_type__code="Packaging").exists()
    assert upstream.calls[0].request.headers["Authorization"] == "upstream-key"


@pytest.mark.django_db
def test_sync_retries_a_failing_upstream_and_then_succeeds(upstream):
    upstream.get(URL, status=503)
    upstream.get(URL, json=UPSTREAM)

    catalog_sync_from_reporting_api()

    assert len(upstream.calls) == 2
    assert Pro.objects.filter(name="GreenPak").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"status": 500}, "HTTP 500"),
        ({"status": 404}, "HTTP 404"),
        ({"body": requests.ConnectTimeout()}, "did not answer within"),
        ({"body": requests.ConnectionError()}, "could not be reached"),
        ({"body": "<html>maintenance</html>", "status": 200}, "not JSON"),
        ({"json": {"DE": "nope"}}, "malformed catalog"),
        ({"json": ["DE"]}, "malformed catalog"),
    ],
)
def test_failed_sync_raises_a_clear_error_and_changes_nothing(upstream, answer, message):
    upstream.get(URL, **answer)
    before = catalog_size()

    with pytest.raises(ReportingApiError, match=message):
        catalog_sync_from_reporting_api()

    assert catalog_size() == before


def test_fetch_without_configured_url_says_so(settings):
    settings.REPORTING_API_URL = ""

    with pytest.raises(ReportingApiError, match="REPORTING_API_URL is not set"):
        fetch_catalog()


@pytest.mark.django_db
def test_sync_command_reports_counts(upstream, capsys):
    upstream.get(URL, json=UPSTREAM)

    call_command("sync_report_types")

    assert "1 PROs" in capsys.readouterr().out


@pytest.mark.django_db
def test_sync_command_fails_with_the_reason(upstream):
    upstream.get(URL, status=500)

    with pytest.raises(CommandError, match="nothing changed: The reporting API answered HTTP 500"):
        call_command("sync_report_types")
