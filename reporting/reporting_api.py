"""Client of the upstream reporting API that publishes the EPR catalog."""

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry


class ReportingApiError(Exception):
    """The reporting API could not be reached or answered something unusable."""


def build_session() -> requests.Session:
    retry = Retry(
        total=settings.REPORTING_API_RETRIES,
        connect=settings.REPORTING_API_RETRIES,
        read=settings.REPORTING_API_RETRIES,
        status=settings.REPORTING_API_RETRIES,
        backoff_factor=settings.REPORTING_API_BACKOFF,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def fetch_catalog():
    """GET the catalog document from REPORTING_API_URL and return the decoded JSON."""
    url = settings.REPORTING_API_URL
    if not url:
        raise ReportingApiError("REPORTING_API_URL is not set.")
    headers = {"Accept": "application/json"}
    if settings.REPORTING_API_KEY:
        headers["Authorization"] = settings.REPORTING_API_KEY
    timeout = settings.REPORTING_API_TIMEOUT
    try:
        response = build_session().get(url, headers=headers, timeout=timeout)
    except requests.Timeout:
        raise ReportingApiError(f"The reporting API did not answer within {timeout:g} s.") from None
    except requests.RequestException as error:
        raise ReportingApiError(
            f"The reporting API could not be reached: {error.__class__.__name__}."
        ) from None
    if response.status_code != 200:
        raise ReportingApiError(f"The reporting API answered HTTP {response.status_code}.")
    try:
        return response.json()
    except ValueError:
        raise ReportingApiError(
            "The reporting API answered with something that is not JSON."
        ) from None
