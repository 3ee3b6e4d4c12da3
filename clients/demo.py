"""A demo portfolio: producer companies across Europe with aliases and obligations.

Includes the seed document's example client (ABC Corporation) and the collective-account
pseudo-client its collective-accounts example names.
"""

from dataclasses import dataclass, field

from clients.models import ClientStatus, Organization
from clients.services import client_create, client_update
from clients.tenancy import clients_of

ACTIVE, ONBOARDING, INACTIVE, ARCHIVED = (
    ClientStatus.ACTIVE,
    ClientStatus.ONBOARDING,
    ClientStatus.INACTIVE,
    ClientStatus.ARCHIVED,
)


@dataclass(frozen=True)
class DemoClient:
    name: str
    status: str = ACTIVE
    notes: str = ""
    aliases: dict[str, str] = field(default_factory=dict)
    # (country, report type, PRO or None)
    obligations: tuple[tuple[str, str, str | None], ...] = ()
    collective_account: bool = False


PORTFOLIO = [
    DemoClient(
        "ABC Corporation",
        notes="Main client for WEEE compliance",
        aliases={"UK": "ABC Corp", "DE": "ABC GmbH"},
        obligations=(
            ("DE", "WEEE", "Stiftung EAR"),
            ("DE", "Batteries", "Stiftung EAR"),
            ("UK", "WEEE", None),
        ),
    ),
    DemoClient(
        "Collective Account - Stichting Open",
        notes="Collective account at Stichting Open used by several clients.",
        collective_account=True,
    ),
    DemoClient(
        "Nordlicht Elektronik GmbH",
        aliases={"*": "Nordlicht"},
        obligations=(
            ("DE", "WEEE", "Stiftung EAR"),
            ("DE", "Batteries", "Stiftung EAR"),
            ("DE", "Packaging", "Der Grüne Punkt (DSD)"),
        ),
    ),
    DemoClient(
        "Brightway Home Appliances Ltd",
        aliases={"FR": "Brightway France SAS"},
        obligations=(
            ("UK", "WEEE", "Valpak"),
            ("UK", "Packaging", "Valpak"),
            ("FR", "WEEE", "ecosystem"),
        ),
    ),
    DemoClient(
        "Maison Lumière SAS",
        notes="Lighting; declares packaging yearly.",
        obligations=(("FR", "Packaging", "Citeo"), ("FR", "WEEE", "Ecologic")),
    ),
    DemoClient(
        "Textiles du Nord SARL",
        obligations=(("FR", "Textiles", "Refashion"),),
    ),
    DemoClient(
        "Van der Berg Fietsen B.V.",
        aliases={"BE": "Van der Berg Vélos"},
        obligations=(
            ("NL", "Batteries", "Stichting OPEN"),
            ("NL", "Packaging", "Afvalfonds Verpakkingen"),
            ("BE", "Batteries", "Bebat"),
        ),
    ),
    DemoClient(
        "Hollandse Keukens B.V.",
        status=ONBOARDING,
        notes="Waiting for the Stichting OPEN registration number.",
        obligations=(("NL", "WEEE", "Stichting OPEN"),),
    ),
    DemoClient(
        "Brabant Verpakking B.V.",
        obligations=(
            ("NL", "Packaging", "Afvalfonds Verpakkingen"),
            ("BE", "Packaging", "Fost Plus"),
        ),
    ),
    DemoClient(
        "Atelier Bruxellois SRL",
        aliases={"*": "Atelier Bruxellois"},
        obligations=(("BE", "Packaging", "Fost Plus"), ("BE", "WEEE", "Recupel")),
    ),
    DemoClient(
        "Solar Ibérica S.L.",
        obligations=(("ES", "WEEE", "Recyclia"), ("ES", "Batteries", "Recyclia")),
    ),
    DemoClient(
        "Cerámica del Sol S.A.",
        status=INACTIVE,
        notes="No sales in Spain since Q3.",
        obligations=(("ES", "Packaging", "Ecoembes"),),
    ),
    DemoClient(
        "Casa Verde Arredamenti S.r.l.",
        aliases={"FR": "Casa Verde France"},
        obligations=(("IT", "Packaging", "CONAI"), ("FR", "Furniture", "Ecomaison")),
    ),
    DemoClient(
        "Milano Audio S.p.A.",
        obligations=(("IT", "WEEE", "Erion WEEE"), ("IT", "Batteries", "Cobat")),
    ),
    DemoClient(
        "Alpenglanz Kosmetik GmbH",
        obligations=(("AT", "Packaging", "ARA"), ("DE", "Packaging", "Interzero")),
    ),
    DemoClient(
        "Donau Tools GmbH",
        obligations=(("AT", "WEEE", "ERA"), ("AT", "Batteries", "ERA")),
    ),
    DemoClient(
        "Wisła Electronics Sp. z o.o.",
        aliases={"*": "Wisla Electronics"},
        obligations=(("PL", "WEEE", "ElektroEko"), ("PL", "Packaging", "Rekopol")),
    ),
    DemoClient(
        "Kraków Home Sp. z o.o.",
        status=ARCHIVED,
        notes="Contract ended 2024.",
        obligations=(("PL", "Packaging", "Rekopol"),),
    ),
    DemoClient(
        "Greenleaf Garden Supplies Ltd",
        obligations=(("UK", "Packaging", "Comply Direct"),),
    ),
    DemoClient(
        "Thames Toys Ltd",
        aliases={"DE": "Thames Toys GmbH"},
        obligations=(
            ("UK", "Batteries", "Valpak"),
            ("UK", "Packaging", "Valpak"),
            ("DE", "Packaging", "Landbell"),
        ),
    ),
    DemoClient(
        "Nordic Outdoor AB",
        aliases={"DE": "Nordic Outdoor Deutschland GmbH"},
        obligations=(("SE", "WEEE", "El-Kretsen"), ("DE", "Packaging", None)),
    ),
    DemoClient(
        "Kitchen Pro Europe Ltd",
        notes="Small kitchen appliances sold on marketplaces in six countries.",
        aliases={"DE": "Kitchen Pro Deutschland GmbH", "FR": "Kitchen Pro France SAS"},
        obligations=(
            ("DE", "WEEE", "Stiftung EAR"),
            ("FR", "WEEE", "ecosystem"),
            ("NL", "WEEE", "Stichting OPEN"),
            ("BE", "WEEE", "Recupel"),
            ("ES", "WEEE", "Ecolec"),
            ("IT", "WEEE", "Ecodom"),
        ),
    ),
    DemoClient(
        "PetCare Direct B.V.",
        obligations=(
            ("NL", "Packaging", "Afvalfonds Verpakkingen"),
            ("DE", "Packaging", None),
            ("FR", "Packaging", "Léko"),
        ),
    ),
    DemoClient(
        "Lumen LED Solutions GmbH",
        status=ARCHIVED,
        obligations=(("DE", "WEEE", "Stiftung EAR"), ("AT", "WEEE", "UFH")),
    ),
    DemoClient(
        "Boulangerie Emballages SAS",
        obligations=(("FR", "Packaging", "Léko"), ("FR", "Paper", "Citeo")),
    ),
    DemoClient(
        "Ecomoda Textil S.L.",
        aliases={"FR": "Ecomoda France"},
        obligations=(("ES", "Packaging", "Ecoembes"), ("FR", "Textiles", "Refashion")),
    ),
    DemoClient(
        "Velo Italia S.r.l.",
        obligations=(("IT", "Batteries", "Cobat"), ("FR", "Batteries", "Corepile")),
    ),
    DemoClient(
        "BeautyBox Online Ltd",
        status=ONBOARDING,
        obligations=(
            ("UK", "Packaging", None),
            ("DE", "Packaging", "Landbell"),
            ("FR", "Packaging", "Citeo"),
        ),
    ),
    DemoClient(
        "SmartHome Systems GmbH",
        aliases={"NL": "SmartHome Systems Nederland B.V."},
        obligations=(
            ("DE", "WEEE", "Stiftung EAR"),
            ("DE", "Batteries", "Stiftung EAR"),
            ("NL", "WEEE", "Stichting OPEN"),
        ),
    ),
    DemoClient(
        "Kaffeerösterei Hamburg GmbH",
        obligations=(("DE", "Packaging", "Reclay Systems"),),
    ),
    DemoClient(
        "Polar Cooling A/S",
        obligations=(("DE", "WEEE", "Stiftung EAR"), ("DK", "WEEE", None)),
    ),
    DemoClient(
        "Iberia Pharma Packaging S.A.",
        aliases={"PT": "Iberia Pharma Portugal Lda"},
        obligations=(
            ("PT", "Packaging", "Sociedade Ponto Verde"),
            ("ES", "Packaging", "Ecoembes"),
        ),
    ),
    DemoClient(
        "Gadget Galaxy Ltd",
        status=INACTIVE,
        obligations=(("UK", "WEEE", "Comply Direct"), ("IE", "WEEE", "WEEE Ireland")),
    ),
    DemoClient(
        "Möbelwerk Süd GmbH",
        obligations=(("DE", "Packaging", None), ("FR", "Furniture", "Valdelia")),
    ),
    DemoClient(
        "Office Essentials B.V.",
        obligations=(
            ("BE", "Packaging", "Valipac"),
            ("NL", "Packaging", "Afvalfonds Verpakkingen"),
        ),
    ),
    DemoClient(
        "Luxembourg Lighting S.à r.l.",
        obligations=(("LU", "WEEE", "Ecotrel"), ("BE", "WEEE", "Recupel")),
    ),
    DemoClient(
        "Bohemia Glassworks s.r.o.",
        aliases={"DE": "Bohemia Glas GmbH"},
        obligations=(("CZ", "Packaging", "EKO-KOM"), ("DE", "Packaging", None)),
    ),
]


def seed(*, organization: Organization) -> None:
    """Create (or bring back to the demo state) the demo portfolio of `organization`."""
    for demo in PORTFOLIO:
        fields = {
            "status": demo.status,
            "notes": demo.notes,
            "collective_account": demo.collective_account,
            "aliases": demo.aliases,
            "obligations": [
                {"country": country, "report_type": report_type, "pro": pro}
                for country, report_type, pro in demo.obligations
            ],
        }
        client = clients_of(organization).filter(name__iexact=demo.name).first()
        if client is None:
            client_create(organization=organization, name=demo.name, **fields)
        else:
            client_update(client=client, changes=fields)
