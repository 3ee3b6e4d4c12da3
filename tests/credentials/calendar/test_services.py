import pytest
from django.core.exceptions import ValidationError

from credentials.calendar.models import Submission
from credentials.calendar.services import submission_update, submissions_import
from tests.credentials.calendar.conftest import SubmissionFactory
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def csv_for(client, *periods) -> bytes:
    rows = "".join(f"{client.pk},DE,Stiftung EAR,WEEE,{p}\n" for p in periods)
    return ("client_id,country,pro,report_type,period\n" + rows).encode()


def test_importing_the_same_file_twice_records_each_submission_once(organization):
    client = ClientFactory(organization=organization)
    raw = csv_for(client, "2026-01", "2026-02")
    submissions_import(organization=organization, raw=raw)

    result = submissions_import(organization=organization, raw=raw)

    assert (result.created, result.skipped) == (0, 2)
    assert Submission.objects.count() == 2


def test_a_file_naming_another_organizations_client_records_nothing(
    organization, other_organization
):
    own = ClientFactory(organization=organization)
    other = ClientFactory(organization=other_organization)
    raw = csv_for(own, "2026-01") + f"{other.pk},DE,Stiftung EAR,WEEE,2026-01\n".encode()

    with pytest.raises(ValidationError, match="Line 3: client_id"):
        submissions_import(organization=organization, raw=raw)
    assert not Submission.objects.exists()


def test_a_file_without_the_required_columns_is_refused(organization):
    with pytest.raises(ValidationError, match="Missing column"):
        submissions_import(organization=organization, raw=b"client_id,period\n1,2026\n")


def test_a_semicolon_windows_1252_file_as_excel_saves_it_is_imported(organization):
    client = ClientFactory(organization=organization)
    raw = (
        "client_id;country;pro;report_type;period;note\n"
        f"{client.pk};DE;Stiftung EAR;WEEE;2026-01;Gemeldet über das Portal\n"
    ).encode("cp1252")

    result = submissions_import(organization=organization, raw=raw)

    assert result.created == 1
    assert Submission.objects.get().note == "Gemeldet über das Portal"


@pytest.mark.parametrize("client_id", ["٣", "²", "-1", "9223372036854775808"])
def test_a_client_id_that_is_not_an_id_is_a_line_error_and_records_nothing(organization, client_id):
    raw = f"client_id,country,pro,report_type,period\n{client_id},DE,Stiftung EAR,WEEE,2026-01\n"

    with pytest.raises(ValidationError, match="Line 2: client_id"):
        submissions_import(organization=organization, raw=raw.encode())
    assert not Submission.objects.exists()


def test_a_note_over_its_limit_is_refused_when_a_submission_changes(organization):
    submission = SubmissionFactory(client=ClientFactory(organization=organization))

    with pytest.raises(ValidationError) as error:
        submission_update(submission=submission, reference="R-1", note="x" * 10_001)

    assert error.value.message_dict == {"note": ["note is too long: at most 10000 characters."]}
    submission.refresh_from_db()
    assert submission.reference != "R-1"
