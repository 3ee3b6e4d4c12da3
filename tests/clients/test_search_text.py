"""The search text PostgreSQL keeps for the client list's search (clients/search_text.py): every
write path keeps it equal to its rows, the list finds through it what the source columns would
find, and `portfolio_check` finds and repairs drift."""

import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from clients.filtersets import ORDERINGS
from clients.models import Alias, Client, ClientSearchText
from clients.search_text import SEPARATOR, search_text_drift, search_text_rebuild
from clients.selectors import (
    ClientMatches,
    client_list,
    clients_covering,
    clients_matching,
    listing,
)
from clients.selectors.listing import ClientQuestion, search_text_ids
from credentials.models import Credential
from tests.factories import (
    AliasFactory,
    ClientFactory,
    CredentialFactory,
    ObligationFactory,
    OrganizationFactory,
    country,
    pro,
    report_type,
)

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]


def text_of(client) -> str:
    return ClientSearchText.objects.get(client=client).text


def collective_with_linked(organization):
    """A collective account's credential and a client's credential linked to it."""
    collective = ClientFactory(organization=organization, collective_account=True)
    account = CredentialFactory(client=collective, login="pool@agency.example")
    member = ClientFactory(organization=organization, name="Member GmbH")
    CredentialFactory(client=member, login="", collective_account=account)
    return account, member


WRITES = {
    "client created": lambda client: ClientFactory(organization=client.organization),
    "client renamed": lambda client: Client.objects.filter(pk=client.pk).update(name="Ørsted A/S"),
    "notes changed": lambda client: Client.objects.filter(pk=client.pk).update(notes="Käse"),
    "status changed": lambda client: Client.objects.filter(pk=client.pk).update(status="archived"),
    "made a collective account": lambda client: Client.objects.filter(pk=client.pk).update(
        collective_account=True
    ),
    "moved to another organization": lambda client: Client.objects.filter(pk=client.pk).update(
        organization=OrganizationFactory()
    ),
    "client deleted": lambda client: client.delete(),
    "alias added": lambda client: AliasFactory(client=client, scope="FR", name="Société Générale"),
    "aliases renamed": lambda client: Alias.objects.filter(client=client).update(name="Ünal"),
    "aliases deleted": lambda client: Alias.objects.filter(client=client).delete(),
    "alias moved to another client": lambda client: Alias.objects.filter(client=client).update(
        client=ClientFactory(organization=client.organization)
    ),
    "credential created": lambda client: CredentialFactory(
        client=client, country=country("FR"), pro=pro("FR", "Citeo"), login="new@x.example"
    ),
    "login changed": lambda client: Credential.objects.filter(client=client).update(
        login="changed@x.example"
    ),
    "registration number changed": lambda client: Credential.objects.filter(client=client).update(
        registration_number="DE-NEU-1"
    ),
    "credential moved to another client": lambda client: Credential.objects.filter(
        client=client
    ).update(client=ClientFactory(organization=client.organization)),
    "credential deleted": lambda client: Credential.objects.filter(client=client).delete(),
    "collective account's login changed": lambda client: Credential.objects.filter(
        client__organization=client.organization, client__collective_account=True
    ).update(login="renamed-pool@agency.example"),
    "credential linked": lambda client: Credential.objects.filter(client=client).update(
        collective_account=Credential.objects.get(
            client__organization=client.organization, client__collective_account=True
        )
    ),
    "credential unlinked": lambda client: Credential.objects.filter(
        collective_account__isnull=False
    ).update(collective_account=None),
    "raw SQL update": lambda client: connection.cursor().execute(
        "UPDATE credentials_credential SET login = 'raw@x.example' WHERE client_id = %s",
        [client.pk],
    ),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_write_keeps_the_search_text_equal_to_its_rows(write):
    organization = OrganizationFactory()
    client = ClientFactory(organization=organization, name="Lumière SA", notes="Weekly call")
    AliasFactory(client=client, name="Lumiere Group")
    CredentialFactory(client=client, login="ops@lumiere.example", registration_number="DE123")
    collective_with_linked(organization)

    write(client)

    assert search_text_drift() == []


def test_the_text_holds_every_searched_value_folded():
    organization = OrganizationFactory()
    account, member = collective_with_linked(organization)
    client = ClientFactory(organization=organization, name="Łódź Öko", notes="Ärger")
    AliasFactory(client=client, name="LODZ ECO")
    CredentialFactory(client=client, login="Ops@Lodz.example", registration_number="PL-9")

    assert text_of(client).split(SEPARATOR) == [
        "lodz oko",
        "arger",
        "lodz eco",
        "ops@lodz.example",
        "pl-9",
    ]
    # A linked credential has no login of its own: its collective account's is searched.
    assert account.login in text_of(member).split(SEPARATOR)


def test_a_linked_clients_text_follows_its_collective_accounts_login():
    account, member = collective_with_linked(OrganizationFactory())

    Credential.objects.filter(pk=account.pk).update(login="new-pool@agency.example")

    assert "new-pool@agency.example" in text_of(member)
    assert "pool@agency.example" not in text_of(member).split(SEPARATOR)


def test_a_password_change_leaves_the_text_alone():
    credential = CredentialFactory(login="ops@x.example")
    before = ClientSearchText.objects.get(client=credential.client_id)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT xmin::text FROM clients_clientsearchtext WHERE client_id = %s",
            [credential.client_id],
        )
        version = cursor.fetchone()[0]

    Credential.objects.filter(pk=credential.pk).update(notes="rotated")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT xmin::text FROM clients_clientsearchtext WHERE client_id = %s",
            [credential.client_id],
        )
        assert cursor.fetchone()[0] == version
    assert ClientSearchText.objects.get(client=credential.client_id).text == before.text


SEARCHES = [
    "lumi",
    "LUMIÈRE",
    "weekly",
    "group",
    "ops@",
    "de12",
    "pool@",
    "gmbh",
    "100%",
    "%",
    "_",
    "a_b",
    "c:\\",
    "nothing",
]


def from_the_source_columns(monkeypatch):
    """Let clients_matching compare the source columns one by one, as on SQLite."""
    monkeypatch.setattr(listing, "_search_text_answers", lambda text, using: False)


@pytest.mark.parametrize("term", SEARCHES)
def test_the_search_text_finds_what_the_source_columns_find(term, monkeypatch):
    organization = OrganizationFactory()
    client = ClientFactory(organization=organization, name="Lumière SA", notes="Weekly call")
    AliasFactory(client=client, name="Lumiere Group")
    CredentialFactory(client=client, login="ops@lumiere.example", registration_number="DE123")
    collective_with_linked(organization)
    ClientFactory(organization=organization, name="Other GmbH")
    ClientFactory(organization=organization, name="100% Recycling", notes="a_b")
    ClientFactory(organization=organization, name="100 Percent", notes="axb c:\\temp")
    clients = Client.objects.filter(organization=organization)

    found = set(clients_matching(clients, text=term).values_list("name", flat=True))
    from_the_source_columns(monkeypatch)
    from_sources = set(clients_matching(clients, text=term).values_list("name", flat=True))

    assert found == from_sources
    assert bool(found) is (term != "nothing")
    if term in {"100%", "%", "_", "a_b"}:
        # LIKE's wildcards are searched as themselves.
        assert found == {"100% Recycling"}


def test_a_search_never_spans_two_values():
    organization = OrganizationFactory()
    ClientFactory(organization=organization, name="Alpha", notes="Beta")
    clients = Client.objects.filter(organization=organization)

    assert clients_matching(clients, text="alpha").exists()
    assert clients_matching(clients, text="beta").exists()
    # "alphabeta" would hold it.
    assert not clients_matching(clients, text="ab").exists()


def question(**asked) -> ClientQuestion:
    return ClientQuestion(
        **{
            "search": "",
            "company_name_only": False,
            "countries": (),
            "report_types": (),
            "pros": (),
            "statuses": (),
            "collective_account": False,
            "ordering": "name",
            **asked,
        }
    )


@pytest.mark.parametrize("ordering", ["name", "-name"])
def test_a_search_alone_is_answered_from_the_search_text_in_list_order(ordering, monkeypatch):
    organization = OrganizationFactory()
    for name in ["beta lumi", "Alpha Lumi", "gamma", "alpha lumi 2", "Delta"]:
        ClientFactory(organization=organization, name=name)
    AliasFactory(client=Client.objects.get(name="Delta"), name="Lumi Delta")
    ClientFactory(name="Lumi elsewhere")
    asked = question(search="lumi", ordering=ordering)
    clients = client_list(organization=organization, version=None).order_by(*ORDERINGS[ordering])

    ids = search_text_ids(organization, asked)
    from_the_source_columns(monkeypatch)

    expected = list(clients_matching(clients, text="lumi").values_list("pk", flat=True))
    names = [Client.objects.get(pk=pk).name for pk in ids]
    assert ids == expected, names
    assert len(ids) == 4


@pytest.mark.parametrize(
    "asked",
    [
        {"statuses": ("active",)},
        {"statuses": ("active", "archived"), "ordering": "-status"},
        {"countries": "DE"},
        {"countries": "DE", "report_types": "Packaging", "statuses": ("active",)},
        {"pros": "Landbell"},
        {"collective_account": True},
        {"ordering": "status"},
    ],
    ids=str,
)
def test_a_search_with_filters_is_answered_from_the_search_text_as_the_clients_answer(
    asked, monkeypatch
):
    organization = OrganizationFactory()
    packaging = ClientFactory(organization=organization, name="Lumi Packaging")
    CredentialFactory(
        client=packaging, report_types=["Packaging"], pro=pro("DE", "Landbell"), login="a@x"
    )
    weee = ClientFactory(organization=organization, name="lumi weee", status="archived")
    CredentialFactory(client=weee, report_types=["WEEE"], login="b@x")
    ObligationFactory(
        client=ClientFactory(organization=organization, name="Lumi FR"), country=country("FR")
    )
    ClientFactory(organization=organization, name="Lumi plain", status="onboarding")
    collective = ClientFactory(organization=organization, name="Lumi pool", collective_account=True)
    CredentialFactory(client=collective, report_types=["Packaging"], login="pool@x")
    catalog = {
        "countries": lambda code: (country(code).pk,),
        "report_types": lambda code: (report_type(code).pk,),
        "pros": lambda name: (pro("DE", name).pk,),
    }
    asked = {
        name: catalog[name](value) if name in catalog else value for name, value in asked.items()
    }
    filters = question(search="lumi", **asked)
    clients = clients_covering(
        client_list(organization=organization, version=None).filter(
            collective_account=filters.collective_account
        ),
        countries=filters.countries,
        report_types=filters.report_types,
        pros=filters.pros,
    )
    if filters.statuses:
        clients = clients.filter(status__in=filters.statuses)
    clients = clients.order_by(*ORDERINGS[filters.ordering])

    ids = search_text_ids(organization, filters)
    from_the_source_columns(monkeypatch)

    assert ids == list(clients_matching(clients, text="lumi").values_list("pk", flat=True))
    assert ids


@pytest.mark.parametrize(
    "asked",
    [
        {"search": ""},
        {"search": "lumi", "company_name_only": True},
        {"search": "lumi", "ordering": "created_at"},
        {"search": f"lu{SEPARATOR}mi"},
    ],
)
def test_other_questions_are_not_answered_from_the_search_text(asked):
    assert search_text_ids(OrganizationFactory(), question(**asked)) is None


def test_the_list_reads_a_search_from_the_search_text():
    organization = OrganizationFactory()
    client = ClientFactory(organization=organization, name="Lumière SA")
    ClientSearchText.objects.filter(client=client).update(text="altered")
    matches = ClientMatches(
        organization=organization,
        version=None,
        clients=client_list(organization=organization, version=None),
        question=question(search="altered"),
        shares_received=False,
    )

    assert matches.ids == [client.pk]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_catalog")
def test_portfolio_check_reports_a_wrong_search_text_and_repairs_it():
    client = ClientFactory(name="Lumière SA")
    ClientSearchText.objects.filter(client=client).update(text="wrong")
    ClientSearchText.objects.filter(client=ClientFactory()).delete()
    out = io.StringIO()

    with pytest.raises(CommandError, match="2 difference"):
        call_command("portfolio_check", stdout=out)
    assert f"search text of client {client.pk} differs" in out.getvalue()
    call_command("portfolio_check", "--repair", stdout=io.StringIO())

    assert search_text_drift() == []
    assert text_of(client) == "lumiere sa"


def test_the_bulk_upload_keeps_the_search_text(staff_api, organization):
    rows = [
        ["name", "country", "report_type", "pro", "login"],
        *[[f"Client {n}", "DE", "WEEE", "Stiftung EAR", f"login-{n}@x.example"] for n in range(5)],
    ]

    response = staff_api.post(
        "/logins/clients/bulk-upload",
        {"csvData": rows, "mapping": rows[0], "fileId": "f"},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert search_text_drift() == []
    found = clients_matching(Client.objects.filter(organization=organization), text="login-3@")
    assert list(found.values_list("name", flat=True)) == ["Client 3"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_catalog")
def test_concurrent_writers_of_one_client_both_reach_its_text():
    client = ClientFactory(name="Shared")
    start = threading.Barrier(2)
    errors = []

    def add_alias(scope, name):
        try:
            start.wait(30)
            with transaction.atomic():
                AliasFactory(client=client, scope=scope, name=name)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=add_alias, args=alias) for alias in (("DE", "One"), ("FR", "Two"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    assert sorted(text_of(client).split(SEPARATOR)[1:]) == ["one", "two"]
    assert search_text_drift() == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_catalog")
def test_a_writer_waits_for_a_rebuild_and_then_rewrites_its_client():
    client = ClientFactory(name="Shared")
    rebuilt, release = threading.Event(), threading.Event()
    errors = []

    def rebuild():
        try:
            with transaction.atomic():
                search_text_rebuild(organization_ids=[client.organization_id])
                rebuilt.set()
                assert release.wait(30)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def write():
        try:
            AliasFactory(client=client, name="Written")
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    rebuilding = threading.Thread(target=rebuild)
    rebuilding.start()
    assert rebuilt.wait(30)
    writing = threading.Thread(target=write)
    writing.start()
    writing.join(1)
    waited = writing.is_alive()
    release.set()
    rebuilding.join(30)
    writing.join(30)

    assert errors == []
    assert waited
    assert text_of(client).split(SEPARATOR) == ["shared", "written"]
    assert search_text_drift() == []
