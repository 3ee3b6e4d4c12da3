"""Tenancy as queryset methods: every organization-owned model answers `objects.of(org)`."""

import pytest
from django.apps import apps

from clients.models import Client, Organization
from credentials.models import Credential
from tests.factories import (
    AliasFactory,
    ClientFactory,
    CredentialFactory,
    ObligationFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("clients", "credentials", "registrations", "reporting")
# Tables the database keeps from the owned rows (triggers): read through the rows they describe.
DERIVED = {
    "ClientCoverage",
    "ClientSearchText",
    "ClientStatFacet",
    "PortfolioStat",
    "PortfolioStatDelta",
}


def _owned_models():
    """Models with a foreign key to Organization, or to a model that has one, (transitively),
    simple-history's copies and the derived tables left out."""
    models = [
        model
        for app in PROJECT_APPS
        for model in apps.get_app_config(app).get_models()
        if not model._meta.object_name.startswith("Historical")
        and model._meta.object_name not in DERIVED
        and model is not Organization
    ]
    owned = {Organization}
    changed = True
    while changed:
        changed = False
        for model in models:
            if model in owned:
                continue
            targets = {
                field.related_model
                for field in model._meta.get_fields()
                if field.many_to_one and field.concrete
            }
            if targets & owned:
                owned.add(model)
                changed = True
    return sorted(owned - {Organization}, key=lambda model: model._meta.label)


@pytest.mark.parametrize("model", _owned_models(), ids=lambda model: model._meta.label)
def test_every_organization_owned_model_narrows_to_one_organization(model):
    organization = OrganizationFactory()

    rows = model.objects.of(organization)

    assert not rows.exists()
    assert "organization" in str(rows.query).lower()


def test_of_finds_only_the_organizations_rows():
    mine, theirs = OrganizationFactory(), OrganizationFactory()
    client = ClientFactory(organization=mine)
    CredentialFactory(client=client)
    AliasFactory(client=client)
    ObligationFactory(client=client)
    CredentialFactory(client=ClientFactory(organization=theirs))

    assert list(Client.objects.of(mine)) == [client]
    assert list(Credential.objects.of(mine).values_list("client", flat=True)) == [client.pk]
    assert client.aliases.model.objects.of(theirs).count() == 0
    assert client.obligations.model.objects.of(mine).count() == 1


def test_a_shared_client_is_readable_by_its_own_organization_but_not_owned_by_it():
    agency, itself = OrganizationFactory(), OrganizationFactory()
    shared = ClientFactory(organization=agency, shared=True, client_organization=itself)

    assert list(Client.objects.readable_by(itself)) == [shared]
    assert not Client.objects.of(itself).exists()
