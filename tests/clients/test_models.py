"""Invariants of clients, aliases and obligations."""

import pytest
from django.db import IntegrityError

from clients.models import Alias, Client, Obligation
from tests.factories import ClientFactory, country, pro, report_type

pytestmark = pytest.mark.django_db


def test_client_names_are_unique_per_organization_ignoring_case(organization, other_organization):
    ClientFactory(organization=organization, name="ABC Corporation")
    ClientFactory(organization=other_organization, name="ABC Corporation")

    with pytest.raises(IntegrityError):
        ClientFactory(organization=organization, name="abc corporation")


def test_a_client_has_one_alias_per_scope(organization):
    client = ClientFactory(organization=organization)
    Alias.objects.create(client=client, scope="DE", name="One")

    with pytest.raises(IntegrityError):
        Alias.objects.create(client=client, scope="DE", name="Two")


def test_obligations_are_unique_with_and_without_a_pro(organization):
    client = ClientFactory(organization=organization)
    fields = {"client": client, "country": country("DE"), "report_type": report_type("WEEE")}
    Obligation.objects.create(**fields)
    Obligation.objects.create(**fields, pro=pro("DE", "Stiftung EAR"))

    with pytest.raises(IntegrityError):
        Obligation.objects.create(**fields)


def test_obligations_with_the_same_pro_are_unique(organization):
    client = ClientFactory(organization=organization)
    fields = {
        "client": client,
        "country": country("DE"),
        "report_type": report_type("WEEE"),
        "pro": pro("DE", "Stiftung EAR"),
    }
    Obligation.objects.create(**fields)

    with pytest.raises(IntegrityError):
        Obligation.objects.create(**fields)


def test_history_is_kept_for_clients_aliases_and_obligations(organization):
    client = ClientFactory(organization=organization)
    alias = Alias.objects.create(client=client, scope="*", name="ABC")
    obligation = Obligation.objects.create(
        client=client, country=country("DE"), report_type=report_type("WEEE")
    )

    client_pk = client.pk

    client.delete()

    assert [h.history_type for h in Client.history.filter(id=client_pk)] == ["-", "+"]
    assert [h.history_type for h in Alias.history.filter(id=alias.pk)] == ["-", "+"]
    assert [h.history_type for h in Obligation.history.filter(id=obligation.pk)] == ["-", "+"]
