"""The client admin: list, search, filters, bulk actions, inlines, history, tenancy."""

import pytest
from django.urls import reverse

from clients.models import Client, ClientOrganizationGrant, Role
from clients.services import client_organization_invitation_accept, client_organization_invite
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

CHANGELIST = reverse("admin:clients_client_changelist")
ADD = reverse("admin:clients_client_add")


@pytest.fixture
def member_browser(client, organization):
    """A logged-in browser of a staff member of `organization`."""

    def login(role=Role.STAFF):
        membership = MembershipFactory(organization=organization, role=role)
        client.force_login(membership.user)
        client.user = membership.user
        return client

    return login


@pytest.fixture
def browser(member_browser):
    return member_browser()


def names_listed(response) -> set[str]:
    return {client.name for client in response.context["cl"].result_list}


def empty_inlines(browser, **extra) -> dict:
    """The add form's data with no inline rows; inlines other apps add to ClientAdmin included."""
    page = browser.get(ADD)
    data = {}
    for inline in page.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data | extra


def test_changelist_shows_only_the_members_clients_with_their_aliases(
    browser, organization, other_organization
):
    mine = ClientFactory(organization=organization, name="Mine GmbH")
    AliasFactory(client=mine, scope="DE", name="Meine GmbH")
    ClientFactory(organization=other_organization, name="Theirs SA")

    response = browser.get(CHANGELIST)

    assert response.status_code == 200
    assert names_listed(response) == {"Mine GmbH"}
    assert "DE: Meine GmbH" in response.content.decode()


def test_changelist_query_count_does_not_grow_with_the_number_of_clients(
    browser, organization, django_assert_max_num_queries
):
    for _ in range(30):
        AliasFactory(client=ClientFactory(organization=organization))

    with django_assert_max_num_queries(25):
        response = browser.get(CHANGELIST)

    assert len(names_listed(response)) == 30


def test_search_matches_names_and_aliases(browser, organization):
    ClientFactory(organization=organization, name="ABC Corporation")
    AliasFactory(client=ClientFactory(organization=organization, name="Other"), name="ABC Local")
    ClientFactory(organization=organization, name="Unrelated")

    response = browser.get(CHANGELIST, {"q": "abc"})

    assert names_listed(response) == {"ABC Corporation", "Other"}


def test_status_filter(browser, organization):
    ClientFactory(organization=organization, name="Live", status="active")
    ClientFactory(organization=organization, name="Gone", status="archived")

    response = browser.get(CHANGELIST, {"status__exact": "archived"})

    assert names_listed(response) == {"Gone"}


def test_country_filter_matches_credentials_and_obligations(browser, organization):
    CredentialFactory(client=ClientFactory(organization=organization, name="By credential"))
    ObligationFactory(client=ClientFactory(organization=organization, name="By obligation"))
    ObligationFactory(
        client=ClientFactory(organization=organization, name="Elsewhere"), country=country("FR")
    )

    response = browser.get(CHANGELIST, {"country": str(country("DE").pk)})

    assert names_listed(response) == {"By credential", "By obligation"}


def test_report_type_and_pro_filters(browser, organization):
    CredentialFactory(client=ClientFactory(organization=organization, name="WEEE at EAR"))
    ObligationFactory(
        client=ClientFactory(organization=organization, name="Packaging at Citeo"),
        country=country("FR"),
        report_type=report_type("Packaging"),
        pro=pro("FR", "Citeo"),
    )

    by_type = browser.get(CHANGELIST, {"report_type": str(report_type("Packaging").pk)})
    by_pro = browser.get(CHANGELIST, {"pro": str(pro("DE", "Stiftung EAR").pk)})

    assert names_listed(by_type) == {"Packaging at Citeo"}
    assert names_listed(by_pro) == {"WEEE at EAR"}


def test_archive_action_archives_the_selection_and_records_who(browser, organization):
    chosen = ClientFactory(organization=organization, status="active")
    untouched = ClientFactory(organization=organization, status="active")

    response = browser.post(
        CHANGELIST, {"action": "archive_selected", "_selected_action": [chosen.pk]}, follow=True
    )

    assert "Archived 1 client(s)." in response.content.decode()
    chosen.refresh_from_db()
    untouched.refresh_from_db()
    assert (chosen.status, untouched.status) == ("archived", "active")
    assert chosen.history.latest().history_user == browser.user


def test_activate_action_activates_the_selection(browser, organization):
    archived = ClientFactory(organization=organization, status="archived")

    browser.post(CHANGELIST, {"action": "activate_selected", "_selected_action": [archived.pk]})

    archived.refresh_from_db()
    assert archived.status == "active"


def test_bulk_actions_never_reach_another_organizations_clients(
    browser, organization, other_organization
):
    theirs = ClientFactory(organization=other_organization, status="active")

    browser.post(CHANGELIST, {"action": "archive_selected", "_selected_action": [theirs.pk]})

    theirs.refresh_from_db()
    assert theirs.status == "active"


def test_viewer_cannot_run_bulk_actions(member_browser, organization):
    viewer = member_browser(Role.VIEWER)
    client = ClientFactory(organization=organization, status="active")

    viewer.post(CHANGELIST, {"action": "archive_selected", "_selected_action": [client.pk]})

    client.refresh_from_db()
    assert client.status == "active"


def test_change_page_shows_the_alias_and_obligation_inlines(browser, organization):
    client = ClientFactory(organization=organization)
    AliasFactory(client=client, scope="UK", name="ABC Corp")
    ObligationFactory(client=client)

    response = browser.get(reverse("admin:clients_client_change", args=[client.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="aliases-0-name" value="ABC Corp"' in page
    assert 'id="obligations-group"' in page
    assert 'name="organization"' not in page


def test_a_member_adds_a_client_with_an_alias_into_their_organization(browser, organization):
    data = empty_inlines(
        browser,
        name="Admin Made GmbH",
        status="onboarding",
        notes="",
        **{
            "aliases-TOTAL_FORMS": "1",
            "aliases-0-scope": "de",
            "aliases-0-name": "Admin Made Deutschland",
            "obligations-TOTAL_FORMS": "1",
            "obligations-0-country": str(country("DE").pk),
            "obligations-0-report_type": str(report_type("WEEE").pk),
            "obligations-0-pro": "",
        },
    )

    response = browser.post(ADD, data)

    assert response.status_code == 302
    client = Client.objects.get(name="Admin Made GmbH")
    assert client.organization == organization
    assert client.aliases.get().scope == "DE"
    assert client.obligations.count() == 1
    assert client.history.get().history_user == browser.user


def test_adding_a_duplicate_name_shows_a_form_error(browser, organization):
    ClientFactory(organization=organization, name="Taken BV")

    response = browser.post(ADD, empty_inlines(browser, name="taken bv", status="active"))

    assert response.status_code == 200
    assert "A client named &#x27;taken bv&#x27; already exists." in response.content.decode()
    assert Client.objects.count() == 1


def test_an_alias_with_an_unknown_scope_is_refused(browser, organization):
    data = empty_inlines(
        browser,
        name="Scoped",
        status="active",
        **{"aliases-TOTAL_FORMS": "1", "aliases-0-scope": "XX", "aliases-0-name": "Nope"},
    )

    response = browser.post(ADD, data)

    assert response.status_code == 200
    assert "Unknown country" in response.content.decode()
    assert not Client.objects.exists()


def test_an_obligation_with_a_pro_of_another_country_is_refused(browser, organization):
    data = empty_inlines(
        browser,
        name="Mismatch",
        status="active",
        **{
            "obligations-TOTAL_FORMS": "1",
            "obligations-0-country": str(country("FR").pk),
            "obligations-0-report_type": str(report_type("WEEE").pk),
            "obligations-0-pro": str(pro("DE", "Stiftung EAR").pk),
        },
    )

    response = browser.post(ADD, data)

    assert "is a PRO of DE, not of this country" in response.content.decode()
    assert not Client.objects.exists()


def test_history_view_lists_the_changes(browser, organization):
    client = ClientFactory(organization=organization, name="Tracked")
    client.status = "archived"
    client.save()

    response = browser.get(reverse("admin:clients_client_history", args=[client.pk]))

    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 2


@pytest.mark.parametrize("page", ["change", "delete"])
def test_another_organizations_client_is_not_found_in_the_admin(browser, other_organization, page):
    theirs = ClientFactory(organization=other_organization, name="Secret Client SA")

    response = browser.get(reverse(f"admin:clients_client_{page}", args=[theirs.pk]), follow=True)

    assert "doesn’t exist" in response.content.decode()
    assert "Secret Client SA" not in response.content.decode()


def test_history_of_another_organizations_client_is_not_found(browser, other_organization):
    theirs = ClientFactory(organization=other_organization, name="Secret Client SA")

    response = browser.get(reverse("admin:clients_client_history", args=[theirs.pk]))

    assert response.status_code == 404


def test_history_of_another_organizations_deleted_client_is_not_found(browser, other_organization):
    theirs = ClientFactory(organization=other_organization, name="Deleted Secret SA")
    pk = theirs.pk
    theirs.delete()

    response = browser.get(reverse("admin:clients_client_history", args=[pk]))

    assert response.status_code == 404


def test_a_version_of_another_organizations_client_is_not_found(browser, other_organization):
    theirs = ClientFactory(
        organization=other_organization, name="Secret Client SA", notes="private"
    )
    version = theirs.history.get()

    response = browser.get(
        reverse("admin:clients_client_simple_history", args=[theirs.pk, version.history_id])
    )

    assert response.status_code == 404
    assert "private" not in response.content.decode()


def test_a_version_of_an_own_client_is_shown_read_only(browser, organization):
    client = ClientFactory(organization=organization, name="Tracked", notes="first notes")
    version = client.history.get()
    url = reverse("admin:clients_client_simple_history", args=[client.pk, version.history_id])

    shown = browser.get(url)
    reverted = browser.post(url, {"name": "Reverted", "status": "active"})

    assert shown.status_code == 200
    assert "first notes" in shown.content.decode()
    assert reverted.status_code == 405


def test_superusers_choose_the_organization(client, organization):
    superuser = MembershipFactory(organization=organization).user
    superuser.is_superuser = True
    superuser.save()
    client.force_login(superuser)

    page = client.get(ADD).content.decode()

    assert 'name="organization"' in page


def test_a_member_cannot_name_another_agency_as_client_organization_nor_see_its_name(
    browser, organization, other_organization
):
    ClientFactory(organization=other_organization)
    other_organization.name = "Rival Agency"
    other_organization.save()

    response = browser.post(
        ADD,
        empty_inlines(
            browser, name="Spam", status="active", client_organization=other_organization.pk
        ),
    )

    assert response.status_code == 200
    assert "client_organization" in response.context["adminform"].form.errors
    assert "Rival Agency" not in response.content.decode()
    assert not Client.objects.filter(name="Spam").exists()


@pytest.mark.parametrize("parameter", ["country", "report_type", "pro"])
def test_a_catalog_filter_value_that_is_not_an_id_is_not_a_500(browser, parameter):
    response = browser.get(f"{CHANGELIST}?{parameter}=abc")

    assert response.status_code == 302
    assert "e=1" in response["Location"]


@pytest.mark.parametrize(
    ("fields", "form", "field", "limit"),
    [
        ({"name": "x" * 256}, "adminform", "name", 255),
        ({"notes": "x" * 10_001}, "adminform", "notes", 10_000),
        (
            {"aliases-TOTAL_FORMS": "1", "aliases-0-scope": "DE", "aliases-0-name": "x" * 256},
            "aliases",
            "name",
            255,
        ),
    ],
    ids=["name", "notes", "alias"],
)
def test_the_add_form_refuses_text_over_its_limit_naming_the_limit(
    browser, organization, fields, form, field, limit
):
    data = empty_inlines(browser, name="Limited", status="active") | fields

    response = browser.post(ADD, data)

    assert response.status_code == 200
    if form == "adminform":
        errors = response.context["adminform"].form.errors[field]
    else:
        errors = response.context["inline_admin_formsets"][0].formset.errors[0][field]
    assert f"at most {limit} characters" in errors[0]
    assert not Client.objects.exists()


def test_the_add_form_takes_notes_and_names_at_their_limits(browser, organization):
    data = empty_inlines(
        browser,
        name="x" * 255,
        status="active",
        notes="n" * 10_000,
        **{"aliases-TOTAL_FORMS": "1", "aliases-0-scope": "DE", "aliases-0-name": "a" * 255},
    )

    response = browser.post(ADD, data)

    assert response.status_code == 302
    client = Client.objects.get()
    assert (len(client.name), len(client.notes), client.aliases.get().name) == (
        255,
        10_000,
        "a" * 255,
    )


# client_organization consent in the admin


def client_organization_error(browser, client, client_organization_pk) -> list[str]:
    change = reverse("admin:clients_client_change", args=[client.pk])
    data = empty_inlines(
        browser,
        name=client.name,
        status="active",
        shared="on",
        client_organization=client_organization_pk,
    )
    response = browser.post(change, data)
    form = response.context["adminform"].form if response.status_code == 200 else None
    return list(form.errors.get("client_organization", [])) if form else []


def test_an_existing_organization_without_consent_gets_the_error_of_an_unknown_id(
    browser, organization
):
    mine = ClientFactory(organization=organization)
    existing = OrganizationFactory()

    refused_existing = client_organization_error(browser, mine, existing.pk)
    refused_unknown = client_organization_error(browser, mine, existing.pk + 1000)

    assert refused_existing == refused_unknown != []
    mine.refresh_from_db()
    assert mine.client_organization is None


def test_a_member_names_the_organization_that_accepted_the_clients_invitation(
    browser, organization, other_organization
):
    mine = ClientFactory(organization=organization)
    _, token = client_organization_invite(client=mine)
    their_admin = MembershipFactory(organization=other_organization, role=Role.ADMIN).user
    client_organization_invitation_accept(token=token, user=their_admin)
    Client.objects.filter(pk=mine.pk).update(client_organization=None)

    assert client_organization_error(browser, mine, other_organization.pk) == []
    mine.refresh_from_db()
    assert mine.client_organization == other_organization


GRANT_ADD = reverse("admin:clients_clientorganizationgrant_add")
GRANT_CHANGELIST = reverse("admin:clients_clientorganizationgrant_changelist")
ACCEPT = reverse("admin:clients_clientorganizationgrant_accept")


def test_adding_a_grant_invites_and_shows_the_token_once(browser, organization):
    mine = ClientFactory(organization=organization)

    response = browser.post(GRANT_ADD, {"client": mine.pk}, follow=True)

    (message,) = [str(m) for m in response.context["messages"] if "Invitation" in str(m)]
    token = message.rsplit(" ", 1)[-1]
    invitation = ClientOrganizationGrant.objects.get()
    assert (invitation.client, invitation.agency, invitation.kind) == (
        mine,
        organization,
        ClientOrganizationGrant.Kind.INVITED,
    )
    assert invitation.token_hash == ClientOrganizationGrant.hash_token(token)


def test_a_member_cannot_invite_for_another_agencys_client(browser, other_organization):
    theirs = ClientFactory(organization=other_organization)

    response = browser.post(GRANT_ADD, {"client": theirs.pk})

    assert response.status_code == 200
    assert "client" in response.context["adminform"].form.errors
    assert not ClientOrganizationGrant.objects.exists()


def test_an_agency_lists_only_its_own_grants(browser, organization, other_organization):
    client_organization_invite(client=ClientFactory(organization=organization, name="Ours"))
    client_organization_invite(client=ClientFactory(organization=other_organization))

    response = browser.get(GRANT_CHANGELIST)

    assert [g.client.name for g in response.context["cl"].result_list] == ["Ours"]


def test_an_organization_admin_accepts_an_invitation_in_the_admin(
    client, organization, other_organization
):
    mine = ClientFactory(organization=organization)
    _, token = client_organization_invite(client=mine)
    client.force_login(MembershipFactory(organization=other_organization, role=Role.ADMIN).user)

    response = client.post(ACCEPT, {"token": token})

    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.client_organization == other_organization


def test_a_wrong_token_is_refused_in_the_admin_and_changes_nothing(
    client, organization, other_organization
):
    mine = ClientFactory(organization=organization)
    client_organization_invite(client=mine)
    client.force_login(MembershipFactory(organization=other_organization, role=Role.ADMIN).user)

    response = client.post(ACCEPT, {"token": "fsi_wrong"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"token": ["No pending invitation has this token."]}
    mine.refresh_from_db()
    assert mine.client_organization is None


def test_a_staff_member_cannot_open_the_accept_page(browser):
    assert browser.get(ACCEPT).status_code == 403
