"""Demo credentials: portal logins of the demo clients, two collective accounts with the
clients linked to them, and obligations left uncovered so that showMissing has rows to show.

Works whatever clients exist (a missing one is created) and is safe to run again: existing
credentials and obligations are left as they are.
"""

from dataclasses import dataclass, field

from clients.models import Client, Obligation, Organization
from clients.services import client_create, client_update
from clients.tenancy import clients_of
from credentials.models import Credential, Interval
from credentials.services import credential_create, credential_update
from reporting.models import Country, Pro, ReportType

COLLECTIVE_OPEN = "Collective Account - Stichting Open"
COLLECTIVE_VALPAK = "Collective Account - Valpak"


@dataclass(frozen=True)
class DemoCredential:
    client: str
    country: str
    pro: str
    report_types: str
    login: str = ""
    portal_password: str = ""
    registration_number: str = ""
    interval: str | None = None
    status: str = "active"
    notes: str = ""
    extra_info: dict | None = None
    # The client name of the collective account this credential reads its login from.
    collective: str | None = None
    previous_password: str | None = None
    obligations: tuple[tuple[str, str, str | None], ...] = field(default=())


COLLECTIVE_ACCOUNTS = [
    DemoCredential(
        COLLECTIVE_OPEN,
        "NL",
        "Stichting OPEN",
        "WEEE,Batteries",
        login="collective@example.com",
        portal_password="Open-Collective-2024!",
        registration_number="OPEN-COLL-001",
        interval=Interval.QUARTERLY,
        notes="Shared by the agency's Dutch WEEE and battery clients.",
    ),
    DemoCredential(
        COLLECTIVE_VALPAK,
        "UK",
        "Valpak",
        "Packaging",
        login="valpak-collective@example.com",
        portal_password="Valpak-Collective-7!",
        registration_number="VPK-COLL-17",
        interval=Interval.HALF_YEARLY,
    ),
]

CREDENTIALS = [
    DemoCredential(
        "ABC Corporation",
        "DE",
        "Stiftung EAR",
        "WEEE,Batteries",
        login="username@example.com",
        portal_password="secure_password",
        registration_number="DE123456",
        interval=Interval.QUARTERLY,
        notes="Main credential",
        previous_password="first_password",
        # UK WEEE and FR Textiles stay uncovered: showMissing lists them.
        obligations=(
            ("DE", "WEEE", "Stiftung EAR"),
            ("UK", "WEEE", None),
            ("FR", "Textiles", None),
        ),
    ),
    DemoCredential(
        "Hollandse Keukens B.V.",
        "NL",
        "Stichting OPEN",
        "WEEE",
        registration_number="NL-OPEN-4411",
        collective=COLLECTIVE_OPEN,
        status="pending",
    ),
    DemoCredential(
        "Van der Berg Fietsen B.V.",
        "NL",
        "Stichting OPEN",
        "Batteries",
        registration_number="NL-OPEN-2093",
        collective=COLLECTIVE_OPEN,
        obligations=(("BE", "Batteries", "Bebat"),),
    ),
    DemoCredential(
        "Van der Berg Fietsen B.V.",
        "NL",
        "Afvalfonds Verpakkingen",
        "Packaging",
        login="fietsen@vdberg.example",
        portal_password="Afval-Fiets-33",
        registration_number="AFV-88120",
        interval=Interval.YEARLY,
    ),
    DemoCredential(
        "Kitchen Pro Europe Ltd",
        "DE",
        "Stiftung EAR",
        "WEEE",
        login="ear@kitchenpro.example",
        portal_password="Kp-EAR-2024",
        registration_number="WEEE-Reg.-Nr. DE 12345678",
        interval=Interval.MONTHLY,
    ),
    DemoCredential(
        "Kitchen Pro Europe Ltd",
        "FR",
        "ecosystem",
        "WEEE",
        login="ecosystem@kitchenpro.example",
        portal_password="Kp-Eco-2024",
        registration_number="FR-ECO-55021",
        interval=Interval.QUARTERLY,
    ),
    DemoCredential(
        "Kitchen Pro Europe Ltd",
        "NL",
        "Stichting OPEN",
        "WEEE",
        registration_number="NL-OPEN-7310",
        collective=COLLECTIVE_OPEN,
        # BE, ES and IT WEEE stay uncovered.
        obligations=(("BE", "WEEE", "Recupel"), ("ES", "WEEE", "Ecolec"), ("IT", "WEEE", "Ecodom")),
    ),
    DemoCredential(
        "SmartHome Systems GmbH",
        "DE",
        "Stiftung EAR",
        "WEEE,Batteries",
        login="ear@smarthome.example",
        portal_password="SmartEAR!9",
        registration_number="DE87654321",
        interval=Interval.QUARTERLY,
    ),
    DemoCredential(
        "SmartHome Systems GmbH",
        "NL",
        "Stichting OPEN",
        "WEEE",
        registration_number="NL-OPEN-9902",
        collective=COLLECTIVE_OPEN,
    ),
    DemoCredential(
        "Nordlicht Elektronik GmbH",
        "DE",
        "Stiftung EAR",
        "WEEE",
        login="nordlicht-ear",
        portal_password="Nord-EAR-11",
        registration_number="DE55501234",
        interval=Interval.MONTHLY,
        # DE Batteries stays uncovered.
        obligations=(("DE", "Batteries", "Stiftung EAR"),),
    ),
    DemoCredential(
        "Nordlicht Elektronik GmbH",
        "DE",
        "Der Grüne Punkt (DSD)",
        "Packaging",
        login="nordlicht@dsd.example",
        portal_password="Gruener-Punkt-5",
        registration_number="DSD-440021",
        interval=Interval.YEARLY,
    ),
    DemoCredential(
        "Maison Lumière SAS",
        "FR",
        "Citeo",
        "Packaging",
        login="citeo@maisonlumiere.example",
        portal_password="Citeo-Lum-2024",
        registration_number="FR-CITEO-302115",
        interval=Interval.YEARLY,
    ),
    DemoCredential(
        "Maison Lumière SAS",
        "FR",
        "Ecologic",
        "WEEE",
        login="ecologic@maisonlumiere.example",
        status="invalid",
        notes="Portal says the password expired; new one requested.",
    ),
    DemoCredential(
        "Textiles du Nord SARL",
        "FR",
        "Refashion",
        "Textiles",
        login="refashion@textilesdunord.example",
        portal_password="Refash-TdN-8",
        registration_number="FR-REF-77001",
        interval=Interval.HALF_YEARLY,
        extra_info={"portal": "https://refashion.fr", "contact": "Claire Martin"},
    ),
    DemoCredential(
        "Thames Toys Ltd",
        "UK",
        "Valpak",
        "Batteries",
        login="thames@valpak.example",
        portal_password="Thames-Batt-3",
        registration_number="VPK-TT-0042",
        interval=Interval.QUARTERLY,
    ),
    DemoCredential(
        "Thames Toys Ltd",
        "UK",
        "Valpak",
        "Packaging",
        registration_number="VPK-TT-0043",
        collective=COLLECTIVE_VALPAK,
        # DE Packaging with Landbell stays uncovered.
        obligations=(("DE", "Packaging", "Landbell"),),
    ),
    DemoCredential(
        "Solar Ibérica S.L.",
        "ES",
        "Recyclia",
        "WEEE,Batteries",
        login="solar@recyclia.example",
        portal_password="Recyclia-Sol-1",
        registration_number="ES-RAEE-001234",
        interval=Interval.MONTHLY,
    ),
]


def _client(organization: Organization, name: str, *, collective: bool) -> Client:
    client = clients_of(organization).filter(name__iexact=name).first()
    if client is None:
        return client_create(organization=organization, name=name, collective_account=collective)
    if collective and not client.collective_account:
        return client_update(client=client, changes={"collective_account": True})
    return client


def _ensure_obligations(client: Client, obligations) -> None:
    for country_code, report_type_code, pro_name in obligations:
        country = Country.objects.get(code=country_code)
        pro = Pro.objects.get(country=country, name=pro_name) if pro_name else None
        Obligation.objects.get_or_create(
            client=client,
            country=country,
            report_type=ReportType.objects.get(code=report_type_code),
            pro=pro,
        )


def _ensure_credential(
    organization: Organization,
    demo: DemoCredential,
    *,
    collective_client: bool = False,
    collective_account_id: int | None = None,
) -> Credential:
    client = _client(organization, demo.client, collective=collective_client)
    _ensure_obligations(client, demo.obligations)
    existing = Credential.objects.filter(
        client=client,
        country__code=demo.country,
        pro__name=demo.pro,
        report_type_links__report_type__code__in=demo.report_types.split(","),
    ).first()
    if existing is not None:
        return existing
    credential = credential_create(
        client=client,
        country=demo.country,
        pro=demo.pro,
        report_types=demo.report_types,
        login=demo.login,
        password=demo.previous_password or demo.portal_password,
        registration_number=demo.registration_number,
        status=demo.status,
        notes=demo.notes,
        interval=demo.interval,
        extra_info=demo.extra_info,
        collective_account_id=collective_account_id,
    )
    if demo.previous_password:
        credential_update(credential=credential, password=demo.portal_password)
    return credential


def seed(*, organization: Organization) -> None:
    """Add the demo credentials, collective accounts and uncovered obligations."""
    collective_ids = {
        demo.client: _ensure_credential(organization, demo, collective_client=True).pk
        for demo in COLLECTIVE_ACCOUNTS
    }
    for demo in CREDENTIALS:
        _ensure_credential(
            organization, demo, collective_account_id=collective_ids.get(demo.collective)
        )
