import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.models import Role
from credentials.models import (
    AccessReason,
    Credential,
    CredentialPasswordHistory,
    CredentialReportType,
    PasswordAccessEvent,
)
from tests.factories import ClientFactory, CredentialFactory, country, pro

pytestmark = pytest.mark.django_db

SEED_GET_FIELDS = {
    "id",
    "country",
    "report_type",
    "pro",
    "login",
    "password",
    "registration_number",
    "notes",
    "interval",
    "extra_info",
}
SEED_POST_FIELDS = SEED_GET_FIELDS | {"collective_account", "collective_account_id"}


def url(client_id, country_code="DE", credential_id=None):
    base = f"/logins/clients/{client_id}/credentials/{country_code}"
    return f"{base}/{credential_id}" if credential_id else base


@pytest.fixture
def ear_credential(acme):
    return CredentialFactory(
        client=acme,
        report_types=["WEEE", "Batteries"],
        login="username@example.com",
        password="secure_password",
        registration_number="DE123456",
        notes="Main credential",
        interval="quarterly",
    )


def new_credential_body(**overrides):
    body = {
        "report_types": ["WEEE"],
        "pro": "Stiftung EAR",
        "login": "username@example.com",
        "password": "secure_password",
        "registration_number": "DE123456",
        "collective_account": False,
        "collective_account_id": None,
        "notes": None,
        "interval": None,
        "extra_info": None,
    }
    return body | overrides


# GET by country


def test_staff_get_the_seed_shape_with_plaintext_passwords(staff_api, acme, ear_credential):
    response = staff_api.get(url(acme.pk))

    assert response.status_code == 200
    [row] = response.json()
    assert row.keys() >= SEED_GET_FIELDS
    assert row == {
        "id": ear_credential.pk,
        "country": "DE",
        "report_type": "WEEE,Batteries",
        "report_types": ["WEEE", "Batteries"],
        "pro": "Stiftung EAR",
        "login": "username@example.com",
        "password": "secure_password",
        "registration_number": "DE123456",
        "status": "active",
        "notes": "Main credential",
        "interval": "quarterly",
        "extra_info": None,
        "collective_account": False,
        "collective_account_id": None,
    }


def test_admin_gets_plaintext_passwords(admin_api, acme, ear_credential):
    [row] = admin_api.get(url(acme.pk)).json()

    assert row["password"] == "secure_password"


def test_viewer_gets_masked_passwords_and_no_access_event(viewer_api, acme, ear_credential):
    [row] = viewer_api.get(url(acme.pk)).json()

    assert row["password"] == "***"
    assert row["login"] == "username@example.com"
    assert not PasswordAccessEvent.objects.exists()


def test_only_the_credentials_of_the_path_country_are_listed(staff_api, acme, ear_credential):
    CredentialFactory(
        client=acme, country=country("FR"), pro=pro("FR", "Citeo"), report_types=["Packaging"]
    )

    rows = staff_api.get(url(acme.pk, "FR")).json()

    assert [row["pro"] for row in rows] == ["Citeo"]


def test_lowercase_country_and_trailing_slash_are_accepted(staff_api, acme, ear_credential):
    response = staff_api.get(url(acme.pk, "de") + "/")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [ear_credential.pk]


def test_each_plaintext_password_returned_is_recorded_as_an_access_event(
    staff_api, acme, ear_credential
):
    other = CredentialFactory(client=acme, pro=pro("DE", "Landbell"), report_types=["Packaging"])

    staff_api.get(url(acme.pk), REMOTE_ADDR="203.0.113.7")

    events = PasswordAccessEvent.objects.order_by("credential_id")
    assert [event.credential_id for event in events] == sorted([ear_credential.pk, other.pk])
    event = events[0]
    assert event.user == staff_api.user
    assert event.username == staff_api.user.username
    assert event.organization == acme.organization
    assert event.client == acme
    assert event.ip == "203.0.113.7"
    assert event.method == "GET"
    assert event.route == f"/logins/clients/{acme.pk}/credentials/DE"
    assert event.reason == AccessReason.API_READ
    assert event.credential_label == "ABC Corporation · DE · Stiftung EAR"


def test_access_event_address_comes_from_the_trusted_proxy(
    staff_api, acme, ear_credential, settings
):
    settings.TRUSTED_PROXY_COUNT = 1

    staff_api.get(
        url(acme.pk), REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4"
    )

    assert PasswordAccessEvent.objects.get().ip == "198.51.100.4"


def test_a_credential_without_password_is_returned_as_null_and_not_logged(staff_api, acme):
    CredentialFactory(client=acme, password="")

    [row] = staff_api.get(url(acme.pk)).json()

    assert row["password"] is None
    assert not PasswordAccessEvent.objects.exists()


def test_listing_costs_the_same_queries_for_one_or_many_credentials(staff_api, acme):
    CredentialFactory(client=acme)
    with CaptureQueriesContext(connection) as one:
        staff_api.get(url(acme.pk))
    for name in ["Landbell", "Interzero", "Noventiz", "BellandVision"]:
        CredentialFactory(client=acme, pro=pro("DE", name), report_types=["Packaging"])

    with CaptureQueriesContext(connection) as many:
        response = staff_api.get(url(acme.pk))

    assert len(response.json()) == 5
    assert len(many.captured_queries) == len(one.captured_queries)


def test_unknown_country_in_the_path_answers_404_naming_valid_countries(staff_api, acme):
    response = staff_api.get(url(acme.pk, "XX"))

    assert response.status_code == 404
    assert "Unknown country 'XX'" in response.json()["detail"]
    assert "DE" in response.json()["detail"]


def test_another_organizations_client_answers_404(other_org_api, acme, ear_credential):
    response = other_org_api.get(url(acme.pk))

    assert response.status_code == 404
    assert not PasswordAccessEvent.objects.exists()


def test_reader_of_a_shared_client_sees_masked_passwords(shared_reader_api):
    CredentialFactory(client=shared_reader_api.shared_client, password="shared-secret")

    response = shared_reader_api.get(url(shared_reader_api.shared_client.pk))

    assert response.status_code == 200
    assert response.json()[0]["password"] == "***"
    assert not PasswordAccessEvent.objects.exists()


def test_anonymous_requests_are_refused(anonymous_api, acme):
    assert anonymous_api.get(url(acme.pk)).status_code == 401


# POST


def test_create_answers_201_in_the_seed_shape(staff_api, acme):
    response = staff_api.post(url(acme.pk), new_credential_body(), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body.keys() >= SEED_POST_FIELDS
    credential = Credential.objects.get()
    assert body == {
        "id": credential.pk,
        "country": "DE",
        "report_type": "WEEE",
        "report_types": ["WEEE"],
        "pro": "Stiftung EAR",
        "login": "username@example.com",
        "password": "secure_password",
        "registration_number": "DE123456",
        "status": "active",
        "notes": None,
        "interval": None,
        "extra_info": None,
        "collective_account": False,
        "collective_account_id": None,
    }
    assert credential.password == "secure_password"


def test_the_password_in_the_create_response_is_recorded(staff_api, acme):
    staff_api.post(url(acme.pk), new_credential_body(), format="json")

    event = PasswordAccessEvent.objects.get()
    assert event.reason == AccessReason.API_WRITE
    assert event.method == "POST"


@pytest.mark.parametrize(
    "report_types", [["WEEE", "Batteries"], "WEEE,Batteries", " WEEE , batteries "]
)
def test_report_types_are_taken_as_a_list_or_a_comma_string(staff_api, acme, report_types):
    response = staff_api.post(
        url(acme.pk), new_credential_body(report_types=report_types), format="json"
    )

    assert response.status_code == 201, response.json()
    assert response.json()["report_type"] == "WEEE,Batteries"
    assert response.json()["report_types"] == ["WEEE", "Batteries"]
    assert CredentialReportType.objects.filter(client=acme).count() == 2


def test_report_type_the_name_responses_use_is_accepted_on_create(staff_api, acme):
    body = new_credential_body(report_type="WEEE,Batteries")
    del body["report_types"]

    response = staff_api.post(url(acme.pk), body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["report_type"] == "WEEE,Batteries"
    assert sorted(
        CredentialReportType.objects.filter(client=acme).values_list("report_type__code", flat=True)
    ) == ["Batteries", "WEEE"]


def test_a_create_without_report_types_asks_for_them(staff_api, acme):
    body = new_credential_body()
    del body["report_types"]

    response = staff_api.post(url(acme.pk), body, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "report_types": ["This field is required (or report_type, a comma-separated string)."]
    }
    assert not Credential.objects.exists()


def test_report_type_and_report_types_that_differ_are_a_400(staff_api, acme):
    response = staff_api.post(
        url(acme.pk), new_credential_body(report_type="Batteries"), format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "report_type": ["report_type and report_types differ; send one of them."]
    }
    assert not Credential.objects.exists()


def test_an_unknown_report_type_sent_as_report_type_is_reported_under_report_type(staff_api, acme):
    body = new_credential_body(report_type="Nope")
    del body["report_types"]

    response = staff_api.post(url(acme.pk), body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["report_type"]
    assert "Nope" in response.json()["report_type"][0]


def test_unknown_fields_in_a_create_are_a_400_naming_them(staff_api, acme):
    response = staff_api.post(
        url(acme.pk), new_credential_body(registration="DE1", colour="red"), format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"registration", "colour"}
    assert response.json()["colour"][0].startswith("Unknown field. Valid fields: report_types,")
    assert not Credential.objects.exists()


def test_pro_name_is_matched_case_insensitively(staff_api, acme):
    response = staff_api.post(url(acme.pk), new_credential_body(pro="stiftung ear"), format="json")

    assert response.json()["pro"] == "Stiftung EAR"


def test_extra_info_object_is_stored(staff_api, acme):
    response = staff_api.post(
        url(acme.pk),
        new_credential_body(extra_info={"portal": "https://ear.example"}),
        format="json",
    )

    assert response.json()["extra_info"] == {"portal": "https://ear.example"}


def test_unknown_pro_for_the_country_is_a_400_naming_the_valid_pros(staff_api, acme):
    response = staff_api.post(url(acme.pk), new_credential_body(pro="Citeo"), format="json")

    assert response.status_code == 400
    [message] = response.json()["pro"]
    assert "Unknown PRO 'Citeo' in DE" in message
    assert "Stiftung EAR" in message
    assert not Credential.objects.exists()


def test_unknown_report_type_is_a_400_naming_the_valid_ones(staff_api, acme):
    response = staff_api.post(
        url(acme.pk), new_credential_body(report_types="WEEE,Plastics"), format="json"
    )

    assert response.status_code == 400
    [message] = response.json()["report_types"]
    assert "Unknown report type 'Plastics'" in message
    assert "Batteries" in message


def test_report_type_the_pro_does_not_take_is_a_400(staff_api, acme):
    response = staff_api.post(
        url(acme.pk), new_credential_body(report_types=["Packaging"]), format="json"
    )

    assert response.status_code == 400
    assert "does not take Packaging" in response.json()["report_types"][0]


def test_empty_report_types_are_a_400(staff_api, acme):
    response = staff_api.post(url(acme.pk), new_credential_body(report_types=""), format="json")

    assert response.status_code == 400
    assert response.json()["report_types"] == ["At least one report type is required."]


@pytest.mark.parametrize("report_types", [12, {"WEEE": True}, [["WEEE"]]])
def test_report_types_of_another_type_are_a_400(staff_api, acme, report_types):
    response = staff_api.post(
        url(acme.pk), new_credential_body(report_types=report_types), format="json"
    )

    assert response.status_code == 400
    assert "report_types" in response.json()


def test_unknown_country_in_the_path_of_a_create_is_a_404(staff_api, acme):
    response = staff_api.post(url(acme.pk, "XX"), new_credential_body(), format="json")

    assert response.status_code == 404
    assert response.json()["detail"].startswith("Unknown country 'XX'. Valid countries: AT,")
    assert not Credential.objects.exists()


def test_overlap_with_an_existing_credential_is_a_400(staff_api, acme, ear_credential):
    response = staff_api.post(
        url(acme.pk), new_credential_body(report_types=["Batteries"], login="other"), format="json"
    )

    assert response.status_code == 400
    [message] = response.json()["report_types"]
    assert "already has a credential for DE · Stiftung EAR · Batteries" in message
    assert str(ear_credential.pk) in message
    assert Credential.objects.count() == 1


def test_overlap_found_only_by_the_database_constraint_is_a_400(
    staff_api, acme, ear_credential, monkeypatch
):
    monkeypatch.setattr("credentials.services.plan._refuse_overlap", lambda **kwargs: None)

    response = staff_api.post(
        url(acme.pk), new_credential_body(report_types=["WEEE"]), format="json"
    )

    assert response.status_code == 400
    assert (
        "already has a credential for DE · Stiftung EAR · WEEE"
        in response.json()["report_types"][0]
    )
    assert Credential.objects.count() == 1


def test_the_same_report_type_with_another_pro_is_not_an_overlap(staff_api, acme):
    staff_api.post(url(acme.pk, "UK"), new_credential_body(pro="Valpak"), format="json")

    response = staff_api.post(
        url(acme.pk, "UK"), new_credential_body(pro="Comply Direct"), format="json"
    )

    assert response.status_code == 201


@pytest.mark.parametrize("extra_info", [["a", "b"], "text", 3, True])
def test_extra_info_that_is_not_an_object_is_a_400(staff_api, acme, extra_info):
    response = staff_api.post(
        url(acme.pk), new_credential_body(extra_info=extra_info), format="json"
    )

    assert response.status_code == 400
    assert response.json()["extra_info"][0].startswith("Must be a JSON object or null")
    assert not Credential.objects.exists()


def test_a_10000_character_login_is_a_400(staff_api, acme):
    response = staff_api.post(url(acme.pk), new_credential_body(login="x" * 10_000), format="json")

    assert response.status_code == 400
    assert "login" in response.json()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", "missing"),
        ("interval", "weekly"),
        ("collective_account_id", "five"),
        ("pro", None),
    ],
)
def test_invalid_field_values_are_a_400(staff_api, acme, field, value):
    response = staff_api.post(url(acme.pk), new_credential_body(**{field: value}), format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_the_mask_is_refused_as_a_password(staff_api, acme):
    response = staff_api.post(url(acme.pk), new_credential_body(password="***"), format="json")

    assert response.status_code == 400
    assert "mask" in response.json()["password"][0]


def test_a_body_that_is_not_an_object_is_a_400(staff_api, acme):
    response = staff_api.post(url(acme.pk), ["WEEE"], format="json")

    assert response.status_code == 400


def test_collective_account_true_without_an_id_on_an_ordinary_client_asks_for_the_id(
    staff_api, acme
):
    response = staff_api.post(
        url(acme.pk), new_credential_body(collective_account=True), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["collective_account_id"]
    [message] = response.json()["collective_account_id"]
    assert "Give that account's id in collective_account_id" in message
    assert not Credential.objects.exists()


def test_credentials_of_a_collective_client_are_collective_accounts(staff_api, collective_client):
    response = staff_api.post(
        url(collective_client.pk, "NL"),
        new_credential_body(pro="Stichting Open", collective_account=True),
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["collective_account"] is True
    assert response.json()["collective_account_id"] is None


def test_viewer_cannot_create(viewer_api, acme):
    response = viewer_api.post(url(acme.pk), new_credential_body(), format="json")

    assert response.status_code == 403
    assert not Credential.objects.exists()


def test_create_for_another_organizations_client_answers_404(other_org_api, acme):
    response = other_org_api.post(url(acme.pk), new_credential_body(), format="json")

    assert response.status_code == 404
    assert not Credential.objects.exists()


def test_reader_of_a_shared_client_cannot_create(shared_reader_api):
    response = shared_reader_api.post(
        url(shared_reader_api.shared_client.pk), new_credential_body(), format="json"
    )

    assert response.status_code == 404


# PUT / PATCH


def test_update_changes_only_the_given_fields_and_answers_in_the_seed_shape(
    staff_api, acme, ear_credential
):
    response = staff_api.put(
        url(acme.pk, "DE", ear_credential.pk),
        {"password": "new_secure_password", "notes": "Password updated on 2024-01-15"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body.keys() >= SEED_GET_FIELDS
    assert body["password"] == "new_secure_password"
    assert body["notes"] == "Password updated on 2024-01-15"
    assert body["login"] == "username@example.com"
    assert body["registration_number"] == "DE123456"
    assert body["report_type"] == "WEEE,Batteries"
    assert body["interval"] == "quarterly"


def test_patch_behaves_like_put(staff_api, acme, ear_credential):
    response = staff_api.patch(
        url(acme.pk, "DE", ear_credential.pk), {"status": "invalid"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "invalid"
    assert response.json()["password"] == "secure_password"


def test_update_accepts_report_type_as_a_comma_string(staff_api, acme, ear_credential):
    response = staff_api.put(
        url(acme.pk, "DE", ear_credential.pk), {"report_type": "Batteries"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["report_type"] == "Batteries"
    assert list(
        CredentialReportType.objects.filter(credential=ear_credential).values_list(
            "report_type__code", flat=True
        )
    ) == ["Batteries"]


def test_an_update_with_an_unknown_field_is_a_400_and_changes_nothing(
    staff_api, acme, ear_credential
):
    response = staff_api.patch(
        url(acme.pk, "DE", ear_credential.pk),
        {"notes": "changed", "registration_nr": "X"},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["registration_nr"]
    ear_credential.refresh_from_db()
    assert ear_credential.notes == "Main credential"


def test_an_update_may_send_back_the_id_it_was_given(staff_api, acme, ear_credential):
    response = staff_api.patch(
        url(acme.pk, "DE", ear_credential.pk),
        {"id": ear_credential.pk, "notes": "changed"},
        format="json",
    )

    assert response.status_code == 200
    ear_credential.refresh_from_db()
    assert ear_credential.notes == "changed"


def test_update_keeps_the_replaced_password_in_the_history(staff_api, acme, ear_credential):
    staff_api.put(url(acme.pk, "DE", ear_credential.pk), {"password": "next"}, format="json")

    entry = CredentialPasswordHistory.objects.get()
    assert entry.credential == ear_credential
    assert entry.password == "secure_password"
    assert entry.changed_by == staff_api.user


def test_update_of_report_types_replaces_them(staff_api, acme, ear_credential):
    response = staff_api.put(
        url(acme.pk, "DE", ear_credential.pk), {"report_types": "Batteries"}, format="json"
    )

    assert response.json()["report_types"] == ["Batteries"]
    assert list(
        CredentialReportType.objects.filter(credential=ear_credential).values_list(
            "report_type__code", flat=True
        )
    ) == ["Batteries"]


def test_update_into_an_overlap_is_a_400_and_changes_nothing(staff_api, acme, ear_credential):
    other = CredentialFactory(client=acme, pro=pro("DE", "Landbell"), report_types=["Packaging"])

    response = staff_api.put(
        url(acme.pk, "DE", other.pk),
        {"pro": "Stiftung EAR", "report_types": ["WEEE"]},
        format="json",
    )

    assert response.status_code == 400
    other.refresh_from_db()
    assert other.pro.name == "Landbell"


def test_update_of_a_credential_under_another_country_answers_404(staff_api, acme, ear_credential):
    response = staff_api.put(url(acme.pk, "FR", ear_credential.pk), {"notes": "x"}, format="json")

    assert response.status_code == 404


def test_update_of_another_organizations_credential_under_your_client_answers_404(
    staff_api, acme, other_organization
):
    foreign = CredentialFactory(client=ClientFactory(organization=other_organization))

    response = staff_api.put(url(acme.pk, "DE", foreign.pk), {"notes": "mine"}, format="json")

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.notes == ""


def test_update_by_another_organization_answers_404(other_org_api, acme, ear_credential):
    response = other_org_api.put(
        url(acme.pk, "DE", ear_credential.pk), {"notes": "x"}, format="json"
    )

    assert response.status_code == 404


def test_viewer_cannot_update(viewer_api, acme, ear_credential):
    response = viewer_api.put(url(acme.pk, "DE", ear_credential.pk), {"notes": "x"}, format="json")

    assert response.status_code == 403


def test_reader_of_a_shared_client_cannot_update(shared_reader_api):
    credential = CredentialFactory(client=shared_reader_api.shared_client)

    response = shared_reader_api.put(
        url(shared_reader_api.shared_client.pk, "DE", credential.pk), {"notes": "x"}, format="json"
    )

    assert response.status_code == 404


# GET one credential


def test_staff_get_one_credential_in_the_seed_shape_with_its_password(
    staff_api, acme, ear_credential
):
    response = staff_api.get(url(acme.pk, "DE", ear_credential.pk))

    assert response.status_code == 200
    row = response.json()
    assert row.keys() >= SEED_GET_FIELDS
    assert (row["id"], row["login"], row["password"]) == (
        ear_credential.pk,
        "username@example.com",
        "secure_password",
    )


def test_getting_one_credential_reveals_and_records_only_that_one(staff_api, acme, ear_credential):
    CredentialFactory(client=acme, pro=pro("DE", "Landbell"), report_types=["Packaging"])

    staff_api.get(url(acme.pk, "DE", ear_credential.pk))

    event = PasswordAccessEvent.objects.get()
    assert (event.credential, event.user, event.route) == (
        ear_credential,
        staff_api.user,
        url(acme.pk, "DE", ear_credential.pk),
    )


def test_viewer_gets_one_credential_masked_and_no_access_event(viewer_api, acme, ear_credential):
    response = viewer_api.get(url(acme.pk, "DE", ear_credential.pk))

    assert response.status_code == 200
    assert response.json()["password"] == "***"
    assert not PasswordAccessEvent.objects.exists()


def test_reader_of_a_shared_client_gets_one_credential_masked(shared_reader_api):
    credential = CredentialFactory(client=shared_reader_api.shared_client, password="shared-pw")

    response = shared_reader_api.get(url(shared_reader_api.shared_client.pk, "DE", credential.pk))

    assert response.status_code == 200
    assert response.json()["password"] == "***"
    assert not PasswordAccessEvent.objects.exists()


def test_one_credential_of_another_organization_answers_404(other_org_api, acme, ear_credential):
    response = other_org_api.get(url(acme.pk, "DE", ear_credential.pk))

    assert response.status_code == 404
    assert "secure_password" not in response.content.decode()
    assert not PasswordAccessEvent.objects.exists()


def test_another_organizations_credential_under_your_client_answers_404(
    staff_api, acme, other_organization
):
    foreign = CredentialFactory(client=ClientFactory(organization=other_organization))

    assert staff_api.get(url(acme.pk, "DE", foreign.pk)).status_code == 404
    assert not PasswordAccessEvent.objects.exists()


def test_one_credential_under_another_country_answers_404(staff_api, acme, ear_credential):
    assert staff_api.get(url(acme.pk, "FR", ear_credential.pk)).status_code == 404


def test_one_credential_of_another_client_of_yours_answers_404(
    staff_api, acme, organization, ear_credential
):
    sibling = ClientFactory(organization=organization, name="Sibling Ltd")

    assert staff_api.get(url(sibling.pk, "DE", ear_credential.pk)).status_code == 404


# Responses that may carry a plaintext are never cached


def no_store(response) -> bool:
    return "no-store" in response["Cache-Control"]


def test_the_list_by_country_is_not_to_be_stored(staff_api, acme, ear_credential):
    assert no_store(staff_api.get(url(acme.pk)))


def test_one_credential_is_not_to_be_stored(staff_api, acme, ear_credential):
    assert no_store(staff_api.get(url(acme.pk, "DE", ear_credential.pk)))


def test_the_create_answer_is_not_to_be_stored(staff_api, acme):
    response = staff_api.post(url(acme.pk), new_credential_body(), format="json")

    assert response.status_code == 201
    assert no_store(response)


@pytest.mark.parametrize("method", ["put", "patch"])
def test_the_update_answer_is_not_to_be_stored(staff_api, acme, ear_credential, method):
    response = getattr(staff_api, method)(
        url(acme.pk, "DE", ear_credential.pk), {"password": "changed"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["password"] == "changed"
    assert no_store(response)


# DELETE


def test_delete_answers_the_seed_message(staff_api, acme, ear_credential):
    response = staff_api.delete(url(acme.pk, "DE", ear_credential.pk))

    assert response.status_code == 200
    assert response.json() == {"message": "Credential deleted successfully."}
    assert not Credential.objects.exists()
    assert not CredentialReportType.objects.exists()


def test_delete_by_another_organization_answers_404(other_org_api, acme, ear_credential):
    assert other_org_api.delete(url(acme.pk, "DE", ear_credential.pk)).status_code == 404
    assert Credential.objects.exists()


def test_delete_under_another_country_answers_404(staff_api, acme, ear_credential):
    assert staff_api.delete(url(acme.pk, "FR", ear_credential.pk)).status_code == 404


def test_viewer_cannot_delete(viewer_api, acme, ear_credential):
    assert viewer_api.delete(url(acme.pk, "DE", ear_credential.pk)).status_code == 403


def test_admin_may_delete(api_client_for, organization, acme, ear_credential):
    api = api_client_for(organization, Role.ADMIN)

    assert api.delete(url(acme.pk, "DE", ear_credential.pk)).status_code == 200


# Hostile input


def test_ids_beyond_the_database_range_answer_404(staff_api, acme):
    huge = 10**30

    assert staff_api.get(url(huge)).status_code == 404
    assert staff_api.get(url(acme.pk, "DE", huge)).status_code == 404
    assert staff_api.put(url(acme.pk, "DE", huge), {"notes": "x"}, format="json").status_code == 404
    assert staff_api.delete(url(acme.pk, "DE", huge)).status_code == 404


def test_a_collective_account_id_beyond_the_database_range_is_a_400(staff_api, acme):
    response = staff_api.post(
        url(acme.pk), new_credential_body(collective_account_id=10**30), format="json"
    )

    assert response.status_code == 400
    assert "collective_account_id" in response.json()


def test_json_nested_too_deep_is_a_400(staff_api, acme):
    body = "[" * 100_000 + "]" * 100_000

    response = staff_api.generic("POST", url(acme.pk), body, content_type="application/json")

    assert response.status_code == 400


def test_malformed_json_is_a_400(staff_api, acme):
    response = staff_api.generic("POST", url(acme.pk), '{"pro": ', content_type="application/json")

    assert response.status_code == 400


@pytest.mark.parametrize(
    "overrides",
    [
        {"extra_info": {"note": "a\x00b"}},
        {"extra_info": {"a\x00": ["b"]}},
        {"login": "a\x00b"},
        {"notes": "a\x00b"},
    ],
)
def test_null_characters_are_a_400(staff_api, acme, overrides):
    response = staff_api.post(url(acme.pk), new_credential_body(**overrides), format="json")

    assert response.status_code == 400
    assert response.json()[next(iter(overrides))] == ["Null characters are not allowed."]


# Input limits: login and registration_number 255 characters, notes 10,000, extra_info 10 KB.

OVER_THE_LIMIT = [
    ("login", "x" * 256, "255"),
    ("registration_number", "x" * 256, "255"),
    ("notes", "x" * 10_001, "10000"),
    ("extra_info", {"k": "x" * 10_233}, "10240 bytes"),
]
AT_THE_LIMIT = [
    ("login", "x" * 255),
    ("registration_number", "x" * 255),
    ("notes", "x" * 10_000),
    ("extra_info", {"k": "x" * 10_232}),
]


@pytest.mark.parametrize(("field", "value", "limit"), OVER_THE_LIMIT)
def test_create_over_a_limit_answers_400_naming_the_field_and_the_limit(
    staff_api, acme, field, value, limit
):
    response = staff_api.post(url(acme.pk), new_credential_body(**{field: value}), format="json")

    assert response.status_code == 400
    assert limit in response.json()[field][0]
    assert not Credential.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize(("field", "value", "limit"), OVER_THE_LIMIT)
def test_update_over_a_limit_answers_400_and_changes_nothing(
    staff_api, acme, ear_credential, method, field, value, limit
):
    response = getattr(staff_api, method)(
        url(acme.pk, credential_id=ear_credential.pk),
        {field: value, "status": "inactive"},
        format="json",
    )

    assert response.status_code == 400
    assert limit in response.json()[field][0]
    stored = Credential.objects.get(pk=ear_credential.pk)
    assert (stored.login, stored.registration_number, stored.notes, stored.status) == (
        "username@example.com",
        "DE123456",
        "Main credential",
        "active",
    )
    assert stored.extra_info is None


@pytest.mark.parametrize(("field", "value"), AT_THE_LIMIT)
def test_create_at_a_limit_is_accepted(staff_api, acme, field, value):
    response = staff_api.post(url(acme.pk), new_credential_body(**{field: value}), format="json")

    assert response.status_code == 201
    assert getattr(Credential.objects.get(), field) == value


@pytest.mark.parametrize("depth", [33, 500])
def test_extra_info_nested_deeper_than_32_levels_answers_400(staff_api, acme, depth):
    extra_info = '{"a":' * depth + "1" + "}" * depth
    body = '{"report_types": ["WEEE"], "pro": "Stiftung EAR", "extra_info": ' + extra_info + "}"

    response = staff_api.post(url(acme.pk), body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "extra_info": ["extra_info is nested too deeply: at most 32 levels."]
    }
    assert not Credential.objects.exists()


def test_extra_info_nested_32_levels_is_accepted(staff_api, acme):
    extra_info = '{"a":' * 32 + "1" + "}" * 32
    body = '{"report_types": ["WEEE"], "pro": "Stiftung EAR", "extra_info": ' + extra_info + "}"

    response = staff_api.post(url(acme.pk), body, content_type="application/json")

    assert response.status_code == 201
    assert Credential.objects.get().extra_info["a"]["a"]["a"] is not None
