import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import ProtectedError
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from credentials.models import (
    AccessReason,
    Credential,
    CredentialPasswordHistory,
    CredentialReportType,
    PasswordAccessEvent,
)
from credentials.services import (
    CredentialWrite,
    RequestOrigin,
    credential_create,
    credential_delete,
    credential_update,
    credential_validate,
    credentials_bulk_write,
    request_origin,
    secrets_reveal,
)
from tests.factories import (
    CredentialFactory,
    MembershipFactory,
    UserFactory,
    country,
    pro,
    report_type,
)

pytestmark = pytest.mark.django_db

ORIGIN = RequestOrigin(ip="192.0.2.1", method="GET", route="/test")


def links_of(credential):
    return list(
        CredentialReportType.objects.filter(credential=credential)
        .order_by("report_type__code")
        .values_list("client_id", "country__code", "pro__name", "report_type__code")
    )


def test_create_writes_the_report_type_rows_with_the_credentials_keys(acme):
    credential = credential_create(
        client=acme, country="de", pro="stiftung ear", report_types="Batteries,WEEE"
    )

    assert credential.report_type_codes == "Batteries,WEEE"
    assert links_of(credential) == [
        (acme.pk, "DE", "Stiftung EAR", "Batteries"),
        (acme.pk, "DE", "Stiftung EAR", "WEEE"),
    ]


def test_changing_the_pro_moves_the_report_type_rows_with_it(acme):
    credential = credential_create(client=acme, country="UK", pro="Valpak", report_types=["WEEE"])

    credential_update(credential=credential, pro="Comply Direct")

    assert links_of(credential) == [(acme.pk, "UK", "Comply Direct", "WEEE")]


def test_changing_report_types_keeps_the_rows_that_stay(acme):
    credential = credential_create(
        client=acme, country="DE", pro="Stiftung EAR", report_types=["WEEE"]
    )
    kept = CredentialReportType.objects.get(credential=credential).pk

    credential_update(credential=credential, report_types=["WEEE", "Batteries"])

    assert CredentialReportType.objects.filter(pk=kept).exists()
    assert Credential.objects.get(pk=credential.pk).report_type_codes == "WEEE,Batteries"


def test_changing_the_pro_to_one_that_does_not_take_the_report_types_is_refused(acme):
    credential = credential_create(
        client=acme, country="DE", pro="Stiftung EAR", report_types=["WEEE"]
    )

    with pytest.raises(ValidationError) as caught:
        credential_update(credential=credential, pro="Landbell")

    assert "does not take WEEE" in caught.value.message_dict["report_types"][0]
    assert links_of(credential)[0][2] == "Stiftung EAR"


def test_an_overlap_met_only_by_the_constraint_on_update_is_a_validation_error(acme, monkeypatch):
    credential_create(client=acme, country="UK", pro="Valpak", report_types=["WEEE"])
    other = credential_create(client=acme, country="UK", pro="Comply Direct", report_types=["WEEE"])
    monkeypatch.setattr("credentials.services.plan._refuse_overlap", lambda **kwargs: None)

    with pytest.raises(ValidationError) as caught:
        credential_update(credential=other, pro="Valpak")

    assert "already has a credential for UK · Valpak · WEEE" in caught.value.messages[0]
    assert Credential.objects.get(pk=other.pk).pro.name == "Comply Direct"


def test_a_replaced_password_is_kept_encrypted_with_who_replaced_it(acme):
    user = UserFactory()
    credential = credential_create(
        client=acme, country="DE", pro="Stiftung EAR", report_types="WEEE", password="one"
    )

    credential_update(credential=credential, password="two", user=user)

    entry = CredentialPasswordHistory.objects.get()
    assert (entry.password, entry.changed_by) == ("one", user)


@pytest.mark.parametrize("changes", [{"password": "one"}, {"notes": "no password change"}])
def test_no_history_entry_when_the_password_stays(acme, changes):
    credential = credential_create(
        client=acme, country="DE", pro="Stiftung EAR", report_types="WEEE", password="one"
    )

    credential_update(credential=credential, **changes)

    assert not CredentialPasswordHistory.objects.exists()


def test_change_history_records_who_and_that_the_password_changed(acme):
    user = UserFactory()
    credential = credential_create(
        client=acme,
        country="DE",
        pro="Stiftung EAR",
        report_types="WEEE",
        password="one",
        user=user,
    )

    credential_update(credential=credential, password="two", user=user)

    latest = credential.history.latest()
    assert latest.history_user == user
    assert latest.history_change_reason == "Password changed"
    assert not hasattr(latest, "password")


def test_change_history_shows_report_type_changes(acme):
    credential = credential_create(
        client=acme, country="DE", pro="Stiftung EAR", report_types="WEEE"
    )

    credential_update(credential=credential, report_types="WEEE,Batteries")

    assert list(
        credential.history.order_by("history_id").values_list("report_type_codes", flat=True)
    ) == [
        "WEEE",
        "WEEE,Batteries",
    ]


def test_validate_raises_what_create_would_and_writes_nothing(acme):
    with pytest.raises(ValidationError) as caught:
        credential_validate(client=acme, country="DE", pro="Citeo", report_types="WEEE")

    assert "pro" in caught.value.message_dict
    assert not Credential.objects.exists()


def test_update_with_nothing_given_changes_nothing(acme):
    credential = credential_create(
        client=acme, country="DE", pro="Stiftung EAR", report_types="WEEE", login="l", password="p"
    )

    credential_update(credential=credential)

    credential.refresh_from_db()
    assert (credential.login, credential.password, credential.report_type_codes) == (
        "l",
        "p",
        "WEEE",
    )


def test_null_clears_a_text_field_and_the_password(acme):
    credential = credential_create(
        client=acme, country="DE", pro="Stiftung EAR", report_types="WEEE", notes="n", password="p"
    )

    credential_update(credential=credential, notes=None, password=None)

    credential.refresh_from_db()
    assert (credential.notes, credential.password) == ("", "")
    assert CredentialPasswordHistory.objects.get().password == "p"


def test_linking_drops_the_own_login_and_keeps_the_password_in_history(acme, collective_credential):
    credential = credential_create(
        client=acme,
        country="NL",
        pro="Stichting OPEN",
        report_types="WEEE",
        login="own",
        password="own-pw",
    )

    credential_update(credential=credential, collective_account_id=collective_credential.pk)

    credential.refresh_from_db()
    assert (credential.login, credential.password, credential.collective_account) == (
        "",
        "",
        collective_credential,
    )
    assert credential.effective_password == "collective-pw-1"
    assert CredentialPasswordHistory.objects.get(credential=credential).password == "own-pw"


def test_a_linked_credential_must_follow_its_collective_account_to_another_pro(
    acme, collective_credential
):
    credential = credential_create(
        client=acme,
        country="NL",
        pro="Stichting OPEN",
        report_types="WEEE",
        collective_account_id=collective_credential.pk,
    )

    with pytest.raises(ValidationError) as caught:
        credential_update(
            credential=credential, pro="Afvalfonds Verpakkingen", report_types="Packaging"
        )

    assert "same country and PRO" in caught.value.message_dict["collective_account_id"][0]


def test_deleting_a_collective_account_with_links_is_protected(acme, collective_credential):
    credential_create(
        client=acme,
        country="NL",
        pro="Stichting OPEN",
        report_types="WEEE",
        collective_account_id=collective_credential.pk,
    )

    with pytest.raises(ProtectedError):
        credential_delete(credential=collective_credential)


def test_delete_records_who_deleted_it(acme):
    user = UserFactory()
    credential = credential_create(
        client=acme, country="DE", pro="Stiftung EAR", report_types="WEEE"
    )

    credential_id = credential.pk

    credential_delete(credential=credential, user=user)

    deletion = Credential.history.model.objects.get(id=credential_id, history_type="-")
    assert deletion.history_user == user


def test_access_events_for_many_credentials_are_one_insert(acme):
    user = MembershipFactory(organization=acme.organization, role="staff").user
    credentials = [
        CredentialFactory(client=acme, pro=pro("DE", name), report_types=["Packaging"])
        for name in ["Landbell", "Interzero", "Noventiz"]
    ]

    with CaptureQueriesContext(connection) as queries:
        secrets_reveal(
            user=user, credentials=credentials, reason=AccessReason.API_READ, origin=ORIGIN
        )

    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert PasswordAccessEvent.objects.count() == 3


@pytest.mark.parametrize(
    ("meta", "proxies", "expected"),
    [
        ({"REMOTE_ADDR": "192.0.2.9"}, 0, "192.0.2.9"),
        ({"REMOTE_ADDR": "192.0.2.9", "HTTP_X_FORWARDED_FOR": "6.6.6.6"}, 0, "192.0.2.9"),
        (
            {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 198.51.100.1"},
            1,
            "198.51.100.1",
        ),
        (
            {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.1, 10.0.0.5"},
            2,
            "198.51.100.1",
        ),
        ({"REMOTE_ADDR": "10.0.0.1"}, 1, "10.0.0.1"),
        ({"REMOTE_ADDR": "not-an-address"}, 0, None),
    ],
)
def test_request_origin_trusts_forwarded_addresses_only_from_our_proxies(
    settings, meta, proxies, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/logins/clients/1/credentials/DE?x=1", **meta)

    origin = request_origin(request)

    assert origin == RequestOrigin(
        ip=expected, method="GET", route="/logins/clients/1/credentials/DE"
    )


@pytest.mark.parametrize("field", ["login", "registration_number", "notes"])
def test_null_characters_in_text_are_refused_before_the_database_sees_them(acme, field):
    with pytest.raises(ValidationError) as caught:
        credential_create(
            client=acme, country="DE", pro="Stiftung EAR", report_types="WEEE", **{field: "a\x00b"}
        )

    assert caught.value.message_dict == {field: ["Null characters are not allowed."]}


def test_bulk_write_keeps_report_type_rows_history_and_previous_passwords_in_step(acme):
    user = MembershipFactory(organization=acme.organization).user
    existing = CredentialFactory(client=acme, report_types=["WEEE"], password="old-pw")
    existing.password = "new-pw"
    fresh = Credential(client=acme, country=country("FR"), pro=pro("FR", "Citeo"), login="fr")

    credentials_bulk_write(
        writes=[
            CredentialWrite(
                credential=existing,
                report_types=[report_type("WEEE"), report_type("Batteries")],
                added_report_types=[report_type("Batteries")],
                changed_fields=["password"],
                previous_password="old-pw",
            ),
            CredentialWrite(
                credential=fresh,
                report_types=[report_type("Packaging"), report_type("Paper")],
                added_report_types=[report_type("Packaging"), report_type("Paper")],
            ),
        ],
        user=user,
        change_reason="Bulk upload",
    )

    existing.refresh_from_db()
    assert (existing.password, existing.report_type_codes) == ("new-pw", "WEEE,Batteries")
    assert Credential.objects.get(pk=fresh.pk).report_type_codes == "Packaging,Paper"
    links = set(
        CredentialReportType.objects.filter(client=acme).values_list(
            "credential_id", "report_type__code", "country__code", "pro__name"
        )
    )
    assert links == {
        (existing.pk, "WEEE", "DE", "Stiftung EAR"),
        (existing.pk, "Batteries", "DE", "Stiftung EAR"),
        (fresh.pk, "Packaging", "FR", "Citeo"),
        (fresh.pk, "Paper", "FR", "Citeo"),
    }
    previous = CredentialPasswordHistory.objects.get(credential=existing)
    assert (previous.password, previous.changed_by) == ("old-pw", user)
    assert [
        (v.history_type, v.history_user, v.history_change_reason)
        for v in Credential.history.filter(history_user=user).order_by("id")
    ] == [("~", user, "Password changed"), ("+", user, "Bulk upload")]


def test_bulk_write_meeting_the_overlap_constraint_writes_nothing(acme):
    CredentialFactory(client=acme, report_types=["WEEE"])
    clash = Credential(client=acme, country=country("DE"), pro=pro("DE", "Stiftung EAR"))

    with pytest.raises(ValidationError) as caught:
        credentials_bulk_write(
            writes=[
                CredentialWrite(
                    credential=clash,
                    report_types=[report_type("WEEE")],
                    added_report_types=[report_type("WEEE")],
                )
            ]
        )

    assert "Nothing was written" in caught.value.message_dict["report_types"][0]
    assert Credential.objects.filter(client=acme).count() == 1


# Input limits (clients.limits)


def extra_info_of(size: int) -> dict:
    """An extra_info object of exactly `size` bytes as compact JSON: {"k":"xx..."}."""
    return {"k": "x" * (size - len('{"k":""}'))}


OVER_THE_LIMIT = [
    ("login", "x" * 256, "login is too long: at most 255 characters."),
    (
        "registration_number",
        "x" * 256,
        "registration_number is too long: at most 255 characters.",
    ),
    ("notes", "x" * 10_001, "notes is too long: at most 10000 characters."),
    (
        "extra_info",
        extra_info_of(10_241),
        "extra_info is too large: at most 10240 bytes (10 KB) as compact UTF-8 JSON; "
        "this one has 10241.",
    ),
]
AT_THE_LIMIT = [
    ("login", "x" * 255),
    ("registration_number", "x" * 255),
    ("notes", "x" * 10_000),
    ("extra_info", extra_info_of(10_240)),
]


@pytest.mark.parametrize(("field", "value", "message"), OVER_THE_LIMIT)
def test_create_refuses_a_value_over_its_limit_and_writes_nothing(acme, field, value, message):
    with pytest.raises(ValidationError) as caught:
        credential_create(
            client=acme, country="DE", pro="Stiftung EAR", report_types="WEEE", **{field: value}
        )

    assert caught.value.message_dict == {field: [message]}
    assert not Credential.objects.exists()


@pytest.mark.parametrize(("field", "value", "message"), OVER_THE_LIMIT)
def test_update_refuses_a_value_over_its_limit_and_changes_nothing(acme, field, value, message):
    credential = CredentialFactory(client=acme, login="kept", notes="kept", password="pw")

    with pytest.raises(ValidationError) as caught:
        credential_update(credential=credential, status="inactive", **{field: value})

    assert caught.value.message_dict == {field: [message]}
    stored = Credential.objects.get(pk=credential.pk)
    assert (stored.login, stored.notes, stored.status, stored.extra_info) == (
        "kept",
        "kept",
        "active",
        None,
    )


@pytest.mark.parametrize(("field", "value", "message"), OVER_THE_LIMIT)
def test_validate_refuses_what_create_would(acme, field, value, message):
    with pytest.raises(ValidationError) as caught:
        credential_validate(
            client=acme, country="DE", pro="Stiftung EAR", report_types="WEEE", **{field: value}
        )

    assert caught.value.message_dict == {field: [message]}


@pytest.mark.parametrize(("field", "value"), AT_THE_LIMIT)
def test_a_value_at_its_limit_is_stored(acme, field, value):
    credential = credential_create(
        client=acme, country="DE", pro="Stiftung EAR", report_types="WEEE", **{field: value}
    )

    assert getattr(Credential.objects.get(pk=credential.pk), field) == value


def test_extra_info_is_measured_in_utf8_bytes_not_characters(acme):
    two_byte_characters = {"k": "é" * 5_117}  # 5,125 characters, 10,242 bytes

    with pytest.raises(ValidationError) as caught:
        credential_create(
            client=acme,
            country="DE",
            pro="Stiftung EAR",
            report_types="WEEE",
            extra_info=two_byte_characters,
        )

    assert "10240 bytes" in caught.value.message_dict["extra_info"][0]
