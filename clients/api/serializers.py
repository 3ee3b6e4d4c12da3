from collections.abc import Mapping

from django.contrib.auth import get_user_model
from rest_framework import serializers

from clients.limits import NAME_MAX_LENGTH, NOTES_MAX_LENGTH
from clients.models import Client, Organization, Role
from clients.selectors import client_aliases, client_obligations
from config.strict_input import UnknownFieldsRefusedMixin


class AliasesField(serializers.DictField):
    """`{scope: name}`: scope is a country code, or `*` for the global alias."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            "Names of the client by scope: a country code, or * for the global alias.",
        )
        super().__init__(
            child=serializers.CharField(max_length=NAME_MAX_LENGTH, allow_blank=False), **kwargs
        )

    def get_attribute(self, instance):
        return instance

    def to_representation(self, client):
        return client_aliases(client)


class NotesField(serializers.CharField):
    """Free text; answered as null when empty, and null is accepted for "no notes"."""

    def __init__(self, **kwargs):
        super().__init__(
            allow_blank=True,
            allow_null=True,
            required=False,
            max_length=NOTES_MAX_LENGTH,
            help_text=f"Free text, at most {NOTES_MAX_LENGTH} characters. null when empty.",
            **kwargs,
        )

    def to_representation(self, value):
        return value or None


class ObligationInputSerializer(UnknownFieldsRefusedMixin, serializers.Serializer):
    """A report the client must file: country and, optionally, the report type and the PRO
    (a country alone: the client operates there)."""

    country = serializers.CharField(max_length=8, help_text="Country code, e.g. DE.")
    report_type = serializers.CharField(
        max_length=40,
        allow_null=True,
        allow_blank=True,
        required=False,
        default=None,
        help_text="Report type code, e.g. WEEE; null when only the country is known.",
    )
    pro = serializers.CharField(
        max_length=120,
        allow_null=True,
        allow_blank=True,
        required=False,
        default=None,
        help_text="PRO name, or null when any PRO will do.",
    )


class ObligationSerializer(serializers.Serializer):
    """A report the client must file: country, report type (null: only the country is known)
    and the PRO (null: any)."""

    country = serializers.CharField(read_only=True, help_text="Country code, e.g. DE.")
    report_type = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Report type code, e.g. WEEE; null when the obligation names the country alone.",
    )
    pro = serializers.CharField(
        read_only=True, allow_null=True, help_text="PRO name, or null when any PRO will do."
    )


class ObligationsField(serializers.ListField):
    """The client's obligations, read with one query (`client_obligations`)."""

    def __init__(self, **kwargs):
        super().__init__(child=ObligationSerializer(), **kwargs)

    def get_attribute(self, instance):
        return instance

    def to_representation(self, client):
        return client_obligations(client)


class FieldsBuiltOnceMixin:
    """For read-only ModelSerializers: their fields are built from the model once per class,
    each instance gets copies. ModelSerializer builds them again at every instantiation, which
    was most of the Python time of a client's answer; what it builds depends only on the class
    (its Meta and declared fields).

    The copies are shallow: each instance binds its own field objects (their name and parent),
    while what the fields hold (validators, options, a list field's child) is shared. A shared
    child stays bound to the template field, not to this serializer, so none of these
    serializers may have a child that reads `context`, `parent` or `root` (their list fields'
    children are plain fields, or unused where the field renders itself). DRF's deep copy
    would build every field again, at a cost close to building them from the model."""

    def get_fields(self):
        built = type(self).__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            type(self)._fields_built_once = built
        return {name: _shallow_copy(field) for name, field in built.items()}


def _shallow_copy(field):
    """As `copy.copy(field)`, without the reduce protocol that takes two thirds of its time."""
    duplicate = object.__new__(type(field))
    duplicate.__dict__.update(field.__dict__)
    return duplicate


class ClientSummarySerializer(FieldsBuiltOnceMixin, serializers.ModelSerializer):
    """A client as the list shows it."""

    aliases = AliasesField(read_only=True)
    notes = NotesField(read_only=True)

    class Meta:
        model = Client
        fields = ["id", "name", "status", "aliases", "notes"]
        read_only_fields = fields


class ClientListItemSerializer(ClientSummarySerializer):
    """A client as the list shows it: the seed's fields and a summary of its portfolio
    (`portfolio_summary`, a ClientPortfolioSummary the list sets on each client)."""

    countries = serializers.ListField(
        child=serializers.CharField(),
        source="portfolio_summary.countries",
        read_only=True,
        help_text="Country codes of its credentials and obligations, sorted.",
    )
    report_types = serializers.ListField(
        child=serializers.CharField(),
        source="portfolio_summary.report_types",
        read_only=True,
        help_text="Report type codes of its credentials and obligations, sorted.",
    )
    credential_count = serializers.IntegerField(
        source="portfolio_summary.credential_count", read_only=True
    )
    missing_count = serializers.IntegerField(
        source="portfolio_summary.missing_count",
        read_only=True,
        help_text="Obligations that no credential covers (the rows credentials search adds "
        "with showMissing=true).",
    )

    class Meta(ClientSummarySerializer.Meta):
        fields = [
            *ClientSummarySerializer.Meta.fields,
            "countries",
            "report_types",
            "credential_count",
            "missing_count",
        ]
        read_only_fields = fields


class ClientNamesSerializer(FieldsBuiltOnceMixin, serializers.ModelSerializer):
    """A client's names, as the local-company-name route answers."""

    aliases = AliasesField(read_only=True)
    notes = NotesField(read_only=True)

    class Meta:
        model = Client
        fields = ["id", "name", "aliases", "notes"]
        read_only_fields = fields


CLIENT_ORGANIZATION_HELP = (
    "Id of the organization that is this client itself, or null. Only an organization "
    "that agreed to be this client: created by the agency for it, or whose admin "
    "accepted the agency's invitation for it; any other id is refused as unknown."
)


class ClientSerializer(FieldsBuiltOnceMixin, serializers.ModelSerializer):
    """One client, as the create, get and update routes answer it."""

    aliases = AliasesField(read_only=True)
    notes = NotesField(read_only=True)
    client_organization = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text=CLIENT_ORGANIZATION_HELP,
    )
    obligations = ObligationsField(read_only=True)

    class Meta:
        model = Client
        fields = [
            "id",
            "name",
            "status",
            "shared",
            "aliases",
            "notes",
            "client_organization",
            "collective_account",
            "obligations",
        ]
        read_only_fields = fields


class ClientWriteSerializer(UnknownFieldsRefusedMixin, serializers.ModelSerializer):
    """A client's fields on create and update. All optional: PUT and PATCH change only what is
    given; creating needs `client_name` (or `name`). `id`, as a GET answers it, is ignored."""

    ignored_fields = frozenset({"id"})

    name = serializers.CharField(
        max_length=NAME_MAX_LENGTH, required=False, help_text="Also accepted as client_name."
    )
    client_name = serializers.CharField(
        max_length=NAME_MAX_LENGTH,
        required=False,
        help_text="The client's name (the seed's field; `name` works too).",
    )
    aliases = AliasesField(required=False)
    notes = NotesField()
    client_organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(),
        allow_null=True,
        required=False,
        help_text=CLIENT_ORGANIZATION_HELP,
    )
    obligations = ObligationInputSerializer(
        many=True,
        required=False,
        help_text="What the client must report; when given, replaces the client's obligations.",
    )

    class Meta:
        model = Client
        fields = [
            "client_name",
            "name",
            "status",
            "shared",
            "aliases",
            "notes",
            "client_organization",
            "collective_account",
            "obligations",
        ]
        extra_kwargs = {
            "status": {"required": False},
            "shared": {"required": False},
            "collective_account": {"required": False},
        }

    @property
    def name_field(self) -> str:
        """The field the request named the client with, under which name errors are answered:
        `name` when only it was sent, else the seed's `client_name`."""
        data = self.initial_data if isinstance(self.initial_data, Mapping) else {}
        return "name" if "name" in data and "client_name" not in data else "client_name"

    def validate(self, attrs):
        client_name = attrs.pop("client_name", None)
        if client_name is not None:
            if "name" in attrs and attrs["name"] != client_name:
                raise serializers.ValidationError(
                    {"client_name": ["client_name and name differ; send one of them."]}
                )
            attrs["name"] = client_name
        if self.instance is None and "name" not in attrs:
            raise serializers.ValidationError({"client_name": ["This field is required."]})
        return attrs


class AliasInputSerializer(UnknownFieldsRefusedMixin, serializers.Serializer):
    alias = serializers.CharField(max_length=NAME_MAX_LENGTH)
    country = serializers.CharField(
        max_length=8,
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text="Country code the alias is for; left out, null or * for a global alias.",
    )


class LocalCompanyNameSerializer(UnknownFieldsRefusedMixin, serializers.Serializer):
    local_company_name = serializers.CharField(max_length=NAME_MAX_LENGTH)


class ClientStatsSerializer(serializers.Serializer):
    total_clients = serializers.IntegerField()
    by_country = serializers.DictField(
        child=serializers.IntegerField(), help_text="Clients per country code."
    )
    by_report_type = serializers.DictField(
        child=serializers.IntegerField(), help_text="Clients per report type."
    )
    by_status = serializers.DictField(
        child=serializers.IntegerField(), help_text="Clients per status."
    )


class AliasConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    aliases = serializers.DictField(
        child=serializers.CharField(),
        help_text="The aliases concerned, by scope (a country code or * for the global alias).",
    )


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class AccountUserSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["id", "username", "email", "first_name", "last_name"]


class AccountOrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name"]


class MeSerializer(serializers.Serializer):
    """A member, read from their membership: who they are, where, and what their role allows."""

    user = AccountUserSerializer()
    organization = AccountOrganizationSerializer()
    role = serializers.ChoiceField(choices=Role.choices)
    can_write = serializers.BooleanField(
        help_text="May create, change and delete clients and credentials (admin, staff)."
    )
    can_reveal = serializers.BooleanField(
        source="can_reveal_passwords",
        help_text="Sees plaintext passwords where the API reveals them (admin, staff); "
        'otherwise they read "***".',
    )
    can_manage_keys = serializers.BooleanField(
        help_text="May manage users and organization API keys (admin)."
    )


class AuthTokenSerializer(MeSerializer):
    """The login's answer: the token, and the same account details as `GET /logins/me`."""

    token = serializers.CharField(
        source="user.auth_token.key",
        help_text="Send it on every request as `Authorization: Token <token>`.",
    )
