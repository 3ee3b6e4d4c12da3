"""django-import-export resources of the credentials app (exports only)."""

from import_export import fields, resources

from credentials.models import PasswordAccessEvent

# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Text that a spreadsheet would run as a formula, quoted so it is shown as text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class PasswordAccessEventResource(resources.ModelResource):
    """Who saw which password when, from where. Holds no secret: the events never do."""

    user = fields.Field(attribute="username", column_name="user")
    organization = fields.Field(attribute="organization__name", column_name="organization")
    client = fields.Field(attribute="client__name", column_name="client")
    credential = fields.Field(attribute="credential_label", column_name="credential")

    class Meta:
        model = PasswordAccessEvent
        fields = [
            "at",
            "user",
            "organization",
            "client",
            "credential",
            "reason",
            "ip",
            "method",
            "route",
        ]

    def export_field(self, field, instance, **kwargs):
        return spreadsheet_safe(super().export_field(field, instance, **kwargs))
