import pytest
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clients.models import Role
from registrations.models import Producer
from reporting.models import Scheme
from tests.factories import (
    DeclarationFactory,
    FrontendUserFactory,
    MembershipFactory,
    ProducerFactory,
    RegistrationFactory,
    SellerFactory,
    SellerStripeConfigFactory,
)

MODELS = ["seller", "sellerschemeprostripeconfig", "frontenduser", "producer", "registration"]
ALL_MODELS = [*MODELS, "declaration"]


@pytest.fixture
def member_browser(client):
    def login(organization, role=Role.STAFF):
        membership = MembershipFactory(organization=organization, role=role)
        client.force_login(membership.user)
        return client

    return login


@pytest.fixture
def superuser_browser(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.com", "pw"))
    return client


def rows_of(organization, marker: str) -> dict:
    """One row of every registrations model for `organization`, named with `marker`."""
    seller = SellerFactory(organization=organization, company_name=f"{marker} seller")
    user = FrontendUserFactory(organization=organization, bubble_id=f"{marker}-user")
    producer = ProducerFactory(
        organization=organization, company_name=f"{marker} producer", seller=seller, users=[user]
    )
    registration = RegistrationFactory(producer=producer, bubble_id=f"{marker}-registration")
    return {
        "seller": seller,
        "sellerschemeprostripeconfig": SellerStripeConfigFactory(
            seller=seller, deposit_price_id=f"{marker}-price"
        ),
        "frontenduser": user,
        "producer": producer,
        "registration": registration,
        "declaration": DeclarationFactory(registration=registration, period=f"{marker}-2023"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("model", ALL_MODELS)
def test_the_admin_lists_and_searches_every_model(superuser_browser, organization, model):
    rows_of(organization, "ours")
    url = reverse(f"admin:registrations_{model}_changelist")

    assert superuser_browser.get(url).status_code == 200
    assert superuser_browser.get(url, {"q": "ours"}).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "filters"),
    [
        ("registration", {"is_external_registration__exact": "0", "status": "1 - Draft"}),
        ("registration", {"scheme__report_type__id__exact": "1"}),
        ("producer", {"seller__id__exact": "00000000-0000-0000-0000-000000000000"}),
        ("sellerschemeprostripeconfig", {"scheme__report_type__id__exact": "1"}),
        ("declaration", {"period": "2023"}),
    ],
)
def test_the_admin_filters(superuser_browser, organization, model, filters):
    rows_of(organization, "ours")

    response = superuser_browser.get(reverse(f"admin:registrations_{model}_changelist"), filters)

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", ALL_MODELS)
def test_a_member_sees_only_the_rows_of_their_organization(
    member_browser, organization, other_organization, model
):
    rows_of(organization, "ours")
    rows_of(other_organization, "theirs")

    page = member_browser(organization).get(reverse(f"admin:registrations_{model}_changelist"))

    assert page.status_code == 200
    assert "ours" in page.content.decode()
    assert "theirs" not in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("model", ALL_MODELS)
def test_another_organizations_row_is_not_found_in_the_admin(
    member_browser, organization, other_organization, model
):
    theirs = rows_of(other_organization, "theirs")[model]

    response = member_browser(organization).get(
        reverse(f"admin:registrations_{model}_change", args=[theirs.pk]), follow=True
    )

    assert "doesn’t exist" in response.content.decode()


@pytest.mark.django_db
def test_a_member_picks_only_their_organizations_sellers_and_users(
    member_browser, organization, other_organization
):
    rows_of(organization, "ours")
    rows_of(other_organization, "theirs")

    response = member_browser(organization).get(reverse("admin:registrations_producer_add"))

    form = response.context["adminform"].form
    assert [str(s) for s in form.fields["seller"].queryset] == ["ours seller"]
    assert [u.bubble_id for u in form.fields["users"].queryset] == ["ours-user"]
    assert list(form.fields["organization"].queryset) == [organization]
    assert form.fields["organization"].disabled


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["registration", "sellerschemeprostripeconfig"])
def test_a_member_picks_a_scheme_from_the_whole_catalog(member_browser, organization, model):
    response = member_browser(organization).get(reverse(f"admin:registrations_{model}_add"))

    scheme_field = response.context["adminform"].form.fields["scheme"]
    assert scheme_field.queryset.count() == Scheme.objects.count()
    assert not isinstance(scheme_field.widget.widget, AutocompleteSelect)


@pytest.mark.django_db
def test_a_member_adds_a_producer_to_their_organization(member_browser, organization):
    seller = SellerFactory(organization=organization)

    response = member_browser(organization).post(
        reverse("admin:registrations_producer_add"),
        {"nrn": "12345678900011", "company_name": "New SAS", "seller": seller.pk},
    )

    assert response.status_code == 302
    assert Producer.objects.get(nrn="12345678900011").organization == organization


@pytest.mark.django_db
def test_a_member_cannot_link_another_organizations_seller(
    member_browser, organization, other_organization
):
    theirs = SellerFactory(organization=other_organization)

    response = member_browser(organization).post(
        reverse("admin:registrations_producer_add"),
        {"nrn": "12345678900011", "company_name": "New SAS", "seller": theirs.pk},
    )

    assert response.status_code == 200
    assert "seller" in response.context["adminform"].form.errors
    assert not Producer.objects.filter(nrn="12345678900011").exists()


@pytest.mark.django_db
def test_a_duplicate_nrn_is_a_form_error(member_browser, organization):
    ProducerFactory(organization=organization, nrn="12345678900011")

    response = member_browser(organization).post(
        reverse("admin:registrations_producer_add"),
        {"nrn": "12345678900011", "company_name": "Twin SAS"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors


@pytest.mark.django_db
def test_a_duplicate_registration_bubble_id_is_a_form_error(
    member_browser, organization, refashion, citeo
):
    producer = ProducerFactory(organization=organization)
    RegistrationFactory(producer=producer, scheme=refashion, bubble_id="1711x1")

    response = member_browser(organization).post(
        reverse("admin:registrations_registration_add"),
        {
            "producer": producer.pk,
            "scheme": citeo.pk,
            "bubble_id": "1711x1",
            "declarations-TOTAL_FORMS": "0",
            "declarations-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "already exists" in str(response.context["adminform"].form.errors)


@pytest.mark.django_db
def test_a_viewer_may_look_but_not_change(member_browser, organization):
    producer = rows_of(organization, "ours")["producer"]
    browser = member_browser(organization, role=Role.VIEWER)

    assert browser.get(reverse("admin:registrations_producer_changelist")).status_code == 200
    response = browser.post(
        reverse("admin:registrations_producer_change", args=[producer.pk]),
        {"nrn": "1", "company_name": "Changed"},
    )
    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["registration", "sellerschemeprostripeconfig"])
def test_the_add_form_names_every_scheme_in_a_fixed_number_of_queries(
    member_browser, organization, model
):
    browser = member_browser(organization)
    url = reverse(f"admin:registrations_{model}_add")

    with CaptureQueriesContext(connection) as queries:
        response = browser.get(url)

    assert response.status_code == 200
    assert Scheme.objects.count() > 50
    assert len(queries) < 30
