"""POST /logins/clients/{client_id}/aliases and DELETE /logins/clients/{client_id}/aliases/{alias}."""

import pytest

from clients.models import Alias
from tests.factories import AliasFactory, ClientFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def abc(organization):
    client = ClientFactory(organization=organization, name="ABC Corporation", status="active")
    AliasFactory(client=client, scope="UK", name="ABC Corp")
    return client


def test_adding_a_country_alias_answers_the_seed_shape(staff_api, abc):
    response = staff_api.post(
        f"/logins/clients/{abc.pk}/aliases", {"alias": "ABC GmbH", "country": "DE"}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {
        "id": abc.pk,
        "name": "ABC Corporation",
        "status": "active",
        "aliases": {"DE": "ABC GmbH", "UK": "ABC Corp"},
        "notes": None,
    }


@pytest.mark.parametrize("body", [{"alias": "ABC"}, {"alias": "ABC", "country": None}])
def test_an_alias_without_a_country_is_global(staff_api, abc, body):
    response = staff_api.post(f"/logins/clients/{abc.pk}/aliases", body, format="json")

    assert response.json()["aliases"] == {"*": "ABC", "UK": "ABC Corp"}


def test_adding_an_alias_to_a_scope_holding_another_answers_409_naming_it(staff_api, abc):
    response = staff_api.post(
        f"/logins/clients/{abc.pk}/aliases", {"alias": "ABC UK Ltd", "country": "uk"}, format="json"
    )

    assert response.status_code == 409
    assert response.json() == {
        "detail": "ABC Corporation already has the alias 'ABC Corp' for UK. Remove it first "
        "to set another.",
        "aliases": {"UK": "ABC Corp"},
    }
    assert list(abc.aliases.values_list("scope", "name")) == [("UK", "ABC Corp")]


def test_adding_the_alias_a_scope_already_holds_changes_nothing(staff_api, abc):
    response = staff_api.post(
        f"/logins/clients/{abc.pk}/aliases", {"alias": "ABC Corp", "country": "UK"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["aliases"] == {"UK": "ABC Corp"}
    assert list(abc.aliases.values_list("scope", "name")) == [("UK", "ABC Corp")]


def test_an_unknown_field_in_an_alias_body_answers_400(staff_api, abc):
    response = staff_api.post(
        f"/logins/clients/{abc.pk}/aliases", {"alias": "X", "scope": "DE"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"scope": ["Unknown field. Valid fields: alias, country."]}
    assert abc.aliases.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "alias"),
        ({"alias": ""}, "alias"),
        ({"alias": "x" * 10_000}, "alias"),
        ({"alias": "ABC", "country": "XX"}, "country"),
        ({"alias": "ABC", "country": "Germany"}, "country"),
    ],
)
def test_bad_alias_input_answers_400_and_changes_nothing(staff_api, abc, body, field):
    response = staff_api.post(f"/logins/clients/{abc.pk}/aliases", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert list(abc.aliases.values_list("scope", "name")) == [("UK", "ABC Corp")]


def test_unknown_alias_country_error_names_the_valid_countries(staff_api, abc):
    response = staff_api.post(
        f"/logins/clients/{abc.pk}/aliases", {"alias": "ABC", "country": "XX"}, format="json"
    )

    assert response.json()["country"][0].startswith("Unknown country 'XX'. Valid countries: AT,")


def test_removing_an_alias_answers_the_seed_message(staff_api, abc):
    response = staff_api.delete(f"/logins/clients/{abc.pk}/aliases/ABC%20Corp")

    assert response.status_code == 200
    assert response.json() == {"message": "Alias removed successfully."}
    assert not abc.aliases.exists()


def test_removing_an_alias_with_a_slash_and_a_trailing_slash(staff_api, abc):
    AliasFactory(client=abc, scope="DE", name="A/B GmbH")

    response = staff_api.delete(f"/logins/clients/{abc.pk}/aliases/A%2FB%20GmbH/")

    assert response.status_code == 200
    assert list(abc.aliases.values_list("name", flat=True)) == ["ABC Corp"]


def test_removing_prefers_the_exact_spelling_then_ignores_case(staff_api, abc):
    AliasFactory(client=abc, scope="DE", name="abc corp")

    staff_api.delete(f"/logins/clients/{abc.pk}/aliases/abc%20corp")
    after_exact = list(abc.aliases.values_list("name", flat=True))
    staff_api.delete(f"/logins/clients/{abc.pk}/aliases/ABC%20CORP")

    assert after_exact == ["ABC Corp"]
    assert not abc.aliases.exists()


def test_removing_with_a_country_removes_only_that_scopes_alias(staff_api, abc):
    AliasFactory(client=abc, scope="*", name="ABC Corp")

    response = staff_api.delete(f"/logins/clients/{abc.pk}/aliases/ABC%20Corp?country=uk")

    assert response.status_code == 200
    assert response.json() == {"message": "Alias removed successfully."}
    assert list(abc.aliases.values_list("scope", "name")) == [("*", "ABC Corp")]


def test_removing_with_country_star_removes_the_global_alias(staff_api, abc):
    AliasFactory(client=abc, scope="*", name="ABC Corp")

    response = staff_api.delete(f"/logins/clients/{abc.pk}/aliases/ABC%20Corp?country=*")

    assert response.status_code == 200
    assert list(abc.aliases.values_list("scope", "name")) == [("UK", "ABC Corp")]


def test_removing_an_alias_several_scopes_hold_without_a_country_answers_409(staff_api, abc):
    AliasFactory(client=abc, scope="*", name="ABC Corp")

    response = staff_api.delete(f"/logins/clients/{abc.pk}/aliases/ABC%20Corp")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "ABC Corporation has the alias 'ABC Corp' in several scopes: *, UK. Say "
        "which with ?country= (* for the global alias).",
        "aliases": {"*": "ABC Corp", "UK": "ABC Corp"},
    }
    assert abc.aliases.count() == 2


def test_removing_with_a_country_that_holds_another_alias_answers_404(staff_api, abc):
    response = staff_api.delete(f"/logins/clients/{abc.pk}/aliases/ABC%20Corp?country=DE")

    assert response.status_code == 404
    assert response.json() == {"detail": "ABC Corporation has no alias 'ABC Corp' for DE."}
    assert abc.aliases.count() == 1


def test_removing_with_an_unknown_country_answers_400_naming_the_valid_ones(staff_api, abc):
    response = staff_api.delete(f"/logins/clients/{abc.pk}/aliases/ABC%20Corp?country=XX")

    assert response.status_code == 400
    assert response.json()["country"][0].startswith("Unknown country 'XX'. Valid countries: AT,")
    assert abc.aliases.count() == 1


def test_removing_an_absent_alias_answers_404(staff_api, abc):
    response = staff_api.delete(f"/logins/clients/{abc.pk}/aliases/Nope")

    assert response.status_code == 404
    assert response.json() == {"detail": "ABC Corporation has no alias 'Nope'."}
    assert abc.aliases.count() == 1


def test_viewer_cannot_add_or_remove_aliases(viewer_api, abc):
    add = viewer_api.post(f"/logins/clients/{abc.pk}/aliases", {"alias": "X"}, format="json")
    remove = viewer_api.delete(f"/logins/clients/{abc.pk}/aliases/ABC%20Corp")

    assert (add.status_code, remove.status_code) == (403, 403)
    assert list(abc.aliases.values_list("name", flat=True)) == ["ABC Corp"]


def test_alias_routes_of_another_organizations_client_are_not_found(other_org_api, abc):
    add = other_org_api.post(f"/logins/clients/{abc.pk}/aliases", {"alias": "X"}, format="json")
    remove = other_org_api.delete(f"/logins/clients/{abc.pk}/aliases/ABC%20Corp")

    assert (add.status_code, remove.status_code) == (404, 404)
    assert list(abc.aliases.values_list("name", flat=True)) == ["ABC Corp"]


def test_a_shared_client_aliases_cannot_be_changed_by_its_own_organization(
    api_client_for, organization
):
    producer = OrganizationFactory()
    client = ClientFactory(organization=organization, shared=True, client_organization=producer)
    producer_api = api_client_for(producer)

    response = producer_api.post(
        f"/logins/clients/{client.pk}/aliases", {"alias": "X"}, format="json"
    )

    assert response.status_code == 404
    assert not Alias.objects.exists()


def test_alias_changes_are_recorded_with_the_api_user(staff_api, abc):
    staff_api.post(
        f"/logins/clients/{abc.pk}/aliases", {"alias": "ABC GmbH", "country": "DE"}, format="json"
    )
    staff_api.delete(f"/logins/clients/{abc.pk}/aliases/ABC%20Corp")

    history = Alias.history.filter(client_id=abc.pk).order_by("history_date")
    assert [(h.history_type, h.name, h.history_user) for h in history][-2:] == [
        ("+", "ABC GmbH", staff_api.user),
        ("-", "ABC Corp", staff_api.user),
    ]


def test_removing_an_alias_with_a_nul_character_answers_404(staff_api, organization):
    abc = ClientFactory(organization=organization)

    response = staff_api.delete(f"/logins/clients/{abc.pk}/aliases/A%00B")

    assert response.status_code == 404


def test_an_alias_over_255_characters_answers_400_naming_the_limit(staff_api, abc):
    response = staff_api.post(
        f"/logins/clients/{abc.pk}/aliases", {"alias": "x" * 256, "country": "DE"}, format="json"
    )

    assert response.status_code == 400
    assert "255" in response.json()["alias"][0]
    assert dict(abc.aliases.values_list("scope", "name")) == {"UK": "ABC Corp"}


def test_an_alias_of_exactly_255_characters_is_accepted(staff_api, abc):
    response = staff_api.post(
        f"/logins/clients/{abc.pk}/aliases", {"alias": "x" * 255, "country": "DE"}, format="json"
    )

    assert response.status_code == 200
    assert abc.aliases.get(scope="DE").name == "x" * 255
