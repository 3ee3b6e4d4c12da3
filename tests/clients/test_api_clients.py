"""GET/POST /logins/clients and GET/PUT/PATCH/DELETE /logins/clients/{client_id}."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.models import Client, Role
from clients.services import (
    client_organization_create,
    client_organization_invitation_accept,
    client_organization_invite,
)
from tests.factories import (
    AliasFactory,
    ClientFactory,
    CredentialFactory,
    MembershipFactory,
    ObligationFactory,
    OrganizationFactory,
    country,
    pro,
    report_type,
)

pytestmark = pytest.mark.django_db

# The keys of the seed document's examples.
LIST_ITEM_KEYS = {"id", "name", "status", "aliases", "notes"}
SUMMARY_KEYS = {"countries", "report_types", "credential_count", "missing_count"}
CLIENT_KEYS = {
    "id",
    "name",
    "status",
    "shared",
    "aliases",
    "notes",
    "client_organization",
    "collective_account",
}


@pytest.fixture
def abc(organization):
    """The seed's example client."""
    client = ClientFactory(
        organization=organization,
        name="ABC Corporation",
        notes="Main client for WEEE compliance",
    )
    AliasFactory(client=client, scope="UK", name="ABC Corp")
    AliasFactory(client=client, scope="DE", name="ABC GmbH")
    return client


def test_list_answers_the_seed_shape(staff_api, abc):
    response = staff_api.get("/logins/clients")

    assert response.status_code == 200
    assert response.json() == {
        "clients": [
            {
                "id": abc.pk,
                "name": "ABC Corporation",
                "status": "active",
                "aliases": {"DE": "ABC GmbH", "UK": "ABC Corp"},
                "notes": "Main client for WEEE compliance",
                "countries": [],
                "report_types": [],
                "credential_count": 0,
                "missing_count": 0,
            }
        ],
        "total": 1,
        "offset": 0,
        "limit": 10,
    }


def test_list_items_have_the_seed_keys_a_portfolio_summary_and_null_notes_when_empty(
    staff_api, organization
):
    ClientFactory(organization=organization, notes="")

    item = staff_api.get("/logins/clients").json()["clients"][0]

    assert set(item) == LIST_ITEM_KEYS | SUMMARY_KEYS
    assert item["notes"] is None
    assert item["aliases"] == {}


def test_list_is_ordered_by_name_ignoring_case(staff_api, organization):
    ClientFactory(organization=organization, name="Zeta AG")
    ClientFactory(organization=organization, name="alpha BV")
    ClientFactory(organization=organization, name="Beta SA")

    names = [c["name"] for c in staff_api.get("/logins/clients").json()["clients"]]

    assert names == ["alpha BV", "Beta SA", "Zeta AG"]


def test_list_orders_equal_positions_by_id(staff_api, organization):
    first = ClientFactory(organization=organization, name="Same Start 1")
    second = ClientFactory(organization=organization, name="Same Start 2")

    ids = [c["id"] for c in staff_api.get("/logins/clients").json()["clients"]]

    assert ids == [first.pk, second.pk]


def test_list_leaves_out_collective_accounts_unless_asked(staff_api, organization):
    ClientFactory(organization=organization, name="Regular GmbH")
    ClientFactory(
        organization=organization,
        name="Collective Account - Stichting Open",
        collective_account=True,
    )

    default = staff_api.get("/logins/clients").json()
    collective = staff_api.get("/logins/clients?collective_account=true").json()
    explicit_false = staff_api.get("/logins/clients?collective_account=false").json()

    assert [c["name"] for c in default["clients"]] == ["Regular GmbH"]
    assert [c["name"] for c in collective["clients"]] == ["Collective Account - Stichting Open"]
    assert explicit_false == default


def test_list_never_shows_another_organizations_clients(other_org_api, abc):
    response = other_org_api.get("/logins/clients?search=ABC")

    assert response.json()["clients"] == []
    assert response.json()["total"] == 0


def test_list_includes_clients_shared_with_the_readers_organization(
    api_client_for, organization, other_organization
):
    shared = ClientFactory(
        organization=organization, shared=True, client_organization=other_organization
    )
    ClientFactory(organization=organization, shared=False, client_organization=other_organization)
    producer_api = api_client_for(other_organization, Role.VIEWER)

    clients = producer_api.get("/logins/clients").json()["clients"]

    assert [c["id"] for c in clients] == [shared.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=unknown", "status"),
        ("status=active,paused", "status"),
        ("country=XX", "country"),
        ("country=DE,ZZ", "country"),
        ("report_type=Plastics", "report_type"),
        ("pro=Nobody%20Recycles", "pro"),
        ("companyNameOnly=maybe", "companyNameOnly"),
        ("collective_account=perhaps", "collective_account"),
        ("limit=-1", "limit"),
        ("limit=abc", "limit"),
        ("offset=-5", "offset"),
        ("offset=1.5", "offset"),
    ],
)
def test_list_answers_400_naming_the_bad_parameter(staff_api, organization, query, field):
    response = staff_api.get(f"/logins/clients?{query}")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert isinstance(response.json()[field], list)


def test_unknown_status_error_names_the_valid_statuses(staff_api):
    response = staff_api.get("/logins/clients?status=paused")

    assert response.json() == {
        "status": ["Unknown status paused. Valid statuses: active, onboarding, inactive, archived."]
    }


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("status=50%25", "status", "Unknown status 50%."),
        ("country=%25s", "country", "Unknown country '%s'."),
        ("pro=%25d%25", "pro", "Unknown PRO '%d%'."),
        ("companyNameOnly=%25", "companyNameOnly", "Use true or false, not '%'."),
    ],
)
def test_a_percent_sign_in_a_filter_value_is_quoted_in_the_error(staff_api, query, field, message):
    response = staff_api.get(f"/logins/clients?{query}")

    assert response.status_code == 400
    assert response.json()[field][0].startswith(message)


def test_unknown_country_error_names_the_valid_countries(staff_api):
    message = staff_api.get("/logins/clients?country=XX").json()["country"][0]

    assert message.startswith("Unknown country 'XX'. Valid countries: AT, BE,")
    assert "DE" in message and "UK" in message


@pytest.mark.parametrize(
    ("query", "repeated"),
    [
        ("country=DE,FR", "country=DE&country=FR"),
        ("report_type=WEEE,Packaging", "report_type=WEEE&report_type=Packaging"),
        ("pro=Stiftung EAR,Citeo", "pro=Stiftung EAR&pro=Citeo"),
        ("status=active,archived", "status=active&status=archived"),
    ],
)
def test_a_repeated_list_filter_merges_its_values(staff_api, organization, query, repeated):
    de = ClientFactory(organization=organization, name="DE client", status="active")
    CredentialFactory(client=de, country=country("DE"), pro=pro("DE", "Stiftung EAR"))
    fr = ClientFactory(organization=organization, name="FR client", status="archived")
    ObligationFactory(
        client=fr,
        country=country("FR"),
        report_type=report_type("Packaging"),
        pro=pro("FR", "Citeo"),
    )
    ClientFactory(organization=organization, name="Nowhere", status="onboarding")

    merged = staff_api.get(f"/logins/clients?{repeated}").json()

    assert [row["name"] for row in merged["clients"]] == ["DE client", "FR client"]
    assert merged == staff_api.get(f"/logins/clients?{query}").json()


def test_an_unknown_value_in_a_repeated_filter_answers_400(staff_api):
    response = staff_api.get("/logins/clients?country=DE&country=XX")

    assert response.status_code == 400
    assert response.json()["country"][0].startswith("Unknown country 'XX'. Valid countries:")


@pytest.mark.parametrize("page_size", [5, 50])
def test_list_query_count_does_not_grow_with_the_page_size(
    staff_api, organization, django_assert_max_num_queries, page_size
):
    for _ in range(60):
        client = ClientFactory(organization=organization)
        AliasFactory(client=client, scope="*")
        AliasFactory(client=client, scope="DE")
        CredentialFactory(client=client)
        ObligationFactory(client=client, country=country("FR"))

    # The token with its member; the portfolio version, whether anything is shared with the
    # organization and the catalog's version (one query); then the ids of the matches, the
    # page; the page's portfolio summary (credential report types, obligations with whether
    # each is covered, credential counts and aliases, in one query).
    with django_assert_max_num_queries(5):
        response = staff_api.get(f"/logins/clients?limit={page_size}&search=Producer")

    assert len(response.json()["clients"]) == page_size


# Committed, so that the portfolio has a version (on PostgreSQL a transaction that changed it
# has none and answers without the cache).
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_catalog")
def test_repeated_list_question_reads_only_the_caller_the_version_and_the_page(
    staff_api, organization, django_assert_num_queries
):
    for _ in range(3):
        AliasFactory(client=ClientFactory(organization=organization))
    staff_api.get("/logins/clients?status=active")

    # The token with its member; the portfolio version, whether anything is shared and the
    # catalog's version (one query); the page and its portfolio summary with its aliases: the
    # count is remembered under the version.
    with django_assert_num_queries(4):
        response = staff_api.get("/logins/clients?status=active")

    assert len(response.json()["clients"]) == 3


# Committed, so that the portfolio has a version (on PostgreSQL a transaction that changed it
# has none and answers without the cache).
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_catalog")
def test_a_catalog_filter_reads_a_count_and_one_page_whatever_the_number_of_matches(
    staff_api, organization, django_assert_num_queries
):
    for number in range(30):
        client = ClientFactory(organization=organization, name=f"Client {number:02}")
        CredentialFactory(client=client, report_types=["WEEE"])

    # Another question first: this process then keeps the catalog (Catalog.current).
    staff_api.get("/logins/clients?country=FR")

    # The token with its member; the portfolio version, whether anything is shared and the
    # catalog's version (one query: the catalog itself is kept in memory); the count from the
    # coverage, the page (no list of every match); the page's portfolio summary with its
    # aliases.
    with django_assert_num_queries(5):
        response = staff_api.get("/logins/clients?country=DE&limit=5&offset=20")

    body = response.json()
    assert body["total"] == 30
    assert [row["name"] for row in body["clients"]] == [f"Client {n}" for n in range(20, 25)]


def test_list_items_summarize_each_clients_portfolio(staff_api, organization):
    client = ClientFactory(organization=organization, name="ABC Corporation")
    CredentialFactory(client=client, report_types=["WEEE", "Batteries"])
    CredentialFactory(
        client=client, country=country("NL"), pro=pro("NL", "Stichting OPEN"), report_types=["WEEE"]
    )
    ObligationFactory(client=client, country=country("DE"), report_type=report_type("WEEE"))
    ObligationFactory(client=client, country=country("FR"), report_type=report_type("Packaging"))
    ObligationFactory(
        client=client,
        country=country("FR"),
        report_type=report_type("Textiles"),
        pro=pro("FR", "Refashion"),
    )
    ClientFactory(organization=organization, name="Empty BV")

    items = staff_api.get("/logins/clients").json()["clients"]

    summaries = [
        (i["countries"], i["report_types"], i["credential_count"], i["missing_count"])
        for i in items
    ]
    assert summaries == [
        (["DE", "FR", "NL"], ["Batteries", "Packaging", "Textiles", "WEEE"], 2, 2),
        ([], [], 0, 0),
    ]
    search = staff_api.get(f"/logins/clients/{client.pk}/credentials/search?showMissing=true")
    assert [row["status"] for row in search.json()].count("missing") == 2


@pytest.mark.parametrize("page_size", [1, 10])
def test_list_summaries_cost_the_same_queries_for_1_and_10_items(
    staff_api, organization, django_assert_num_queries, page_size
):
    for number in range(10):
        client = ClientFactory(organization=organization, name=f"Client {number:02}")
        CredentialFactory(client=client)
        ObligationFactory(client=client, country=country("DE"), report_type=report_type("WEEE"))
        ObligationFactory(
            client=client,
            country=country("FR"),
            report_type=report_type("Textiles"),
            pro=pro("FR", "Refashion"),
        )

    # The token with its member; the portfolio version, whether anything is shared and the
    # catalog's version (one query); the count, the page; the portfolio summary (credential
    # report types, obligations with whether each is covered, credential counts, aliases) in
    # one query.
    with django_assert_num_queries(5):
        response = staff_api.get(f"/logins/clients?limit={page_size}")

    assert len(response.json()["clients"]) == page_size
    assert {item["missing_count"] for item in response.json()["clients"]} == {1}


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("name", ["alpha", "Beta", "gamma"]),
        ("-name", ["gamma", "Beta", "alpha"]),
        ("status", ["gamma", "alpha", "Beta"]),
        ("-status", ["Beta", "alpha", "gamma"]),
        ("created_at", ["Beta", "gamma", "alpha"]),
        ("-created_at", ["alpha", "gamma", "Beta"]),
        ("updated_at", ["gamma", "alpha", "Beta"]),
        ("-updated_at", ["Beta", "alpha", "gamma"]),
    ],
)
def test_the_list_follows_the_ordering_parameter(staff_api, organization, ordering, expected):
    beta = ClientFactory(organization=organization, name="Beta", status="onboarding")
    gamma = ClientFactory(organization=organization, name="gamma", status="active")
    alpha = ClientFactory(organization=organization, name="alpha", status="archived")
    for client, day in ((beta, 1), (gamma, 2), (alpha, 3)):
        Client.objects.filter(pk=client.pk).update(created_at=f"2024-01-0{day}T00:00:00Z")
    for client, day in ((gamma, 1), (alpha, 2), (beta, 3)):
        Client.objects.filter(pk=client.pk).update(updated_at=f"2024-02-0{day}T00:00:00Z")

    response = staff_api.get(f"/logins/clients?ordering={ordering}")

    assert [item["name"] for item in response.json()["clients"]] == expected


def test_an_unknown_ordering_answers_400_naming_the_valid_values(staff_api):
    response = staff_api.get("/logins/clients?ordering=colour")

    assert response.status_code == 400
    assert response.json() == {
        "ordering": [
            "Unknown ordering 'colour'. Valid values: name, -name, status, -status, created_at, "
            "-created_at, updated_at, -updated_at."
        ]
    }


def test_a_cached_list_answers_each_ordering_in_its_own_order(staff_api, organization):
    ClientFactory(organization=organization, name="Alpha")
    ClientFactory(organization=organization, name="Beta")
    search = "search=a&"

    ascending = staff_api.get(f"/logins/clients?{search}ordering=name").json()["clients"]
    descending = staff_api.get(f"/logins/clients?{search}ordering=-name").json()["clients"]

    assert [item["name"] for item in ascending] == ["Alpha", "Beta"]
    assert [item["name"] for item in descending] == ["Beta", "Alpha"]


def test_list_query_count_is_the_same_for_5_and_50_clients(staff_api, organization):
    for _ in range(50):
        client = ClientFactory(organization=organization)
        AliasFactory(client=client)

    def queries(limit: int) -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            staff_api.get(f"/logins/clients?limit={limit}&status=active")
        return len(captured)

    assert queries(5) == queries(50)


def test_create_answers_201_with_the_seed_shape(staff_api, organization):
    response = staff_api.post(
        "/logins/clients",
        {
            "client_name": "ABC Corporation",
            "status": "active",
            "shared": False,
            "aliases": {"UK": "ABC Corp", "DE": "ABC GmbH"},
            "notes": "Main client for WEEE compliance",
            "client_organization": None,
            "collective_account": False,
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert set(body) == CLIENT_KEYS | {"obligations"}
    client = Client.objects.get(organization=organization)
    assert body == {
        "id": client.pk,
        "name": "ABC Corporation",
        "status": "active",
        "shared": False,
        "aliases": {"DE": "ABC GmbH", "UK": "ABC Corp"},
        "notes": "Main client for WEEE compliance",
        "client_organization": None,
        "collective_account": False,
        "obligations": [],
    }


def test_create_accepts_name_instead_of_client_name_and_defaults_the_rest(staff_api):
    response = staff_api.post("/logins/clients", {"name": "Solo BV"}, format="json")

    assert response.status_code == 201
    assert response.json()["name"] == "Solo BV"
    assert response.json()["status"] == "active"
    assert response.json()["notes"] is None


def test_create_with_obligations(staff_api):
    response = staff_api.post(
        "/logins/clients",
        {
            "client_name": "Obliged GmbH",
            "shared": True,
            "obligations": [
                {"country": "de", "report_type": "weee", "pro": None},
                {"country": "FR", "report_type": "Packaging", "pro": "citeo"},
            ],
        },
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["client_organization"] is None
    assert response.json()["obligations"] == [
        {"country": "DE", "report_type": "WEEE", "pro": None},
        {"country": "FR", "report_type": "Packaging", "pro": "Citeo"},
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "client_name"),
        ({"client_name": ""}, "client_name"),
        ({"client_name": "x" * 10_000}, "client_name"),
        ({"name": "x" * 256}, "name"),
        ({"client_name": "A", "name": "B"}, "client_name"),
        ({"client_name": "Ok", "status": "paused"}, "status"),
        ({"client_name": "Ok", "aliases": {"XX": "Nope"}}, "aliases"),
        ({"client_name": "Ok", "aliases": {"DE": "x" * 10_000}}, "aliases"),
        ({"client_name": "Ok", "aliases": {"DE": ""}}, "aliases"),
        ({"client_name": "Ok", "aliases": ["not", "a", "map"]}, "aliases"),
        ({"client_name": "Ok", "client_organization": 999_999}, "client_organization"),
        (
            {"client_name": "Ok", "obligations": [{"country": "XX", "report_type": "WEEE"}]},
            "obligations",
        ),
        (
            {"client_name": "Ok", "obligations": [{"country": "DE", "report_type": "Nope"}]},
            "obligations",
        ),
        (
            {
                "client_name": "Ok",
                "obligations": [
                    {"country": "DE", "report_type": "Packaging", "pro": "Stiftung EAR"}
                ],
            },
            "obligations",
        ),
        (
            {"client_name": "Ok", "obligations": [{"country": "DE", "pro": "Stiftung EAR"}]},
            "obligations",
        ),
        ({"client_name": "Ok", "shared": "sometimes"}, "shared"),
    ],
)
def test_create_with_bad_input_answers_400_and_creates_nothing(staff_api, body, field):
    response = staff_api.post("/logins/clients", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Client.objects.exists()


def test_create_with_an_unknown_obligation_country_names_the_valid_ones(staff_api):
    response = staff_api.post(
        "/logins/clients",
        {"client_name": "Ok", "obligations": [{"country": "XX", "report_type": "WEEE"}]},
        format="json",
    )

    assert response.json()["obligations"][0].startswith(
        "Obligation 1: Unknown country 'XX'. Valid countries: AT,"
    )


def test_create_with_a_duplicate_name_in_any_case_answers_400(staff_api, abc):
    response = staff_api.post("/logins/clients", {"client_name": "abc CORPORATION"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"client_name": ["A client named 'abc CORPORATION' already exists."]}
    assert Client.objects.count() == 1


def test_a_duplicate_name_sent_as_name_is_reported_under_name(staff_api, abc):
    response = staff_api.post("/logins/clients", {"name": "ABC Corporation"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"name": ["A client named 'ABC Corporation' already exists."]}
    assert Client.objects.count() == 1


def test_a_create_without_a_name_asks_for_client_name(staff_api):
    response = staff_api.post("/logins/clients", {"status": "active"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"client_name": ["This field is required."]}
    assert not Client.objects.exists()


def test_a_blank_name_sent_as_name_is_reported_under_name(staff_api):
    response = staff_api.post("/logins/clients", {"name": "   "}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["name"]
    assert not Client.objects.exists()


def test_unknown_fields_in_a_create_answer_400_naming_them(staff_api):
    response = staff_api.post(
        "/logins/clients", {"client_name": "Ok", "colour": "red", "stauts": "x"}, format="json"
    )

    assert response.status_code == 400
    valid = (
        "Unknown field. Valid fields: client_name, name, status, shared, aliases, notes, "
        "client_organization, collective_account, obligations."
    )
    assert response.json() == {"colour": [valid], "stauts": [valid]}
    assert not Client.objects.exists()


def test_unknown_fields_in_an_obligation_answer_400_naming_them(staff_api):
    response = staff_api.post(
        "/logins/clients",
        {"client_name": "Ok", "obligations": [{"country": "DE", "report_typ": "WEEE"}]},
        format="json",
    )

    assert response.status_code == 400
    errors = response.json()["obligations"]["0"]
    assert errors == {"report_typ": ["Unknown field. Valid fields: country, report_type, pro."]}
    assert not Client.objects.exists()


def test_the_id_a_get_answered_may_be_sent_back_in_an_update(staff_api, abc):
    response = staff_api.put(
        f"/logins/clients/{abc.pk}", {"id": abc.pk, "notes": "checked"}, format="json"
    )

    assert response.status_code == 200
    abc.refresh_from_db()
    assert abc.notes == "checked"


def test_unknown_fields_in_an_update_answer_400_and_change_nothing(staff_api, abc):
    response = staff_api.put(
        f"/logins/clients/{abc.pk}", {"notes": "checked", "note": "typo"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["note"]
    abc.refresh_from_db()
    assert abc.notes == "Main client for WEEE compliance"


def test_the_same_name_is_fine_in_another_organization(other_org_api, abc):
    response = other_org_api.post(
        "/logins/clients", {"client_name": "ABC Corporation"}, format="json"
    )

    assert response.status_code == 201


def test_get_answers_the_seed_shape(staff_api, abc):
    ObligationFactory(client=abc, country=country("DE"))

    response = staff_api.get(f"/logins/clients/{abc.pk}")

    assert response.status_code == 200
    assert response.json() == {
        "id": abc.pk,
        "name": "ABC Corporation",
        "status": "active",
        "shared": False,
        "aliases": {"DE": "ABC GmbH", "UK": "ABC Corp"},
        "notes": "Main client for WEEE compliance",
        "client_organization": None,
        "collective_account": False,
        "obligations": [{"country": "DE", "report_type": "WEEE", "pro": None}],
    }


def test_get_with_a_trailing_slash_works_too(staff_api, abc):
    assert staff_api.get(f"/logins/clients/{abc.pk}/").status_code == 200
    assert staff_api.get("/logins/clients/").status_code == 200


def test_get_of_a_collective_account_client_works(staff_api, organization):
    collective = ClientFactory(organization=organization, collective_account=True)

    response = staff_api.get(f"/logins/clients/{collective.pk}")

    assert response.json()["collective_account"] is True


def test_put_changes_only_the_given_fields_as_in_the_seed(staff_api, abc):
    AliasFactory(client=abc, scope="*", name="ABC")

    response = staff_api.put(
        f"/logins/clients/{abc.pk}",
        {
            "status": "archived",
            "aliases": {"UK": "ABC Corp"},
            "notes": "Client no longer active as of 2024",
        },
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == {
        "id": abc.pk,
        "name": "ABC Corporation",
        "status": "archived",
        "shared": False,
        "aliases": {"UK": "ABC Corp"},
        "notes": "Client no longer active as of 2024",
        "client_organization": None,
        "collective_account": False,
        "obligations": [],
    }


def test_patch_changes_only_the_given_fields(staff_api, abc):
    response = staff_api.patch(f"/logins/clients/{abc.pk}", {"shared": True}, format="json")

    assert response.status_code == 200
    assert response.json()["shared"] is True
    assert response.json()["aliases"] == {"DE": "ABC GmbH", "UK": "ABC Corp"}
    assert response.json()["notes"] == "Main client for WEEE compliance"


def test_put_with_an_empty_body_changes_nothing(staff_api, abc):
    before = abc.history.count()

    response = staff_api.put(f"/logins/clients/{abc.pk}", {}, format="json")

    assert response.status_code == 200
    assert response.json()["name"] == "ABC Corporation"
    assert abc.history.count() == before


def test_put_with_obligations_replaces_them(staff_api, abc):
    ObligationFactory(client=abc, country=country("DE"))

    response = staff_api.put(
        f"/logins/clients/{abc.pk}",
        {"obligations": [{"country": "NL", "report_type": "WEEE", "pro": "Stichting OPEN"}]},
        format="json",
    )

    assert response.json()["obligations"] == [
        {"country": "NL", "report_type": "WEEE", "pro": "Stichting OPEN"}
    ]
    assert abc.obligations.get().pro == pro("NL", "Stichting OPEN")


def test_put_with_null_notes_clears_them(staff_api, abc):
    response = staff_api.put(f"/logins/clients/{abc.pk}", {"notes": None}, format="json")

    assert response.json()["notes"] is None
    abc.refresh_from_db()
    assert abc.notes == ""


def test_renaming_to_another_clients_name_answers_400(staff_api, abc, organization):
    other = ClientFactory(organization=organization, name="Other Ltd")

    response = staff_api.put(
        f"/logins/clients/{other.pk}", {"name": "ABC corporation"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"name": ["A client named 'ABC corporation' already exists."]}
    other.refresh_from_db()
    assert other.name == "Other Ltd"


def test_renaming_with_client_name_to_a_taken_name_is_reported_under_client_name(
    staff_api, abc, organization
):
    other = ClientFactory(organization=organization, name="Other Ltd")

    response = staff_api.patch(
        f"/logins/clients/{other.pk}", {"client_name": "abc corporation"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"client_name": ["A client named 'abc corporation' already exists."]}
    other.refresh_from_db()
    assert other.name == "Other Ltd"


def test_renaming_a_client_to_its_own_name_in_another_case_is_fine(staff_api, abc):
    response = staff_api.put(
        f"/logins/clients/{abc.pk}", {"client_name": "ABC CORPORATION"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["name"] == "ABC CORPORATION"


def test_update_with_bad_input_changes_nothing(staff_api, abc):
    response = staff_api.put(
        f"/logins/clients/{abc.pk}",
        {"status": "archived", "aliases": {"XX": "nope"}},
        format="json",
    )

    assert response.status_code == 400
    abc.refresh_from_db()
    assert abc.status == "active"
    assert abc.aliases.count() == 2


def test_update_with_a_10000_character_name_answers_400(staff_api, abc):
    response = staff_api.patch(f"/logins/clients/{abc.pk}", {"name": "n" * 10_000}, format="json")

    assert response.status_code == 400
    assert "name" in response.json()


def test_delete_removes_the_client_and_its_credentials(staff_api, abc):
    CredentialFactory(client=abc)

    response = staff_api.delete(f"/logins/clients/{abc.pk}")

    assert response.status_code == 200
    assert response.json() == {"message": "Client deleted successfully."}
    assert not Client.objects.filter(pk=abc.pk).exists()
    assert not abc.credentials.exists()


def test_delete_of_a_collective_client_that_others_link_to_answers_409(staff_api, organization):
    collective_client = ClientFactory(
        organization=organization, name="Collective Account - Stiftung EAR", collective_account=True
    )
    collective = CredentialFactory(client=collective_client)
    member = ClientFactory(organization=organization, name="Linked GmbH")
    linked = CredentialFactory(client=member, login="", password="", collective_account=collective)

    response = staff_api.delete(f"/logins/clients/{collective_client.pk}")

    assert response.status_code == 409
    assert response.json()["dependants"] == [str(linked)]
    assert str(linked) in response.json()["detail"]
    assert Client.objects.filter(pk=collective_client.pk).exists()
    assert collective_client.credentials.count() == 1


def test_history_records_the_api_user(staff_api, abc):
    staff_api.put(f"/logins/clients/{abc.pk}", {"status": "archived"}, format="json")
    staff_api.post("/logins/clients", {"client_name": "Fresh BV"}, format="json")

    assert abc.history.latest().history_user == staff_api.user
    assert abc.history.latest().status == "archived"
    fresh = Client.objects.get(name="Fresh BV")
    assert fresh.history.get().history_user == staff_api.user


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("post", {"client_name": "New"}),
        ("put", {"status": "archived"}),
        ("patch", {}),
        ("delete", None),
    ],
)
def test_viewer_cannot_write(viewer_api, abc, method, body):
    path = "/logins/clients" if method == "post" else f"/logins/clients/{abc.pk}"

    response = getattr(viewer_api, method)(path, body, format="json")

    assert response.status_code == 403
    abc.refresh_from_db()
    assert abc.status == "active"
    assert Client.objects.count() == 1


def test_viewer_can_read(viewer_api, abc):
    assert viewer_api.get("/logins/clients").status_code == 200
    assert viewer_api.get(f"/logins/clients/{abc.pk}").status_code == 200


def test_anonymous_requests_are_refused(anonymous_api, abc):
    assert anonymous_api.get("/logins/clients").status_code == 401
    assert anonymous_api.get(f"/logins/clients/{abc.pk}").status_code == 401


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_another_organizations_client_is_not_found(other_org_api, abc, method):
    response = getattr(other_org_api, method)(f"/logins/clients/{abc.pk}", {}, format="json")

    assert response.status_code == 404
    assert Client.objects.filter(pk=abc.pk, status="active").exists()


def test_a_shared_client_is_readable_but_not_writable_by_its_own_organization(
    api_client_for, organization
):
    producer = OrganizationFactory(name="ABC Corporation itself")
    client = ClientFactory(organization=organization, shared=True, client_organization=producer)
    producer_api = api_client_for(producer, Role.STAFF)

    read = producer_api.get(f"/logins/clients/{client.pk}")
    write = producer_api.patch(f"/logins/clients/{client.pk}", {"notes": "mine"}, format="json")
    delete = producer_api.delete(f"/logins/clients/{client.pk}")

    assert read.status_code == 200
    assert read.json()["shared"] is True
    assert write.status_code == 404
    assert delete.status_code == 404
    client.refresh_from_db()
    assert client.notes == ""


# Cached answers: a repeated question is answered from the cache until the portfolio changes.
# These tests commit their writes, as requests do: a transaction that has changed the portfolio
# and not committed yet computes its answers without the cache on PostgreSQL.

CACHED_QUESTIONS = {
    "search (ids cached)": "search=Acme",
    "country (ids cached)": "country=DE",
    "status (count cached)": "status=active",
    "deep page (count cached)": "offset=1000",
}


def list_queries(api, query: str) -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as captured:
        response = api.get(f"/logins/clients?{query}")
    assert response.status_code == 200
    return response.json(), len(captured)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_catalog")
@pytest.mark.parametrize("query", CACHED_QUESTIONS.values(), ids=CACHED_QUESTIONS.keys())
def test_a_repeated_list_question_is_answered_from_the_cache(staff_api, organization, query):
    CredentialFactory(client=ClientFactory(organization=organization, name="Acme GmbH"))

    first, first_queries = list_queries(staff_api, query)
    again, again_queries = list_queries(staff_api, query)

    assert again == first
    assert again_queries < first_queries


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_catalog")
@pytest.mark.parametrize("query", CACHED_QUESTIONS.values(), ids=CACHED_QUESTIONS.keys())
def test_the_list_counts_a_client_created_after_its_answer_was_cached(
    staff_api, organization, query
):
    CredentialFactory(client=ClientFactory(organization=organization, name="Acme GmbH"))
    before, _ = list_queries(staff_api, query)

    created = staff_api.post(
        "/logins/clients",
        {"client_name": "Acme Two", "obligations": [{"country": "DE", "report_type": "WEEE"}]},
        format="json",
    )

    after, _ = list_queries(staff_api, query)
    assert created.status_code == 201
    assert after["total"] == before["total"] + 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_catalog")
def test_the_list_finds_a_login_set_after_its_answer_was_cached(staff_api, organization):
    credential = CredentialFactory(client=ClientFactory(organization=organization))
    assert list_queries(staff_api, "search=fresh-login")[0]["total"] == 0

    response = staff_api.put(
        f"/logins/clients/{credential.client_id}/credentials/DE/{credential.pk}",
        {"login": "fresh-login@example.com"},
        format="json",
    )

    assert response.status_code == 200
    answer, _ = list_queries(staff_api, "search=fresh-login")
    assert [client["id"] for client in answer["clients"]] == [credential.client_id]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_catalog")
def test_the_list_leaves_out_a_client_deleted_after_its_ids_were_cached(staff_api, organization):
    kept, deleted = (ClientFactory(organization=organization, name=f"Acme {n}") for n in (1, 2))
    assert list_queries(staff_api, "search=Acme")[0]["total"] == 2

    assert staff_api.delete(f"/logins/clients/{deleted.pk}").status_code == 200

    answer, _ = list_queries(staff_api, "search=Acme")
    assert (answer["total"], [client["id"] for client in answer["clients"]]) == (1, [kept.pk])


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_catalog")
def test_an_organization_never_gets_another_organizations_cached_list(
    staff_api, other_org_api, organization, other_organization
):
    ClientFactory(organization=organization, name="Acme Ours")
    ClientFactory(organization=other_organization, name="Acme Theirs 1")
    ClientFactory(organization=other_organization, name="Acme Theirs 2")

    theirs, _ = list_queries(other_org_api, "search=Acme")
    ours, _ = list_queries(staff_api, "search=Acme")

    assert theirs["total"] == 2
    assert [client["name"] for client in ours["clients"]] == ["Acme Ours"]


# client_organization: only an organization that agreed to be the client (created by the agency
# for it, or accepted the agency's invitation for it); anything else is refused as an unknown id.


def test_another_agency_cannot_be_named_as_a_client_organization(
    staff_api, organization, other_organization
):
    ClientFactory(organization=other_organization)

    response = staff_api.post(
        "/logins/clients",
        {"client_name": "Spam", "shared": True, "client_organization": other_organization.pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "client_organization": [f'Invalid pk "{other_organization.pk}" - object does not exist.']
    }
    assert not Client.objects.filter(name="Spam").exists()


def test_a_producer_organization_another_agency_named_cannot_be_named_again(
    staff_api, organization, other_organization
):
    producer_organization = OrganizationFactory()
    ClientFactory(organization=other_organization, client_organization=producer_organization)
    mine = ClientFactory(organization=organization)

    response = staff_api.patch(
        f"/logins/clients/{mine.pk}",
        {"client_organization": producer_organization.pk, "shared": True},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"client_organization"}
    mine.refresh_from_db()
    assert mine.client_organization is None


def test_an_update_keeping_the_client_organization_is_accepted(staff_api, organization):
    producer_organization = OrganizationFactory()
    mine = ClientFactory(organization=organization, client_organization=producer_organization)

    response = staff_api.patch(
        f"/logins/clients/{mine.pk}",
        {"client_organization": producer_organization.pk, "notes": "kept"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["client_organization"] == producer_organization.pk


# Input limits: names 255 characters, notes 10,000.

OVER_THE_LIMIT = [
    ({"client_name": "x" * 256}, "client_name", 255),
    ({"name": "x" * 256}, "name", 255),
    ({"notes": "x" * 10_001}, "notes", 10_000),
    ({"aliases": {"DE": "x" * 256}}, "aliases", 255),
]


@pytest.mark.parametrize(("body", "field", "limit"), OVER_THE_LIMIT)
def test_create_over_a_limit_answers_400_naming_the_field_and_the_limit(
    staff_api, body, field, limit
):
    response = staff_api.post("/logins/clients", {"client_name": "Ok"} | body, format="json")

    assert response.status_code == 400
    assert str(limit) in str(response.json()[field])
    assert not Client.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize(("body", "field", "limit"), OVER_THE_LIMIT)
def test_update_over_a_limit_answers_400_and_changes_nothing(
    staff_api, abc, method, body, field, limit
):
    response = getattr(staff_api, method)(
        f"/logins/clients/{abc.pk}", body | {"status": "inactive"}, format="json"
    )

    assert response.status_code == 400
    assert str(limit) in str(response.json()[field])
    abc.refresh_from_db()
    assert (abc.name, abc.notes, abc.status) == (
        "ABC Corporation",
        "Main client for WEEE compliance",
        "active",
    )
    assert dict(abc.aliases.values_list("scope", "name")) == {"DE": "ABC GmbH", "UK": "ABC Corp"}


def test_create_at_the_limits_is_accepted(staff_api):
    body = {"client_name": "n" * 255, "notes": "x" * 10_000, "aliases": {"DE": "a" * 255}}

    response = staff_api.post("/logins/clients", body, format="json")

    assert response.status_code == 201
    client = Client.objects.get()
    assert (len(client.name), len(client.notes)) == (255, 10_000)
    assert client.aliases.get().name == "a" * 255


def test_update_at_the_notes_limit_is_accepted(staff_api, abc):
    response = staff_api.patch(f"/logins/clients/{abc.pk}", {"notes": "x" * 10_000}, format="json")

    assert response.status_code == 200
    abc.refresh_from_db()
    assert len(abc.notes) == 10_000


def test_an_existing_organization_is_refused_with_the_message_of_an_unknown_id(
    staff_api, organization
):
    mine = ClientFactory(organization=organization)
    existing = OrganizationFactory()
    unknown_pk = existing.pk + 1000

    refusals = [
        staff_api.patch(f"/logins/clients/{mine.pk}", {"client_organization": pk}, format="json")
        for pk in (existing.pk, unknown_pk)
    ]

    assert [r.status_code for r in refusals] == [400, 400]
    assert [r.json() for r in refusals] == [
        {"client_organization": [f'Invalid pk "{pk}" - object does not exist.']}
        for pk in (existing.pk, unknown_pk)
    ]
    mine.refresh_from_db()
    assert mine.client_organization is None


def test_a_new_client_cannot_name_a_client_organization(staff_api, organization):
    existing = OrganizationFactory()

    response = staff_api.post(
        "/logins/clients",
        {"client_name": "Pushed", "shared": True, "client_organization": existing.pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "client_organization": [f'Invalid pk "{existing.pk}" - object does not exist.']
    }
    assert not Client.objects.filter(name="Pushed").exists()


def test_the_organization_the_agency_created_for_the_client_can_be_named_again(
    staff_api, organization
):
    mine = ClientFactory(organization=organization)
    created = client_organization_create(client=mine, name="Mine SAS")
    staff_api.patch(f"/logins/clients/{mine.pk}", {"client_organization": None}, format="json")

    response = staff_api.patch(
        f"/logins/clients/{mine.pk}",
        {"client_organization": created.pk, "shared": True},
        format="json",
    )

    assert response.status_code == 200
    mine.refresh_from_db()
    assert mine.client_organization == created


def test_an_organization_that_accepted_the_invitation_can_be_named(
    staff_api, organization, other_organization
):
    mine = ClientFactory(organization=organization)
    _, token = client_organization_invite(client=mine)
    their_admin = MembershipFactory(organization=other_organization, role=Role.ADMIN).user
    client_organization_invitation_accept(token=token, user=their_admin)
    staff_api.patch(f"/logins/clients/{mine.pk}", {"client_organization": None}, format="json")

    response = staff_api.patch(
        f"/logins/clients/{mine.pk}", {"client_organization": other_organization.pk}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["client_organization"] == other_organization.pk


def test_an_organization_with_a_pending_invitation_cannot_be_named(
    staff_api, organization, other_organization
):
    mine = ClientFactory(organization=organization)
    client_organization_invite(client=mine)

    response = staff_api.patch(
        f"/logins/clients/{mine.pk}", {"client_organization": other_organization.pk}, format="json"
    )

    assert response.status_code == 400
    mine.refresh_from_db()
    assert mine.client_organization is None


def test_a_consent_given_for_another_agencys_client_cannot_be_used(
    staff_api, organization, other_organization
):
    theirs = ClientFactory(organization=other_organization)
    created = client_organization_create(client=theirs, name="Theirs SAS")
    mine = ClientFactory(organization=organization)

    response = staff_api.patch(
        f"/logins/clients/{mine.pk}", {"client_organization": created.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "client_organization": [f'Invalid pk "{created.pk}" - object does not exist.']
    }


@pytest.mark.parametrize(
    ("search", "found"),
    [("lumiere", "Lumière Emballages"), ("ŁÓDŹ", "Łódź Recykling"), ("muller", "Müller AG")],
)
def test_list_search_ignores_accents_and_case(staff_api, organization, search, found):
    for name in ("Lumière Emballages", "Łódź Recykling", "Müller AG"):
        ClientFactory(organization=organization, name=name)

    response = staff_api.get("/logins/clients", {"search": search, "companyNameOnly": "true"})

    assert [c["name"] for c in response.json()["clients"]] == [found]
