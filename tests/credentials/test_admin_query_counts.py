"""The admin pages staff use all day read the same number of queries whatever they show: the
client's page with 3 or 30 credentials and obligations, the client list and the credential list
with a page of 5 or of 50 rows (the total read from kept counts or counted once, no query per
row)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.models import Role
from reporting.models import Scheme
from tests.factories import (
    AliasFactory,
    ClientFactory,
    CredentialFactory,
    MembershipFactory,
    ObligationFactory,
)

pytestmark = pytest.mark.django_db

CLIENTS = reverse("admin:clients_client_changelist")
CREDENTIALS = reverse("admin:credentials_credential_changelist")


@pytest.fixture
def browser(client, organization):
    client.force_login(MembershipFactory(organization=organization, role=Role.STAFF).user)
    return client


def queries_of(browser, url: str, params=None) -> int:
    """The queries of one request with an empty cache (nothing remembered from the last one),
    after a first one (the process reads the content types once)."""
    browser.get(url, params or {})
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def schemes(count: int) -> list[Scheme]:
    """`count` schemes of distinct PROs: one credential each is allowed on one client."""
    found = {}
    for scheme in Scheme.objects.select_related("pro__country", "report_type").order_by("pk"):
        found.setdefault(scheme.pro_id, scheme)
    assert len(found) >= count
    return list(found.values())[:count]


def add_portfolio(client_, count: int) -> None:
    """`count` credentials, and an obligation on every other one's PRO (half left uncovered:
    missing credentials on the page)."""
    for number, scheme in enumerate(schemes(count)):
        if number % 2:
            ObligationFactory(
                client=client_,
                country=scheme.pro.country,
                report_type=scheme.report_type,
                pro=scheme.pro,
            )
            if number % 4 == 1:
                continue
        CredentialFactory(
            client=client_,
            country=scheme.pro.country,
            pro=scheme.pro,
            report_types=[scheme.report_type.code],
        )


def test_the_client_page_reads_as_many_queries_for_3_or_30_credentials(
    browser, organization, django_assert_num_queries
):
    small = ClientFactory(organization=organization)
    add_portfolio(small, 4)
    large = ClientFactory(organization=organization)
    add_portfolio(large, 40)
    page = "admin:clients_client_change"
    expected = queries_of(browser, reverse(page, args=[small.pk]))

    cache.clear()
    with django_assert_num_queries(expected):
        response = browser.get(reverse(page, args=[large.pk]))

    forms = response.context["inline_admin_formsets"]
    [obligations] = [f for f in forms if f.opts.model._meta.model_name == "obligation"]
    assert len(obligations.formset.forms) == 20


def test_the_client_list_reads_as_many_queries_for_5_or_50_clients(
    browser, organization, django_assert_num_queries
):
    for _ in range(5):
        listed = ClientFactory(organization=organization)
        add_portfolio(listed, 3)
        AliasFactory(client=listed)
    questions = [{}, {"missing": "yes"}, {"status__exact": "active"}, {"q": "Producer"}]
    expected = {str(q): queries_of(browser, CLIENTS, q) for q in questions}
    for _ in range(45):
        listed = ClientFactory(organization=organization)
        add_portfolio(listed, 3)
        AliasFactory(client=listed)

    for question in questions:
        cache.clear()
        with django_assert_num_queries(expected[str(question)]):
            response = browser.get(CLIENTS, question)
        assert len(response.context["cl"].result_list) >= 5


def test_the_credential_list_reads_as_many_queries_for_5_or_50_credentials(
    browser, organization, django_assert_num_queries
):
    def add_clients(count):
        for _ in range(count):
            add_portfolio(ClientFactory(organization=organization), 3)

    add_clients(3)
    expected = queries_of(browser, CREDENTIALS)
    add_clients(40)

    cache.clear()
    with django_assert_num_queries(expected):
        response = browser.get(CREDENTIALS)

    assert len(response.context["cl"].result_list) == 50


# Committed writes: on PostgreSQL a transaction that changed the portfolio computes without
# the cache (clients/portfolio_version.py).
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_catalog")
def test_a_repeated_credential_list_counts_its_rows_once_per_portfolio_version(
    browser, organization
):
    add_portfolio(ClientFactory(organization=organization), 6)
    assert browser.get(CREDENTIALS).context["cl"].result_count == 4

    with CaptureQueriesContext(connection) as again:
        response = browser.get(CREDENTIALS)

    assert response.context["cl"].result_count == 4
    assert not [q for q in again.captured_queries if "COUNT(" in q["sql"].upper()]
    CredentialFactory(client=ClientFactory(organization=organization))
    assert browser.get(CREDENTIALS).context["cl"].result_count == 5


@pytest.mark.parametrize(
    ("params", "initial", "change"),
    [
        ({"status__exact": "active"}, {"status": "active"}, {"status": "invalid"}),
        ({"interval__exact": "yearly"}, {"interval": "yearly"}, {"interval": "monthly"}),
        ({"attention": "yes"}, {"status": "pending"}, {"status": "active"}),
    ],
)
def test_a_filtered_credential_list_counts_again_after_a_change_of_what_it_filters(
    browser, organization, params, initial, change
):
    from credentials.services import credential_update

    credential = CredentialFactory(client=ClientFactory(organization=organization), **initial)
    before = browser.get(CREDENTIALS, params).context["cl"].result_count

    credential_update(credential=credential, **change)

    assert (before, browser.get(CREDENTIALS, params).context["cl"].result_count) == (1, 0)
