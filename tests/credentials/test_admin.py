import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients.models import Role
from credentials.models import (
    AccessReason,
    Credential,
    CredentialPasswordHistory,
    PasswordAccessEvent,
)
from credentials.services import credential_update
from tests.factories import (
    ClientFactory,
    CredentialFactory,
    MembershipFactory,
    country,
    pro,
    report_type,
)

pytestmark = pytest.mark.django_db

SECRET = "Adm1n-Only-S3cret"


@pytest.fixture
def browser_for(client, organization):
    """The Django test client logged in as a new member of `organization` with `role`."""

    def login(role=Role.STAFF, org=None):
        membership = MembershipFactory(organization=org or organization, role=role)
        client.force_login(membership.user)
        client.user = membership.user
        return client

    return login


@pytest.fixture
def staff_browser(browser_for):
    return browser_for(Role.STAFF)


@pytest.fixture
def credential(acme):
    return CredentialFactory(client=acme, password=SECRET, login="acme-login")


def changelist():
    return reverse("admin:credentials_credential_changelist")


def change(credential):
    return reverse("admin:credentials_credential_change", args=[credential.pk])


def reveal(credential):
    return reverse("admin:credentials_credential_reveal", args=[credential.pk])


# Credential list


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "acme-login"},
        {"q": "ABC"},
        {"q": "Stiftung"},
        {"status": "active"},
        {"interval__exact": "quarterly"},
        {"country__id__exact": "x"},
    ],
)
def test_credential_list_masks_passwords_whatever_the_search_or_filter(
    staff_browser, credential, params
):
    if "country__id__exact" in params:
        params = {"country__id__exact": str(country("DE").pk)}

    response = staff_browser.get(changelist(), params)

    assert response.status_code == 200
    assert SECRET not in response.content.decode()


def test_credential_list_filters_by_report_type_and_pro(staff_browser, acme, credential):
    landbell = CredentialFactory(client=acme, pro=pro("DE", "Landbell"), report_types=["Packaging"])

    by_type = staff_browser.get(
        changelist(), {"report_types__id__exact": report_type("Packaging").pk}
    )
    by_pro = staff_browser.get(changelist(), {"pro__id__exact": pro("DE", "Landbell").pk})

    assert list(by_type.context["cl"].result_list) == [landbell]
    assert list(by_pro.context["cl"].result_list) == [landbell]


@pytest.mark.parametrize("term", ["lodz-biuro", "ŁÓDŹ", "re-88", "lumiere", "LEKO"])
def test_credential_list_search_ignores_case_and_accents(staff_browser, organization, term):
    lumiere = ClientFactory(organization=organization, name="Lumière SAS")
    found = CredentialFactory(
        client=lumiere,
        country=country("FR"),
        pro=pro("FR", "Léko"),
        report_types=["Packaging"],
        login="łódź-biuro@example.com",
        registration_number="FR-RÉ-88",
    )
    CredentialFactory(client=ClientFactory(organization=organization, name="Other GmbH"))

    response = staff_browser.get(changelist(), {"q": term})

    assert list(response.context["cl"].result_list) == [found]


def test_credential_list_shows_only_the_members_organization(
    staff_browser, credential, other_organization
):
    CredentialFactory(client=ClientFactory(organization=other_organization, name="Foreign Ltd"))

    response = staff_browser.get(changelist())

    assert list(response.context["cl"].result_list) == [credential]


def test_credential_list_costs_the_same_queries_for_few_or_many_rows(
    staff_browser, acme, credential
):
    with CaptureQueriesContext(connection) as few:
        staff_browser.get(changelist())
    for name in ["Landbell", "Interzero", "Noventiz", "BellandVision"]:
        CredentialFactory(client=acme, pro=pro("DE", name), report_types=["Packaging"])

    with CaptureQueriesContext(connection) as many:
        staff_browser.get(changelist())

    assert len(many.captured_queries) == len(few.captured_queries)


def test_reveal_buttons_are_shown_to_staff_not_to_viewers(browser_for, credential):
    staff_page = browser_for(Role.STAFF).get(changelist()).content.decode()
    viewer_page = browser_for(Role.VIEWER).get(changelist()).content.decode()

    assert reveal(credential) in staff_page
    assert reveal(credential) not in viewer_page


# Change form


def test_change_form_never_renders_the_stored_password(staff_browser, credential):
    response = staff_browser.get(change(credential))

    assert response.status_code == 200
    assert SECRET not in response.content.decode()


def test_viewer_sees_the_credential_read_only_without_the_password(browser_for, credential):
    response = browser_for(Role.VIEWER).get(change(credential))

    assert response.status_code == 200
    assert SECRET not in response.content.decode()


def credential_form(**overrides):
    data = {
        "country": str(country("DE").pk),
        "pro": str(pro("DE", "Stiftung EAR").pk),
        "report_type_choices": [str(report_type("WEEE").pk)],
        "status": "active",
        "interval": "",
        "collective_account": "",
        "login": "form-login",
        "new_password": "",
        "registration_number": "",
        "notes": "",
        "extra_info": "null",
        "password_history-TOTAL_FORMS": "0",
        "password_history-INITIAL_FORMS": "0",
    }
    return data | overrides


def test_adding_a_credential_in_the_admin_goes_through_the_services(staff_browser, acme):
    response = staff_browser.post(
        reverse("admin:credentials_credential_add"),
        credential_form(
            client=str(acme.pk),
            new_password="typed-in-admin",
            report_type_choices=[str(report_type("WEEE").pk), str(report_type("Batteries").pk)],
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    credential = Credential.objects.get()
    assert credential.password == "typed-in-admin"
    assert credential.report_type_codes == "Batteries,WEEE"
    assert sorted(credential.report_type_links.values_list("report_type__code", flat=True)) == [
        "Batteries",
        "WEEE",
    ]


def test_admin_form_shows_rule_violations_on_their_fields(staff_browser, acme):
    response = staff_browser.post(
        reverse("admin:credentials_credential_add"),
        credential_form(
            client=str(acme.pk), report_type_choices=[str(report_type("Packaging").pk)]
        ),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "does not take Packaging" in errors["report_type_choices"][0]
    assert not Credential.objects.exists()


def test_admin_form_refuses_a_client_of_another_organization(staff_browser, other_organization):
    foreign = ClientFactory(organization=other_organization)

    response = staff_browser.post(
        reverse("admin:credentials_credential_add"), credential_form(client=str(foreign.pk))
    )

    assert response.status_code == 200
    assert "client" in response.context["adminform"].form.errors
    assert not Credential.objects.exists()


def test_a_blank_password_in_the_form_keeps_the_current_one(staff_browser, credential):
    response = staff_browser.post(change(credential), credential_form(notes="edited"))

    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.password == SECRET
    assert credential.notes == "edited"
    assert not CredentialPasswordHistory.objects.exists()


def test_a_new_password_in_the_form_replaces_it_and_keeps_the_old_one_in_history(
    staff_browser, credential
):
    staff_browser.post(change(credential), credential_form(new_password="brand-new"))

    credential.refresh_from_db()
    assert credential.password == "brand-new"
    entry = CredentialPasswordHistory.objects.get()
    assert (entry.password, entry.changed_by) == (SECRET, staff_browser.user)


def test_the_password_can_be_removed_in_the_form(staff_browser, credential):
    staff_browser.post(change(credential), credential_form(clear_password="on"))

    credential.refresh_from_db()
    assert credential.password == ""


def test_collective_account_choices_are_the_organizations_collective_accounts(
    staff_browser, credential, collective_credential, other_organization
):
    CredentialFactory(
        client=ClientFactory(organization=other_organization, collective_account=True),
        country=country("NL"),
        pro=pro("NL", "Stichting OPEN"),
    )

    form = staff_browser.get(change(credential)).context["adminform"].form

    assert list(form.fields["collective_account"].queryset) == [collective_credential]


# Reveal


def test_reveal_asks_for_confirmation_before_showing_anything(staff_browser, credential):
    response = staff_browser.get(reveal(credential))

    assert response.status_code == 200
    assert SECRET not in response.content.decode()
    assert not PasswordAccessEvent.objects.exists()


def test_reveal_shows_the_password_once_and_records_the_access(staff_browser, credential):
    response = staff_browser.post(reveal(credential), REMOTE_ADDR="192.0.2.10")

    assert SECRET in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")
    event = PasswordAccessEvent.objects.get()
    assert (event.user, event.credential, event.reason, event.ip, event.method) == (
        staff_browser.user,
        credential,
        AccessReason.ADMIN_REVEAL,
        "192.0.2.10",
        "POST",
    )


def test_the_revealed_password_page_is_not_to_be_stored(staff_browser, credential):
    response = staff_browser.post(reveal(credential))

    assert SECRET in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_reveal_of_a_linked_credential_shows_the_collective_password(
    staff_browser, acme, collective_credential
):
    linked = CredentialFactory(
        client=acme,
        country=country("NL"),
        pro=pro("NL", "Stichting OPEN"),
        login="",
        password="",
        collective_account=collective_credential,
    )

    response = staff_browser.post(reveal(linked))

    assert "collective-pw-1" in response.content.decode()
    assert "collective account" in PasswordAccessEvent.objects.get().credential_label


def test_viewer_cannot_reveal(browser_for, credential):
    response = browser_for(Role.VIEWER).post(reveal(credential))

    assert response.status_code == 403
    assert not PasswordAccessEvent.objects.exists()


def test_reveal_of_another_organizations_credential_answers_404(
    browser_for, credential, other_organization
):
    response = browser_for(Role.ADMIN, other_organization).post(reveal(credential))

    assert response.status_code == 404
    assert not PasswordAccessEvent.objects.exists()


# Password history


@pytest.fixture
def previous(credential):
    credential_update(credential=credential, password="the-next-one")
    return CredentialPasswordHistory.objects.get()


def reveal_previous(entry):
    return reverse(
        "admin:credentials_credential_reveal_previous", args=[entry.credential_id, entry.pk]
    )


def grant_history_reveal(user):
    user.user_permissions.add(Permission.objects.get(codename="reveal_password_history"))


def test_previous_passwords_are_listed_masked_on_the_credential(staff_browser, previous):
    page = staff_browser.get(change(previous.credential)).content.decode()

    assert "previous passwords" in page.lower()
    assert SECRET not in page
    assert "the-next-one" not in page


def test_revealing_a_previous_password_needs_the_permission(staff_browser, previous):
    response = staff_browser.post(reveal_previous(previous))

    assert response.status_code == 403
    assert not PasswordAccessEvent.objects.exists()


def test_a_member_with_the_permission_reveals_a_previous_password_and_it_is_logged(
    staff_browser, previous
):
    grant_history_reveal(staff_browser.user)

    response = staff_browser.post(reveal_previous(previous))

    assert SECRET in response.content.decode()
    event = PasswordAccessEvent.objects.get()
    assert (event.reason, event.password_history) == (AccessReason.HISTORY_REVEAL, previous)


def test_the_revealed_previous_password_page_is_not_to_be_stored(staff_browser, previous):
    grant_history_reveal(staff_browser.user)

    response = staff_browser.post(reveal_previous(previous))

    assert SECRET in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_a_viewer_with_the_permission_still_cannot_reveal_a_previous_password(
    browser_for, previous
):
    viewer = browser_for(Role.VIEWER)
    grant_history_reveal(viewer.user)

    assert viewer.post(reveal_previous(previous)).status_code == 403


def test_a_previous_password_of_another_credential_answers_404(staff_browser, previous, acme):
    grant_history_reveal(staff_browser.user)
    other = CredentialFactory(client=acme, pro=pro("DE", "Landbell"), report_types=["Packaging"])
    url = reverse("admin:credentials_credential_reveal_previous", args=[other.pk, previous.pk])

    assert staff_browser.post(url).status_code == 404


# Change history (simple-history)


def test_change_history_pages_never_show_a_password(staff_browser, previous):
    credential = previous.credential
    history_url = reverse("admin:credentials_credential_history", args=[credential.pk])
    version = credential.history.earliest("history_date")
    version_url = reverse(
        "admin:credentials_credential_simple_history", args=[credential.pk, version.history_id]
    )

    history_page = staff_browser.get(history_url)
    version_page = staff_browser.get(version_url)

    assert history_page.status_code == version_page.status_code == 200
    for page in (history_page, version_page):
        assert SECRET not in page.content.decode()
        assert "the-next-one" not in page.content.decode()
    assert "Password changed" in history_page.content.decode()


def test_a_version_of_another_organizations_credential_answers_404(
    browser_for, credential, other_organization
):
    version = credential.history.get()
    url = reverse(
        "admin:credentials_credential_simple_history", args=[credential.pk, version.history_id]
    )

    assert browser_for(Role.ADMIN, other_organization).get(url).status_code == 404


def test_reverting_to_a_version_is_refused(staff_browser, credential):
    version = credential.history.get()
    url = reverse(
        "admin:credentials_credential_simple_history", args=[credential.pk, version.history_id]
    )

    assert staff_browser.post(url, credential_form()).status_code == 405


# Collective accounts and the client page


def test_collective_accounts_view_lists_them_with_their_linked_clients(
    staff_browser, acme, collective_credential
):
    CredentialFactory(
        client=acme,
        country=country("NL"),
        pro=pro("NL", "Stichting OPEN"),
        login="",
        password="",
        collective_account=collective_credential,
    )
    CredentialFactory(client=acme)

    listing = staff_browser.get(reverse("admin:credentials_collectiveaccount_changelist"))
    detail = staff_browser.get(
        reverse("admin:credentials_collectiveaccount_change", args=[collective_credential.pk])
    )

    [account] = listing.context["cl"].result_list
    assert (account.pk, account.linked_count) == (collective_credential.pk, 1)
    assert detail.status_code == 200
    assert "ABC Corporation" in detail.content.decode()
    assert "collective-pw-1" not in detail.content.decode()
    assert "collective-pw-1" not in listing.content.decode()


def test_client_page_lists_its_credentials_masked(staff_browser, acme, credential):
    response = staff_browser.get(reverse("admin:clients_client_change", args=[acme.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "acme-login" in page
    assert reveal(credential) in page
    assert SECRET not in page


# Access events


def events_url():
    return reverse("admin:credentials_passwordaccessevent_changelist")


@pytest.fixture
def events(staff_api, acme, credential):
    staff_api.get(f"/logins/clients/{acme.pk}/credentials/DE")
    return PasswordAccessEvent.objects.all()


def test_organization_admins_list_access_events(browser_for, events):
    response = browser_for(Role.ADMIN).get(events_url())

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == list(events)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"at__year": str(timezone.now().year)}, 1),
        ({"at__year": "2001"}, 0),
        ({"reason": "api read"}, 1),
        ({"reason": "admin reveal"}, 0),
        ({"q": "ABC"}, 1),
    ],
)
def test_access_events_filter_by_date_reason_and_search(browser_for, events, params, expected):
    response = browser_for(Role.ADMIN).get(events_url(), params)

    assert len(response.context["cl"].result_list) == expected


def test_access_events_filter_by_user_and_client(browser_for, events, staff_api, acme):
    admin_browser = browser_for(Role.ADMIN)

    by_user = admin_browser.get(events_url(), {"user__id__exact": staff_api.user.pk})
    by_client = admin_browser.get(events_url(), {"client__id__exact": acme.pk})
    other_user = admin_browser.get(events_url(), {"user__id__exact": admin_browser.user.pk})

    assert len(by_user.context["cl"].result_list) == 1
    assert len(by_client.context["cl"].result_list) == 1
    assert len(other_user.context["cl"].result_list) == 0


def test_staff_do_not_see_the_access_log(browser_for, events):
    staff = browser_for(Role.STAFF)

    assert staff.get(events_url()).status_code == 403
    assert (
        staff.post(
            reverse("admin:credentials_passwordaccessevent_export"), {"format": "0"}
        ).status_code
        == 403
    )


def test_access_events_of_another_organization_are_not_listed(
    browser_for, events, other_organization
):
    response = browser_for(Role.ADMIN, other_organization).get(events_url())

    assert list(response.context["cl"].result_list) == []


def test_access_events_cannot_be_changed_or_deleted(browser_for, events):
    admin_browser = browser_for(Role.ADMIN)
    event = events.get()

    assert (
        admin_browser.post(
            reverse("admin:credentials_passwordaccessevent_delete", args=[event.pk]),
            {"post": "yes"},
        ).status_code
        == 403
    )
    assert PasswordAccessEvent.objects.filter(pk=event.pk).exists()


def export_access_events(browser, **params):
    url = reverse("admin:credentials_passwordaccessevent_export")
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return browser.post(url, {"format": "0"})


def test_access_events_export_as_csv_without_secrets(browser_for, events, staff_api):
    response = export_access_events(browser_for(Role.ADMIN))

    assert response.status_code == 200
    text = response.content.decode()
    header, row = text.strip().splitlines()
    assert header == "at,user,organization,client,credential,reason,ip,method,route"
    assert staff_api.user.username in row
    assert "ABC Corporation · DE · Stiftung EAR" in row
    assert SECRET not in text


def test_access_event_export_quotes_cells_a_spreadsheet_would_run(
    browser_for, organization, staff_api
):
    evil = ClientFactory(organization=organization, name="=HYPERLINK(1)")
    CredentialFactory(client=evil, password="x")
    staff_api.get(f"/logins/clients/{evil.pk}/credentials/DE")

    text = export_access_events(browser_for(Role.ADMIN)).content.decode()

    assert ",'=HYPERLINK(1),'=HYPERLINK(1) · DE · Stiftung EAR," in text


def test_deleting_in_the_admin_records_who_deleted(staff_browser, credential):
    credential_id = credential.pk

    response = staff_browser.post(
        reverse("admin:credentials_credential_delete", args=[credential_id]), {"post": "yes"}
    )

    assert response.status_code == 302
    deletion = Credential.history.model.objects.get(id=credential_id, history_type="-")
    assert deletion.history_user == staff_browser.user


def test_bulk_delete_refuses_a_collective_account_others_link_to(
    staff_browser, acme, collective_credential
):
    CredentialFactory(
        client=acme,
        country=country("NL"),
        pro=pro("NL", "Stichting OPEN"),
        login="",
        password="",
        collective_account=collective_credential,
    )

    response = staff_browser.post(
        changelist(),
        {
            "action": "delete_selected",
            "_selected_action": [collective_credential.pk],
            "post": "yes",
        },
    )

    assert response.status_code == 200
    assert (
        "would require deleting the following protected related objects"
        in response.content.decode()
    )
    assert Credential.objects.filter(pk=collective_credential.pk).exists()


@pytest.mark.parametrize(
    ("field", "value", "limit"),
    [
        ("login", "x" * 256, "at most 255 characters"),
        ("registration_number", "x" * 256, "at most 255 characters"),
        ("notes", "x" * 10_001, "at most 10000 characters"),
        ("extra_info", '{"k": "' + "x" * 10_233 + '"}', "at most 10240 bytes"),
    ],
)
def test_admin_form_refuses_text_over_its_limit_on_its_field(
    staff_browser, acme, field, value, limit
):
    response = staff_browser.post(
        reverse("admin:credentials_credential_add"),
        credential_form(client=str(acme.pk), **{field: value}),
    )

    assert response.status_code == 200
    assert limit in response.context["adminform"].form.errors[field][0]
    assert not Credential.objects.exists()


def test_admin_form_takes_text_at_its_limits(staff_browser, acme):
    response = staff_browser.post(
        reverse("admin:credentials_credential_add"),
        credential_form(
            client=str(acme.pk),
            login="l" * 255,
            registration_number="r" * 255,
            notes="n" * 10_000,
            extra_info='{"k": "' + "x" * 10_232 + '"}',
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    credential = Credential.objects.get()
    assert (len(credential.login), len(credential.registration_number), len(credential.notes)) == (
        255,
        255,
        10_000,
    )
    assert credential.extra_info == {"k": "x" * 10_232}
