import datetime
import hashlib
from urllib.parse import urlsplit

import icalendar
import pytest

from credentials.calendar.models import CalendarFeedToken
from tests.factories import ClientFactory, CredentialFactory

pytestmark = pytest.mark.django_db

FEED = "/logins/deadlines/feed"


@pytest.fixture(autouse=True)
def first_of_march(freeze_now):
    freeze_now(datetime.datetime(2026, 3, 1, 9, 0))


def feed_path(api) -> str:
    url = api.post(FEED).json()["url"]
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_a_user_creates_a_secret_calendar_url(staff_api):
    response = staff_api.post(FEED)

    assert response.status_code == 201
    answer = response.json()
    assert answer["url"].endswith(f"/logins/deadlines.ics?token={answer['token']}")


def test_only_a_digest_of_the_token_is_stored(staff_api):
    token = staff_api.post(FEED).json()["token"]

    stored = CalendarFeedToken.objects.get(user=staff_api.user)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {stored.token_hash, stored.prefix}


def test_the_feed_is_an_icalendar_of_all_day_deadline_events(
    anonymous_api, staff_api, organization
):
    CredentialFactory(client=ClientFactory(organization=organization, name="Alpha"))

    response = anonymous_api.get(feed_path(staff_api))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    march = next(e for e in events if e.decoded("dtstart") == datetime.date(2026, 3, 15))
    assert str(march["summary"]) == "Alpha: WEEE 2026-02 to Stiftung EAR (DE)"
    assert "Status: due soon" in str(march["description"])


def test_the_feed_never_carries_a_secret_of_the_vault(anonymous_api, staff_api, organization):
    credential = CredentialFactory(client=ClientFactory(organization=organization))

    content = anonymous_api.get(feed_path(staff_api)).content.decode()

    for secret in (credential.login, credential.password, credential.registration_number):
        assert secret not in content


def test_the_feed_shows_only_the_users_organization(anonymous_api, other_org_api, organization):
    CredentialFactory(client=ClientFactory(organization=organization))

    content = anonymous_api.get(feed_path(other_org_api)).content

    assert icalendar.Calendar.from_ical(content).walk("VEVENT") == []


def test_a_revoked_calendar_url_is_a_404(anonymous_api, staff_api):
    path = feed_path(staff_api)

    assert staff_api.delete(FEED).status_code == 200
    assert anonymous_api.get(path).status_code == 404
    assert not CalendarFeedToken.objects.exists()


def test_a_new_calendar_url_replaces_the_previous_one(anonymous_api, staff_api):
    old = feed_path(staff_api)
    new = feed_path(staff_api)

    assert anonymous_api.get(old).status_code == 404
    assert anonymous_api.get(new).status_code == 200


@pytest.mark.parametrize("query", ["", "?token=", "?token=cal_unknown"])
def test_an_unknown_token_is_a_404(anonymous_api, query):
    assert anonymous_api.get(f"/logins/deadlines.ics{query}").status_code == 404


def test_revoking_without_a_calendar_url_is_a_404(staff_api):
    assert staff_api.delete(FEED).status_code == 404


def test_a_viewer_may_have_a_calendar_url(viewer_api):
    assert viewer_api.post(FEED).status_code == 201


def test_an_anonymous_request_may_not_create_a_calendar_url(anonymous_api):
    assert anonymous_api.post(FEED).status_code == 401
