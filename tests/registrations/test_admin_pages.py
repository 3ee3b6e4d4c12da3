"""What the registrations admin pages show: the producer's client as an autocomplete scoped
to the member's organization, and a registration's totals of its declarations."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.admin.widgets import AutocompleteSelect
from django.urls import reverse

from clients.models import Role
from tests.factories import (
    ClientFactory,
    DeclarationFactory,
    MembershipFactory,
    ProducerFactory,
    RegistrationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, organization):
    client.force_login(MembershipFactory(organization=organization, role=Role.STAFF).user)
    return client


def autocomplete(staff, term=""):
    return staff.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "registrations",
            "model_name": "producer",
            "field_name": "client",
            "term": term,
        },
    )


def readonly_contents(response) -> dict[str, str]:
    return {
        field.field["name"]: field.contents()
        for fieldset in response.context["adminform"]
        for line in fieldset
        for field in line
        if field.is_readonly
    }


def test_the_producer_client_field_is_an_autocomplete(staff):
    response = staff.get(reverse("admin:registrations_producer_add"))

    widget = response.context["adminform"].form.fields["client"].widget.widget
    assert isinstance(widget, AutocompleteSelect)


def test_the_client_autocomplete_finds_clients_by_name_and_alias(staff, organization):
    acme = ClientFactory(organization=organization, name="ABC Corporation")
    ClientFactory(organization=organization, name="Beta BV")

    response = autocomplete(staff, "ABC")

    assert [row["id"] for row in response.json()["results"]] == [str(acme.pk)]


def test_the_client_autocomplete_lists_only_the_members_organizations_clients(
    staff, organization, other_organization
):
    ClientFactory(organization=organization, name="Acme Mine")
    ClientFactory(organization=other_organization, name="Acme Theirs")

    response = autocomplete(staff, "Acme")

    assert [row["text"] for row in response.json()["results"]] == ["Acme Mine"]


def test_a_registration_page_shows_the_totals_of_its_declarations(staff, organization):
    registration = RegistrationFactory(producer=ProducerFactory(organization=organization))
    paid = datetime.datetime(2024, 3, 5, 10, 0, tzinfo=datetime.UTC)
    DeclarationFactory(
        registration=registration,
        period="2023",
        product_count=3,
        quantity=100,
        amount=Decimal("12.50"),
        paid_at=paid,
    )
    DeclarationFactory(
        registration=registration,
        period="2024",
        product_count=2,
        quantity=50,
        amount=Decimal("7.50"),
        paid_at=None,
    )

    response = staff.get(reverse("admin:registrations_registration_change", args=[registration.pk]))

    shown = readonly_contents(response)
    assert (
        shown["product_count"],
        shown["total_quantity"],
        shown["total_amount"],
        shown["paid_at"],
    ) == ("5", "150", "20.00", "March 5, 2024, 10 a.m.")


def test_a_registration_without_declarations_shows_no_totals(staff, organization):
    registration = RegistrationFactory(producer=ProducerFactory(organization=organization))

    response = staff.get(reverse("admin:registrations_registration_change", args=[registration.pk]))

    shown = readonly_contents(response)
    totals = ("product_count", "total_quantity", "total_amount", "paid_at")
    assert [shown[name] for name in totals] == ["—"] * 4


def test_the_registration_list_shows_the_amount_and_the_paid_date(staff, organization):
    registration = RegistrationFactory(producer=ProducerFactory(organization=organization))
    DeclarationFactory(registration=registration, amount=Decimal("42.00"))

    response = staff.get(reverse("admin:registrations_registration_changelist"))

    assert response.context["cl"].result_list[0].total_amount_scheme == Decimal("42.00")
    assert "42.00" in response.content.decode()
