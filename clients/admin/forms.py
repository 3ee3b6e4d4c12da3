"""The client form and the forms of its alias and obligation rows: the client services' rules
show as the forms' errors."""

from django import forms
from django.core.exceptions import ValidationError

from clients.models import Client, Organization
from clients.selectors import client_organizations_consenting
from clients.services import client_alias_validate, client_validate, obligation_validate


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's ValidationError on the form: each message on the field it names, when the
    form has that field, otherwise above the form."""
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


class AliasForm(forms.ModelForm):
    """Scope and name as clients.services stores them, or the service's errors."""

    def clean(self):
        cleaned = super().clean()
        if self.errors or not cleaned or cleaned.get("DELETE"):
            return cleaned
        try:
            cleaned["scope"], cleaned["name"] = client_alias_validate(
                scope=cleaned.get("scope"), name=cleaned.get("name")
            )
        except ValidationError as error:
            add_service_errors(self, error)
        return cleaned


class ObligationForm(forms.ModelForm):
    """The catalog's rule for an obligation's PRO (clients.services), or its error."""

    def clean(self):
        cleaned = super().clean()
        if self.errors or not cleaned or cleaned.get("DELETE"):
            return cleaned
        try:
            obligation_validate(
                country=cleaned["country"],
                report_type=cleaned["report_type"],
                pro=cleaned.get("pro"),
            )
        except ValidationError as error:
            add_service_errors(self, error)
        return cleaned


# The client's own fields, as the client services take them.
CLIENT_FIELDS = ("name", "status", "notes", "shared", "client_organization", "collective_account")


class ClientAdminForm(forms.ModelForm):
    """The organization of a member's new client is theirs; the client services' rules (a
    name unique within the organization, the limits, consent) show as the form's errors."""

    organization_of_member: Organization | None = None

    class Meta:
        model = Client
        fields = [
            "organization",
            "name",
            "status",
            "notes",
            "shared",
            "client_organization",
            "collective_account",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "client_organization" in self.fields:
            # Only an organization that agreed to be this client (or the one it already has);
            # any other id gets the same "not one of the available choices" as an unknown one.
            # A select of these, by name: no other organization's name is ever listed.
            field = self.fields["client_organization"]
            field.queryset = (
                client_organizations_consenting(self.instance)
                | Organization.objects.filter(pk=self.instance.client_organization_id)
            ).order_by("name")
            field.help_text = (
                "The organization that is this client, among those that accepted your "
                "invitation (Client organization grants)."
            )

    def target_organization(self) -> Organization | None:
        if self.instance.organization_id:
            return self.instance.organization
        return self.cleaned_data.get("organization") or self.organization_of_member

    def service_fields(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in CLIENT_FIELDS if name in self.cleaned_data
        }

    def clean(self):
        cleaned = super().clean()
        organization = self.target_organization()
        if organization is None or any(name in self.errors for name in ("name", "status")):
            return cleaned
        fields = self.service_fields()
        try:
            client_validate(
                organization=organization,
                client=self.instance if self.instance.pk else None,
                **{name: fields[name] for name in ("name", "status", "notes") if name in fields},
                client_organization=fields.get("client_organization"),
            )
        except ValidationError as error:
            add_service_errors(self, error)
        return cleaned
