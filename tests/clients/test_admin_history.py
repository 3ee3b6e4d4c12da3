"""The client's History page shows the changes of its aliases and obligations, with who made
them and when; a credential's History shows which fields changed and never a secret."""

import pytest
from django.urls import reverse

from clients.models import Role
from credentials.services import credential_update
from tests.factories import AliasFactory, ClientFactory, CredentialFactory, ObligationFactory

pytestmark = pytest.mark.django_db


def client_change_data(staff, client, **extra) -> dict:
    """The client change form's data: its fields and every inline with its current rows."""
    page = staff.get(reverse("admin:clients_client_change", args=[client.pk]))
    data = {"name": client.name, "status": client.status, "notes": client.notes}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(len(formset.initial_forms))
        data[f"{formset.prefix}-INITIAL_FORMS"] = str(len(formset.initial_forms))
        for form in formset.initial_forms:
            for name, field in form.fields.items():
                value = form.initial.get(name, field.initial)
                if value is not None:
                    data[form.add_prefix(name)] = str(getattr(value, "pk", value))
    return data | extra


def history(staff, client):
    return staff.get(reverse("admin:clients_client_history", args=[client.pk]))


def test_an_alias_renamed_in_the_admin_shows_in_the_clients_history_with_who(
    admin_as, organization
):
    staff = admin_as(Role.STAFF)
    client = ClientFactory(organization=organization, name="Edited BV")
    AliasFactory(client=client, scope="DE", name="Alt GmbH")
    data = client_change_data(staff, client, **{"aliases-0-name": "Neu GmbH"})
    assert (
        staff.post(reverse("admin:clients_client_change", args=[client.pk]), data).status_code
        == 302
    )

    changes = history(staff, client).context["part_history"]

    latest = changes[0]
    assert (latest.user, latest.part) == (staff.user, "Alias DE: Neu GmbH")
    assert latest.action in ("Changed", "Added")
    assert any("Neu GmbH" in change.part for change in changes)


def test_a_removed_obligation_shows_in_the_clients_history(admin_as, organization):
    staff = admin_as(Role.STAFF)
    client = ClientFactory(organization=organization, name="Edited BV")
    ObligationFactory(client=client)
    data = client_change_data(staff, client, **{"obligations-0-DELETE": "on"})
    staff.post(reverse("admin:clients_client_change", args=[client.pk]), data)

    response = history(staff, client)

    removed = response.context["part_history"][0]
    assert (removed.action, removed.user) == ("Removed", staff.user)
    assert removed.part.startswith("Obligation ")
    assert "Aliases and obligations" in response.content.decode()


def test_a_changed_alias_lists_the_old_and_new_value(admin_as, organization):
    staff = admin_as(Role.STAFF)
    client = ClientFactory(organization=organization)
    alias = AliasFactory(client=client, scope="DE", name="Alt GmbH")
    alias.name = "Neu GmbH"
    alias.save()

    changed = history(staff, client).context["part_history"][0]

    assert changed.changes == ["name: Alt GmbH → Neu GmbH"]


def test_another_clients_aliases_are_not_in_the_history(admin_as, organization):
    staff = admin_as(Role.STAFF)
    client = ClientFactory(organization=organization)
    AliasFactory(client=ClientFactory(organization=organization), scope="FR", name="Autre SA")

    assert history(staff, client).context["part_history"] == []


def test_the_history_of_another_organizations_client_is_not_found(admin_as, other_organization):
    theirs = ClientFactory(organization=other_organization)
    AliasFactory(client=theirs, scope="DE", name="Fremd GmbH")

    assert history(admin_as(Role.STAFF), theirs).status_code == 404


def test_a_credentials_history_shows_which_fields_changed_never_the_password(
    admin_as, organization
):
    staff = admin_as(Role.STAFF)
    credential = CredentialFactory(
        client=ClientFactory(organization=organization), login="old-login", password="Old-S3cret"
    )
    credential_update(credential=credential, login="new-login", password="New-S3cret")

    response = staff.get(reverse("admin:credentials_credential_history", args=[credential.pk]))

    page = response.content.decode()
    assert "old-login" in page and "new-login" in page
    assert "Old-S3cret" not in page and "New-S3cret" not in page
    fields = {
        change["field"].lower()
        for record in response.context["page_obj"]
        for change in (getattr(record, "history_delta_changes", None) or [])
    }
    assert "login" in fields
    assert "password" not in fields
