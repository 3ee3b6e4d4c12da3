"""Clients and their credentials as an upload's rows leave them, beside what is stored, and
the loading of that state for a chunk of clients (a few IN queries, whatever the rows)."""

from dataclasses import dataclass, field

from clients.models import Alias, Client, ClientStatus, Obligation, Organization
from config.bulk_copy import instance_builder
from credentials.models import Credential, CredentialReportType
from credentials.services import CredentialWrite
from reporting.models import ReportType
from reporting.selectors import Catalog

CLIENT_FIELDS = ("status", "shared", "notes")
# Upload field -> Credential attribute.
CREDENTIAL_ATTRIBUTES = {
    "login": "login",
    "password": "password",
    "registration_number": "registration_number",
    "interval": "interval",
    "credential_status": "status",
}
_credential_instance = instance_builder(
    Credential,
    ["id", "client_id", "country_id", "pro_id", *CREDENTIAL_ATTRIBUTES.values()],
)


@dataclass(slots=True, eq=False)
class CredentialState:
    """A credential as the rows so far leave it. `values` holds login, password,
    registration_number, interval and status; `pk` is None for a new one, and `original` holds
    the stored values of an existing one. A model instance is built only to be written."""

    country_id: object
    pro_id: int
    values: dict[str, object]
    report_types: list[ReportType]
    report_type_ids: set[int]
    pk: int | None = None
    original: dict[str, object] | None = None
    original_report_type_ids: frozenset[int] = frozenset()
    collective: Credential | None = None

    def changed_attributes(self) -> list[str]:
        if self.original is None:
            return []
        return [name for name, value in self.original.items() if self.values[name] != value]

    def added_report_types(self) -> list[ReportType]:
        return [rt for rt in self.report_types if rt.pk not in self.original_report_type_ids]

    @property
    def is_written(self) -> bool:
        return self.original is None or bool(self.changed_attributes() or self.added_report_types())

    def write(self, client: Client) -> CredentialWrite:
        """The write of this credential for `client` (saved already): a new instance, or the
        loaded one with its changed attributes set."""
        values = self.values
        credential = _credential_instance(
            self.pk,
            client.pk,
            self.country_id,
            self.pro_id,
            *[values[name] for name in CREDENTIAL_ATTRIBUTES.values()],
        )
        if self.original is None:
            return CredentialWrite(
                credential=credential,
                report_types=self.report_types,
                added_report_types=self.report_types,
            )
        # Written with bulk_update: the changed fields, the report types and updated_at only.
        credential._state.adding = False
        return CredentialWrite(
            credential=credential,
            report_types=self.report_types,
            added_report_types=self.added_report_types(),
            changed_fields=self.changed_attributes(),
            previous_password=self.original["password"],
        )


@dataclass(slots=True, eq=False)
class ClientState:
    """A client as the rows so far leave it; compared with `original` (and `alias_names`,
    `obligation_pros`) to find the writes. `given` remembers which row gave each value."""

    client: Client
    is_new: bool
    original: dict[str, object] = field(default_factory=dict)
    aliases: dict[str, Alias] = field(default_factory=dict)
    alias_names: dict[str, str] = field(default_factory=dict)
    obligations: list[Obligation] = field(default_factory=list)
    obligation_pros: dict[int, int | None] = field(default_factory=dict)
    credentials: list[CredentialState] = field(default_factory=list)
    valid_rows: int = 0
    given: dict[tuple, tuple[int, object]] = field(default_factory=dict)


def new_client_state(organization: Organization, name: str) -> ClientState:
    """The state of a client the upload creates."""
    client = Client(organization=organization, name=name, status=ClientStatus.ACTIVE)
    return ClientState(client=client, is_new=True)


def client_states_load(
    *, organization: Organization, client_ids: list[int], catalog: Catalog, lock: bool
) -> dict[int, ClientState]:
    """The stored state of the clients `client_ids` of `organization` (locked for the
    transaction with `lock`), by client id; a client deleted meanwhile is left out."""
    if not client_ids:
        return {}
    clients = Client.objects.of(organization).filter(pk__in=client_ids)
    if lock:
        clients = clients.select_for_update()
    states = {
        client.pk: ClientState(
            client=client,
            is_new=False,
            original={name: getattr(client, name) for name in CLIENT_FIELDS},
        )
        for client in clients
    }
    _aliases_load(states, client_ids)
    _obligations_load(states, client_ids)
    _credentials_load(states, client_ids, catalog)
    return states


def _aliases_load(states: dict[int, ClientState], client_ids: list[int]) -> None:
    for alias in Alias.objects.filter(client_id__in=client_ids):
        state = states[alias.client_id]
        state.aliases[alias.scope] = alias
        state.alias_names[alias.scope] = alias.name


def _obligations_load(states: dict[int, ClientState], client_ids: list[int]) -> None:
    for obligation in Obligation.objects.filter(client_id__in=client_ids):
        state = states[obligation.client_id]
        state.obligations.append(obligation)
        state.obligation_pros[obligation.pk] = obligation.pro_id


def _credentials_load(
    states: dict[int, ClientState], client_ids: list[int], catalog: Catalog
) -> None:
    report_type_ids: dict[int, set[int]] = {}
    for credential_id, report_type_id in CredentialReportType.objects.filter(
        client_id__in=client_ids
    ).values_list("credential_id", "report_type_id"):
        report_type_ids.setdefault(credential_id, set()).add(report_type_id)
    by_id = {rt.pk: rt for rt in catalog.report_types.values()}
    attributes = list(CREDENTIAL_ATTRIBUTES.values())
    # Plain values rather than instances: several per client, and most stay unchanged.
    loaded = Credential.objects.filter(client_id__in=client_ids).values_list(
        "pk",
        "client_id",
        "country_id",
        "pro_id",
        "report_type_codes",
        "collective_account_id",
        *attributes,
    )
    linked: list[tuple[CredentialState, int]] = []
    for pk, client_id, country_id, pro_id, codes, collective_id, *stored in loaded:
        ids = report_type_ids.get(pk, set())
        order = {code: position for position, code in enumerate(codes.split(","))}
        values = dict(zip(attributes, stored, strict=True))
        state = CredentialState(
            country_id=country_id,
            pro_id=pro_id,
            values=values,
            report_types=sorted(
                (by_id[rt_id] for rt_id in ids), key=lambda rt: order.get(rt.code, len(order))
            ),
            report_type_ids=set(ids),
            pk=pk,
            original=dict(values),
            original_report_type_ids=frozenset(ids),
        )
        states[client_id].credentials.append(state)
        if collective_id is not None:
            linked.append((state, collective_id))
    _collectives_link(linked)


def _collectives_link(linked: list[tuple[CredentialState, int]]) -> None:
    """Give each linked credential its collective account, whose secrets it shares."""
    if not linked:
        return
    collectives = Credential.objects.select_related("client", "country", "pro").in_bulk(
        {collective_id for _, collective_id in linked}
    )
    for state, collective_id in linked:
        state.collective = collectives[collective_id]
