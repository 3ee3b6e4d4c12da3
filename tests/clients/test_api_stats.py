"""GET /logins/stats."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    ClientFactory,
    CredentialFactory,
    ObligationFactory,
    country,
    pro,
    report_type,
)

pytestmark = pytest.mark.django_db


def test_stats_answer_the_seed_shape(staff_api, organization):
    weee = ClientFactory(organization=organization, status="active")
    CredentialFactory(client=weee, report_types=["WEEE", "Batteries"])
    ObligationFactory(
        client=ClientFactory(organization=organization, status="archived"),
        country=country("FR"),
        report_type=report_type("Packaging"),
    )

    response = staff_api.get("/logins/stats")

    assert response.status_code == 200
    assert response.json() == {
        "total_clients": 2,
        "by_country": {"DE": 1, "FR": 1},
        "by_report_type": {"Batteries": 1, "Packaging": 1, "WEEE": 1},
        "by_status": {"active": 1, "archived": 1},
    }


def test_a_client_counts_once_per_country_however_many_credentials_and_obligations(
    staff_api, organization
):
    client = ClientFactory(organization=organization)
    CredentialFactory(client=client, report_types=["WEEE"])
    CredentialFactory(
        client=client,
        pro=pro("DE", "Der Grüne Punkt (DSD)"),
        report_types=["Packaging"],
    )
    ObligationFactory(client=client, report_type=report_type("Packaging"))
    ObligationFactory(client=client, report_type=report_type("WEEE"))
    ObligationFactory(client=client, country=country("NL"), report_type=report_type("WEEE"))

    stats = staff_api.get("/logins/stats").json()

    assert stats["by_country"] == {"DE": 1, "NL": 1}
    assert stats["by_report_type"] == {"Packaging": 1, "WEEE": 1}
    assert stats["total_clients"] == 1


def test_counts_are_ordered_from_largest(staff_api, organization):
    for _ in range(2):
        ObligationFactory(client=ClientFactory(organization=organization), country=country("FR"))
    ObligationFactory(client=ClientFactory(organization=organization), country=country("AT"))

    by_country = staff_api.get("/logins/stats").json()["by_country"]

    assert list(by_country.items()) == [("FR", 2), ("AT", 1)]


def test_collective_accounts_and_other_organizations_are_not_counted(
    staff_api, organization, other_organization
):
    CredentialFactory(client=ClientFactory(organization=organization, collective_account=True))
    CredentialFactory(client=ClientFactory(organization=other_organization))

    assert staff_api.get("/logins/stats").json() == {
        "total_clients": 0,
        "by_country": {},
        "by_report_type": {},
        "by_status": {},
    }


def test_viewer_may_read_the_stats(viewer_api, organization):
    ClientFactory(organization=organization)

    assert viewer_api.get("/logins/stats/").json()["total_clients"] == 1


def test_another_organization_sees_only_its_own_portfolio(other_org_api, organization):
    ClientFactory(organization=organization)

    assert other_org_api.get("/logins/stats").json()["total_clients"] == 0


def test_anonymous_requests_are_refused(anonymous_api):
    assert anonymous_api.get("/logins/stats").status_code == 401


def _stats_queries(api) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/logins/stats").status_code == 200
    return len(queries)


def test_stats_cost_the_same_queries_whatever_the_portfolio_size(staff_api, organization):
    CredentialFactory(client=ClientFactory(organization=organization), report_types=["WEEE"])
    small = _stats_queries(staff_api)
    for index in range(20):
        client = ClientFactory(organization=organization, name=f"Client {index}")
        CredentialFactory(client=client, report_types=["WEEE", "Batteries"])
        ObligationFactory(client=client, country=country("FR"))

    assert _stats_queries(staff_api) == small


def test_stats_read_the_caller_and_the_counts_with_their_codes_in_two_queries(
    staff_api, organization, django_assert_num_queries
):
    client = ClientFactory(organization=organization)
    CredentialFactory(client=client, report_types=["WEEE", "Batteries"])
    ObligationFactory(client=client, country=country("FR"), report_type=report_type("Packaging"))

    # The token with its member and organization; the kept counts joined to the catalog codes.
    with django_assert_num_queries(2):
        response = staff_api.get("/logins/stats")

    assert response.json()["by_country"] == {"DE": 1, "FR": 1}


def test_stats_name_a_country_by_its_current_code(staff_api, organization):
    CredentialFactory(client=ClientFactory(organization=organization), report_types=["WEEE"])
    germany = country("DE")
    germany.code = "DX"
    germany.save(update_fields=["code"])

    assert staff_api.get("/logins/stats").json()["by_country"] == {"DX": 1}


STATS_WRITES = {
    "client created": lambda api, client: api.post(
        "/logins/clients", {"client_name": "Second"}, format="json"
    ),
    "status changed": lambda api, client: api.patch(
        f"/logins/clients/{client.pk}", {"status": "archived"}, format="json"
    ),
    "obligation added": lambda api, client: api.patch(
        f"/logins/clients/{client.pk}",
        {"obligations": [{"country": "FR", "report_type": "Packaging"}]},
        format="json",
    ),
    "credential added": lambda api, client: api.post(
        f"/logins/clients/{client.pk}/credentials/NL",
        {"report_types": ["Batteries"], "pro": "Stichting OPEN", "login": "nl@example.com"},
        format="json",
    ),
    "client deleted": lambda api, client: api.delete(f"/logins/clients/{client.pk}"),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_catalog")
@pytest.mark.parametrize("write", STATS_WRITES.values(), ids=STATS_WRITES.keys())
def test_stats_count_a_write_made_after_they_were_cached(staff_api, organization, write):
    client = ClientFactory(organization=organization, status="active")
    CredentialFactory(client=client, report_types=["WEEE"])
    before = staff_api.get("/logins/stats").json()

    response = write(staff_api, client)

    assert response.status_code in (200, 201), response.content
    after = staff_api.get("/logins/stats").json()
    cache.clear()
    computed_afresh = staff_api.get("/logins/stats").json()
    assert after == computed_afresh != before
