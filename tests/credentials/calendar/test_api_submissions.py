import pytest

from credentials.calendar.models import Submission
from tests.credentials.calendar.conftest import SubmissionFactory
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

URL = "/logins/deadlines/submissions"


def body(client, **changes):
    return {
        "client_id": client.pk,
        "country": "DE",
        "pro": "Stiftung EAR",
        "report_type": "WEEE",
        "period": "2026-02",
        **changes,
    }


def test_a_submission_is_recorded_with_who_made_it(staff_api, organization):
    client = ClientFactory(organization=organization)

    response = staff_api.post(URL, body(client, reference="EAR-123"), format="json")

    assert response.status_code == 201
    submission = Submission.objects.get()
    assert (submission.client, submission.period, submission.reference) == (
        client,
        "2026-02",
        "EAR-123",
    )
    assert submission.submitted_by == staff_api.user
    assert submission.organization == organization


def test_a_recorded_submission_is_answered(staff_api, organization):
    client = ClientFactory(organization=organization)

    answer = staff_api.post(URL, body(client, period="2026-q3"), format="json").json()

    assert {k: answer[k] for k in ("client_id", "country", "pro", "report_type", "period")} == {
        "client_id": client.pk,
        "country": "DE",
        "pro": "Stiftung EAR",
        "report_type": "WEEE",
        "period": "2026-Q3",
    }
    assert answer["submitted_by"] == staff_api.user.username


def test_a_submitted_deadline_lists_as_submitted(staff_api, organization):
    from tests.factories import CredentialFactory

    client = ClientFactory(organization=organization)
    CredentialFactory(client=client)
    submission_id = staff_api.post(URL, body(client), format="json").json()["id"]

    rows = staff_api.get("/logins/deadlines", {"from": "2026-03-01", "to": "2026-03-31"}).json()[
        "results"
    ]

    assert [(r["status"], r["submission_id"]) for r in rows] == [("submitted", submission_id)]


def test_recording_the_same_submission_twice_is_a_409(staff_api, organization):
    client = ClientFactory(organization=organization)
    staff_api.post(URL, body(client), format="json")

    response = staff_api.post(URL, body(client), format="json")

    assert response.status_code == 409
    assert "already" in response.json()["detail"]
    assert Submission.objects.count() == 1


def test_another_organizations_client_is_a_404(staff_api, other_organization):
    other = ClientFactory(organization=other_organization)

    response = staff_api.post(URL, body(other), format="json")

    assert response.status_code == 404
    assert not Submission.objects.exists()


def test_an_unknown_client_is_a_404(staff_api):
    response = staff_api.post(URL, {**body(ClientFactory.build(pk=999999))}, format="json")

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"period": "2026-13"}, "period"),
        ({"period": "Q3 2026"}, "period"),
        ({"country": "XX"}, "country"),
        ({"pro": "Citeo"}, "pro"),
        ({"report_type": "Textiles"}, "report_type"),
        ({"colour": "blue"}, "colour"),
        ({"reference": "x" * 256}, "reference"),
    ],
)
def test_invalid_input_is_a_400_naming_the_field_and_records_nothing(
    staff_api, organization, changes, field
):
    client = ClientFactory(organization=organization)

    response = staff_api.post(URL, body(client, **changes), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Submission.objects.exists()


def test_a_viewer_may_not_record_a_submission(viewer_api, organization):
    client = ClientFactory(organization=organization)

    assert viewer_api.post(URL, body(client), format="json").status_code == 403
    assert not Submission.objects.exists()


def test_a_submission_is_removed(staff_api, organization):
    submission = SubmissionFactory(client=ClientFactory(organization=organization))

    response = staff_api.delete(f"{URL}/{submission.pk}")

    assert response.status_code == 200
    assert not Submission.objects.filter(pk=submission.pk).exists()


def test_removing_another_organizations_submission_is_a_404(staff_api, other_organization):
    submission = SubmissionFactory(client=ClientFactory(organization=other_organization))

    assert staff_api.delete(f"{URL}/{submission.pk}").status_code == 404
    assert Submission.objects.filter(pk=submission.pk).exists()


def test_a_viewer_may_not_remove_a_submission(viewer_api, organization):
    submission = SubmissionFactory(client=ClientFactory(organization=organization))

    assert viewer_api.delete(f"{URL}/{submission.pk}").status_code == 403
    assert Submission.objects.filter(pk=submission.pk).exists()


def test_an_anonymous_request_is_refused(anonymous_api, organization):
    client = ClientFactory(organization=organization)

    assert anonymous_api.post(URL, body(client), format="json").status_code == 401


def test_an_unknown_field_is_refused_as_on_every_route_that_writes(staff_api, organization):
    client = ClientFactory(organization=organization)

    response = staff_api.post(URL, body(client, colour="blue"), format="json")

    assert response.status_code == 400
    assert response.json() == {
        "colour": [
            "Unknown field. Valid fields: client_id, country, pro, report_type, period, "
            "reference, note."
        ]
    }
    assert not Submission.objects.exists()


def test_a_reference_over_its_limit_says_the_limit(staff_api, organization):
    client = ClientFactory(organization=organization)

    response = staff_api.post(URL, body(client, reference="x" * 256), format="json")

    assert response.status_code == 400
    assert "255" in response.json()["reference"][0]
    assert not Submission.objects.exists()
