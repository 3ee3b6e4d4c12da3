from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from credentials.models import MASK, Credential, CredentialStatus, Interval
from credentials.selectors import MissingCredential

MISSING = "missing"
SEARCH_ROW_STATUSES = [*CredentialStatus.choices, (MISSING, "Missing")]


class BlankAsNullCharField(serializers.CharField):
    """Renders an empty text as null, as the seed's examples do for unset values."""

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, read_only=True, **kwargs)

    def to_representation(self, value):
        return value or None


@extend_schema_field(
    {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "string", "description": "Comma-separated codes."},
        ],
        "example": ["WEEE", "Batteries"],
    }
)
class ReportTypesField(serializers.Field):
    """Report type codes as a list (`["WEEE", "Batteries"]`) or a comma string (`"WEEE,Batteries"`)."""

    default_error_messages = {
        "invalid": "Expected a list of report type codes or a comma-separated string of them."
    }

    def to_internal_value(self, data) -> list[str]:
        if isinstance(data, str):
            data = data.split(",")
        if not isinstance(data, list) or not all(isinstance(code, str) for code in data):
            self.fail("invalid")
        return [code.strip() for code in data if code.strip()]

    def to_representation(self, value):
        return value


class CredentialInputSerializer(serializers.Serializer):
    """The body of POST `.../credentials/{country}`."""

    report_types = ReportTypesField()
    pro = serializers.CharField(max_length=120, help_text="PRO name, as in /logins/report_types.")
    login = serializers.CharField(max_length=255, allow_blank=True, allow_null=True, required=False)
    password = serializers.CharField(
        max_length=500,
        allow_blank=True,
        allow_null=True,
        required=False,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text='null or "" clears it. "***" (the mask) is refused.',
    )
    registration_number = serializers.CharField(
        max_length=100, allow_blank=True, allow_null=True, required=False
    )
    collective_account = serializers.BooleanField(
        required=False,
        help_text=(
            "A credential is a collective account when its client is a collective-account "
            "client; true for any other client is refused."
        ),
    )
    collective_account_id = serializers.IntegerField(
        allow_null=True,
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text=(
            "Link to a collective account of the same organization, country and PRO: the "
            "credential then reads login and password from it. null unlinks."
        ),
    )
    notes = serializers.CharField(allow_blank=True, allow_null=True, required=False)
    interval = serializers.ChoiceField(choices=Interval.choices, allow_null=True, required=False)
    extra_info = serializers.JSONField(
        allow_null=True, required=False, help_text="A JSON object, or null."
    )
    status = serializers.ChoiceField(choices=CredentialStatus.choices, required=False)


class CredentialUpdateSerializer(CredentialInputSerializer):
    """The body of PUT/PATCH: only the fields given change."""

    report_types = ReportTypesField(required=False)
    pro = serializers.CharField(
        max_length=120, required=False, help_text="PRO name, as in /logins/report_types."
    )


class CredentialSerializer(serializers.ModelSerializer):
    """A credential as the by-country, create and update routes return it."""

    country = serializers.CharField(source="country.code", read_only=True)
    report_type = serializers.CharField(
        source="report_type_codes", read_only=True, help_text='Comma-joined, e.g. "WEEE,Batteries".'
    )
    report_types = serializers.ListField(
        child=serializers.CharField(), source="report_type_list", read_only=True
    )
    pro = serializers.CharField(source="pro.name", read_only=True)
    login = BlankAsNullCharField(
        source="effective_login", help_text="The collective account's login when linked."
    )
    password = serializers.SerializerMethodField(
        help_text=(
            f'Plaintext for admin and staff of the owning organization (each one logged), "{MASK}" '
            "otherwise; null when none is set. The collective account's when linked."
        )
    )
    registration_number = BlankAsNullCharField()
    notes = BlankAsNullCharField()
    collective_account = serializers.BooleanField(
        source="client.collective_account",
        read_only=True,
        help_text="True when this credential is a collective account.",
    )
    collective_account_id = serializers.IntegerField(allow_null=True, read_only=True)

    class Meta:
        model = Credential
        fields = [
            "id",
            "country",
            "report_type",
            "report_types",
            "pro",
            "login",
            "password",
            "registration_number",
            "status",
            "notes",
            "interval",
            "extra_info",
            "collective_account",
            "collective_account_id",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_password(self, credential: Credential) -> str | None:
        secret = credential.effective_password
        if not secret:
            return None
        return secret if self.context.get("reveal") else MASK


class CredentialSearchRowSerializer(CredentialSerializer):
    """A search result: a credential (password masked), or with showMissing an obligation that
    no credential covers (`id` null, `status` "missing")."""

    id = serializers.IntegerField(allow_null=True, read_only=True)
    status = serializers.ChoiceField(choices=SEARCH_ROW_STATUSES, read_only=True)
    pro = serializers.CharField(source="pro.name", allow_null=True, read_only=True)

    class Meta(CredentialSerializer.Meta):
        fields = [
            "id",
            "country",
            "report_type",
            "report_types",
            "pro",
            "login",
            "password",
            "registration_number",
            "status",
            "notes",
            "interval",
            "collective_account_id",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        if isinstance(instance, MissingCredential):
            return {
                "id": None,
                "country": instance.country,
                "report_type": instance.report_type,
                "report_types": [instance.report_type],
                "pro": instance.pro,
                "login": None,
                "password": None,
                "registration_number": None,
                "status": MISSING,
                "notes": None,
                "interval": None,
                "collective_account_id": None,
            }
        return super().to_representation(instance)


class CredentialSearchQuerySerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=(
            "Matches country, report type, PRO, login or registration number (case-insensitive)."
        ),
    )
    showMissing = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Add one row per obligation of the client that no credential covers.",
    )


class LinkedClientSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="client.id")
    name = serializers.CharField(source="client.name")
    credential_id = serializers.IntegerField(source="id")


class CollectiveAccountSerializer(serializers.ModelSerializer):
    """A collective account, with the clients whose credentials read from it."""

    client_id = serializers.IntegerField(read_only=True)
    country = serializers.CharField(source="country.code", read_only=True)
    report_type = serializers.CharField(source="report_type_codes", read_only=True)
    report_types = serializers.ListField(
        child=serializers.CharField(), source="report_type_list", read_only=True
    )
    pro = serializers.CharField(source="pro.name", read_only=True)
    login = BlankAsNullCharField()
    client_name = serializers.CharField(source="client.name", read_only=True)
    linked_clients = LinkedClientSerializer(source="linked_credentials", many=True, read_only=True)

    class Meta:
        model = Credential
        fields = [
            "id",
            "client_id",
            "country",
            "report_type",
            "report_types",
            "pro",
            "login",
            "client_name",
            "linked_clients",
        ]
        read_only_fields = fields


class CollectiveAccountQuerySerializer(serializers.Serializer):
    country = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text='Country codes, e.g. "NL".'
    )
    pro = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text='PRO names, case-insensitive, e.g. "Stichting Open".',
    )


class CredentialMessageSerializer(serializers.Serializer):
    message = serializers.CharField()


class CredentialErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class CredentialConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    dependants = serializers.ListField(child=serializers.CharField())
