"""A row with a country and neither report type nor credential columns (the seed's example
mapping ["name", "status", "country"]): the client operates in that country."""

import pytest

from clients.models import Client, Obligation
from credentials.models import ClientImport
from tests.factories import ClientFactory, CredentialFactory, ObligationFactory, country

pytestmark = pytest.mark.django_db

PREVIEW = "/logins/clients/bulk-upload/preview"
EXECUTE = "/logins/clients/bulk-upload"
# The seed's example request, as written: its mapping and the kind of rows it describes.
SEED_MAPPING = ["name", "status", "country"]


def seed_body(*rows) -> dict:
    return {"csvData": list(rows), "fileId": ["file-1"], "mapping": SEED_MAPPING}


def test_the_seeds_example_mapping_previews_every_row_as_valid(staff_api):
    response = staff_api.post(
        PREVIEW, seed_body(["ABC Corporation", "active", "DE"]), format="json"
    )

    assert response.status_code == 200
    data = response.json()
    assert data["summary"] == {"would_create": 1, "would_update": 0, "errors": 0, "warnings": 0}
    assert data["validation_results"] == {"valid": 1, "invalid": 0}
    assert data["sample_data"] == [{"name": "ABC Corporation", "status": "active", "country": "DE"}]


def test_the_seeds_example_mapping_creates_the_client_operating_in_the_country(
    staff_api, organization
):
    response = staff_api.post(
        EXECUTE,
        seed_body(["ABC Corporation", "active", "DE"], ["Beta BV", "onboarding", "NL"]),
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["summary"] == (
        "Bulk upload completed successfully. 2 clients created, 0 clients updated, "
        "0 errors encountered."
    )
    obligation = Obligation.objects.get(client__name="ABC Corporation")
    assert (obligation.country_id, obligation.report_type_id, obligation.pro_id) == (
        country("DE").pk,
        None,
        None,
    )
    assert Client.objects.get(name="Beta BV").obligations.get().country.code == "NL"


def test_the_same_country_twice_records_one_obligation(staff_api, organization):
    staff_api.post(EXECUTE, seed_body(["ABC Corporation", "active", "DE"]), format="json")
    response = staff_api.post(
        EXECUTE, seed_body(["ABC Corporation", "active", "DE"]), format="json"
    )

    assert (response.json()["created"], response.json()["updated"]) == (0, 0)
    assert Obligation.objects.filter(client__name="ABC Corporation").count() == 1


def test_a_country_the_client_has_a_credential_in_adds_no_obligation(staff_api, organization):
    acme = ClientFactory(organization=organization, name="Acme GmbH")
    CredentialFactory(client=acme)  # DE

    response = staff_api.post(EXECUTE, seed_body(["Acme GmbH", "", "DE"]), format="json")

    assert response.json()["updated"] == 0
    assert not acme.obligations.exists()


def test_a_country_only_client_counts_in_the_stats_by_country(staff_api, organization):
    staff_api.post(EXECUTE, seed_body(["ABC Corporation", "active", "DE"]), format="json")

    stats = staff_api.get("/logins/stats").json()

    assert stats["by_country"] == {"DE": 1}
    assert stats["by_report_type"] == {}


def test_a_country_only_client_matches_the_country_filter(staff_api, organization):
    staff_api.post(EXECUTE, seed_body(["ABC Corporation", "active", "DE"]), format="json")
    ClientFactory(organization=organization, name="Elsewhere SA")

    listed = staff_api.get("/logins/clients", {"country": "DE"}).json()["clients"]

    assert [c["name"] for c in listed] == ["ABC Corporation"]


def test_show_missing_lists_the_country_while_the_client_has_no_credential_there(
    staff_api, organization
):
    staff_api.post(EXECUTE, seed_body(["ABC Corporation", "active", "DE"]), format="json")
    client = Client.objects.get(name="ABC Corporation")

    rows = staff_api.get(
        f"/logins/clients/{client.pk}/credentials/search", {"showMissing": "true"}
    ).json()

    assert [(r["id"], r["country"], r["report_type"], r["status"]) for r in rows] == [
        (None, "DE", None, "missing")
    ]
    assert rows[0]["report_types"] == []


def test_any_credential_in_the_country_covers_a_country_only_obligation(staff_api, organization):
    acme = ClientFactory(organization=organization)
    ObligationFactory(client=acme, country=country("DE"), report_type=None, pro=None)
    credential = CredentialFactory(client=acme)  # DE, WEEE

    rows = staff_api.get(
        f"/logins/clients/{acme.pk}/credentials/search", {"showMissing": "true"}
    ).json()

    assert [r["id"] for r in rows] == [credential.pk]


def test_execute_with_no_applicable_row_answers_400_saying_nothing_was_uploaded(
    staff_api, organization
):
    response = staff_api.post(
        EXECUTE, seed_body(["ABC Corporation", "paused", "XX"]), format="json"
    )

    assert response.status_code == 400
    data = response.json()
    assert (data["created"], data["updated"], data["errors"], data["applied"]) == (0, 0, 1, False)
    assert data["summary"] == "Nothing was uploaded: no row could be applied. 1 error encountered."
    assert not Client.objects.exists()
    assert ClientImport.objects.get(pk=data["import_id"]).applied is False


def test_the_api_accepts_an_obligation_with_only_a_country(staff_api, organization):
    response = staff_api.post(
        "/logins/clients",
        {"client_name": "Landed GmbH", "obligations": [{"country": "DE"}]},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["obligations"] == [{"country": "DE", "report_type": None, "pro": None}]
    assert Obligation.objects.get(client__name="Landed GmbH").report_type is None


def test_an_obligation_with_a_pro_but_no_report_type_is_refused(staff_api, organization):
    response = staff_api.post(
        "/logins/clients",
        {"client_name": "Landed GmbH", "obligations": [{"country": "DE", "pro": "Stiftung EAR"}]},
        format="json",
    )

    assert response.status_code == 400
    assert "obligations" in response.json()
    assert not Client.objects.filter(name="Landed GmbH").exists()
