"""The bodies and answers of the credential routes; the bulk upload's are in bulk_serializers."""

from collections.abc import Mapping

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clients.limits import (
    EXTRA_INFO_MAX_BYTES,
    EXTRA_INFO_MAX_DEPTH,
    LOGIN_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    REGISTRATION_NUMBER_MAX_LENGTH,
)
from config.strict_input import UnknownFieldsRefusedMixin
from credentials.models import MASK, Credential, CredentialStatus, Interval
from credentials.selectors import MissingCredential
from credentials.services import NOTHING_REVEALED
from reporting.selectors import Catalog, CatalogLookupError

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


class CredentialInputSerializer(UnknownFieldsRefusedMixin, serializers.Serializer):
    """The body of POST `.../credentials/{country}`. Report types come as `report_types` or
    as `report_type`, the name responses use; `id`, as responses carry it, is ignored."""

    ignored_fields = frozenset({"id"})
    report_types_required = True

    report_types = ReportTypesField(
        required=False, help_text="Report type codes, a list or a comma-separated string."
    )
    report_type = ReportTypesField(
        required=False,
        help_text='The same as report_types, under the name responses use ("WEEE,Batteries").',
    )
    pro = serializers.CharField(max_length=120, help_text="PRO name, as in /logins/report_types.")
    login = serializers.CharField(
        max_length=LOGIN_MAX_LENGTH, allow_blank=True, allow_null=True, required=False
    )
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
        max_length=REGISTRATION_NUMBER_MAX_LENGTH, allow_blank=True, allow_null=True, required=False
    )
    collective_account = serializers.BooleanField(
        required=False,
        help_text=(
            "On an ordinary client: true links the credential to the collective account "
            "collective_account_id names (the id is then required), false unlinks it. On a "
            "collective-account client its credentials are collective accounts whatever is sent."
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
    notes = serializers.CharField(
        allow_blank=True, allow_null=True, required=False, max_length=NOTES_MAX_LENGTH
    )
    interval = serializers.ChoiceField(choices=Interval.choices, allow_null=True, required=False)
    extra_info = serializers.JSONField(
        allow_null=True,
        required=False,
        help_text=(
            f"A JSON object of at most {EXTRA_INFO_MAX_BYTES} bytes (10 KB) as compact UTF-8 "
            f"JSON and {EXTRA_INFO_MAX_DEPTH} levels of nesting, or null."
        ),
    )
    status = serializers.ChoiceField(choices=CredentialStatus.choices, required=False)

    @property
    def report_types_field(self) -> str:
        """The name the request gave report types under, to answer their errors under it."""
        data = self.initial_data if isinstance(self.initial_data, Mapping) else {}
        return (
            "report_type"
            if "report_type" in data and "report_types" not in data
            else ("report_types")
        )

    def validate(self, attrs):
        if "report_type" in attrs:
            codes = attrs.pop("report_type")
            if "report_types" in attrs and attrs["report_types"] != codes:
                raise serializers.ValidationError(
                    {"report_type": ["report_type and report_types differ; send one of them."]}
                )
            attrs["report_types"] = codes
        if self.report_types_required and "report_types" not in attrs:
            raise serializers.ValidationError(
                {
                    "report_types": [
                        "This field is required (or report_type, a comma-separated string)."
                    ]
                }
            )
        return attrs


class CredentialUpdateSerializer(CredentialInputSerializer):
    """The body of PUT/PATCH: only the fields given change."""

    report_types_required = False
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
        source="in_collective_account",
        read_only=True,
        help_text="True when this credential is a collective account or is linked to one.",
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
        """The plaintext credentials.services.secrets_reveal handed out for this credential
        (context "revealed"), the mask otherwise: this serializer never decrypts."""
        if not credential.has_password:
            return None
        revealed = self.context.get("revealed", NOTHING_REVEALED)
        return revealed.passwords.get(credential.pk, MASK)


class CredentialSearchRowSerializer(CredentialSerializer):
    """A search result: a credential (password masked), or with showMissing an obligation that
    no credential covers (`id` null, `status` "missing")."""

    id = serializers.IntegerField(allow_null=True, read_only=True)
    status = serializers.ChoiceField(choices=SEARCH_ROW_STATUSES, read_only=True)
    report_type = serializers.CharField(
        source="report_type_codes",
        allow_null=True,
        read_only=True,
        help_text='Comma-joined, e.g. "WEEE,Batteries"; null for a missing credential of an '
        "obligation that names only its country.",
    )
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
                "report_types": [instance.report_type] if instance.report_type else [],
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
    id = serializers.IntegerField()
    name = serializers.CharField()
    credential_id = serializers.IntegerField()


class CollectiveAccountSerializer(serializers.Serializer):
    """A collective account, with the clients whose credentials read from it."""

    id = serializers.IntegerField(read_only=True)
    client_id = serializers.IntegerField(read_only=True)
    country = serializers.CharField(source="country_code", read_only=True)
    report_type = serializers.CharField(source="report_type_codes", read_only=True)
    report_types = serializers.ListField(child=serializers.CharField(), read_only=True)
    pro = serializers.CharField(source="pro_name", read_only=True)
    login = BlankAsNullCharField()
    client_name = serializers.CharField(read_only=True)
    linked_clients = LinkedClientSerializer(many=True, read_only=True)

    def to_representation(self, row: dict) -> dict:
        # What the fields above render from a row of credentials.selectors.collective_accounts,
        # built directly: field by field, thousands of accounts and links took most of a large
        # portfolio's response time.
        return {
            "id": row["id"],
            "client_id": row["client_id"],
            "country": row["country_code"],
            "report_type": row["report_type_codes"],
            "report_types": row["report_types"],
            "pro": row["pro_name"],
            "login": row["login"] or None,
            "client_name": row["client_name"],
            "linked_clients": row["linked_clients"],
        }


class CollectiveAccountQuerySerializer(serializers.Serializer):
    country = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text='Country codes, comma-separated or repeated, e.g. "NL". Unknown codes answer '
        "400 naming the valid ones.",
    )
    pro = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text='PRO names, case-insensitive, comma-separated or repeated, e.g. "Stichting Open".',
    )

    def validate_country(self, value: str) -> str:
        catalog = Catalog.load()
        errors = []
        for code in (part.strip() for part in value.split(",")):
            if code:
                try:
                    catalog.country(code)
                except CatalogLookupError as error:
                    errors.append(error.message)
        if errors:
            raise serializers.ValidationError(errors)
        return value
