"""A collective account's credential page lists the clients linked to it and warns, before
and after a password change, how many clients it changes."""

import pytest
from django.urls import reverse

from clients.models import Role
from tests.factories import ClientFactory, CredentialFactory, country, pro

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(organization, collective_credential):
    return [
        CredentialFactory(
            client=ClientFactory(organization=organization, name=name),
            country=country("NL"),
            pro=pro("NL", "Stichting OPEN"),
            login="",
            password="",
            collective_account=collective_credential,
        )
        for name in ("Linked One BV", "Linked Two BV")
    ]


def change_url(credential):
    return reverse("admin:credentials_credential_change", args=[credential.pk])


def form_data(credential, **overrides):
    data = {
        "country": str(credential.country_id),
        "pro": str(credential.pro_id),
        "report_type_choices": [str(rt.pk) for rt in credential.report_types.all()],
        "status": credential.status,
        "interval": "",
        "collective_account": "",
        "login": credential.login,
        "new_password": "",
        "registration_number": credential.registration_number,
        "notes": "",
        "extra_info": "",
        "password_history-TOTAL_FORMS": "0",
        "password_history-INITIAL_FORMS": "0",
        "linked_credentials-TOTAL_FORMS": "0",
        "linked_credentials-INITIAL_FORMS": "0",
    }
    return data | overrides


def test_the_collective_credential_page_lists_the_linked_clients(
    admin_as, collective_credential, linked
):
    page = admin_as(Role.STAFF).get(change_url(collective_credential)).content.decode()

    assert "Linked One BV" in page and "Linked Two BV" in page


def test_the_password_field_warns_how_many_clients_a_change_affects(
    admin_as, collective_credential, linked
):
    response = admin_as(Role.STAFF).get(change_url(collective_credential))

    help_text = response.context["adminform"].form.fields["new_password"].help_text
    assert "the 2 linked client(s)" in help_text


def test_an_ordinary_credential_has_no_such_warning(admin_as, acme):
    credential = CredentialFactory(client=acme)

    response = admin_as(Role.STAFF).get(change_url(credential))

    assert (
        "linked client" not in response.context["adminform"].form.fields["new_password"].help_text
    )


def test_saving_a_new_collective_password_says_how_many_clients_it_changed(
    admin_as, collective_credential, linked
):
    staff = admin_as(Role.STAFF)

    response = staff.post(
        change_url(collective_credential),
        form_data(collective_credential, new_password="collective-pw-2"),
        follow=True,
    )

    messages = [str(message) for message in response.context["messages"]]
    assert any("changed for the 2 client(s)" in message for message in messages)
    collective_credential.refresh_from_db()
    assert collective_credential.password == "collective-pw-2"
    linked[0].refresh_from_db()
    assert linked[0].effective_password == "collective-pw-2"


def test_saving_without_a_new_password_says_nothing_about_linked_clients(
    admin_as, collective_credential, linked
):
    response = admin_as(Role.STAFF).post(
        change_url(collective_credential), form_data(collective_credential), follow=True
    )

    messages = [str(message) for message in response.context["messages"]]
    assert not any("client(s) linked" in message for message in messages)
