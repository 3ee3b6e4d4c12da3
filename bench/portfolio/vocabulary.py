"""The words, weights and sizes the bench portfolio is drawn from."""

from clients.models import ClientStatus
from credentials.models import CredentialStatus, Interval

BENCH_ORGANIZATION = "Bench Agency"
# Clients a measurement adds beside the generated portfolio (the admin bench's hub client) are
# named with this prefix, which no generated name has: the portfolio's size leaves them out.
HARNESS_CLIENT_PREFIX = "Bench "
BENCH_USERNAME = "bench"
COLLECTIVE_SHARE = 0.01
COLLECTIVE_CREDENTIALS_PER_ACCOUNT = 2
LINKED_SHARE = 0.04
SEED = 20240601
# Regular clients per shard: fixed, so that the portfolio does not depend on the workers.
SHARD_CLIENTS = 20_000

ADJECTIVES = [
    "Nordic",
    "Alpine",
    "Atlantic",
    "Baltic",
    "Blue",
    "Bright",
    "Central",
    "Clear",
    "Coastal",
    "Crystal",
    "Delta",
    "Eastern",
    "Euro",
    "First",
    "Global",
    "Golden",
    "Green",
    "Grand",
    "Harbor",
    "Iron",
    "Lake",
    "Lunar",
    "Metro",
    "Midland",
    "Modern",
    "Noble",
    "Ocean",
    "Pacific",
    "Prime",
    "Rapid",
    "Red",
    "River",
    "Royal",
    "Silver",
    "Smart",
    "Solar",
    "Summit",
    "Swift",
    "United",
    "Urban",
]
NOUNS = [
    "Falcon",
    "Oak",
    "Bridge",
    "Harbour",
    "Peak",
    "Arrow",
    "Beacon",
    "Cedar",
    "Crown",
    "Eagle",
    "Forge",
    "Fox",
    "Gate",
    "Hawk",
    "Horizon",
    "Lion",
    "Maple",
    "Meadow",
    "Orbit",
    "Pine",
    "Pioneer",
    "Quest",
    "Ridge",
    "Rock",
    "Sail",
    "Spark",
    "Star",
    "Stone",
    "Tide",
    "Tower",
    "Trail",
    "Valley",
    "Vector",
    "Wave",
    "Willow",
    "Wolf",
    "Anchor",
    "Compass",
    "Crest",
    "Ember",
]
SECTORS = (
    "Electronics",
    "Packaging",
    "Textiles",
    "Home",
    "Furniture",
    "Toys",
    "Lighting",
    "Appliances",
    "Tools",
    "Garden",
    "Cosmetics",
    "Foods",
    "Beverages",
    "Sports",
    "Fashion",
    "Power",
    "Audio",
    "Kitchen",
    "Pet Supplies",
    "Office",
    "Outdoor",
    "Baby",
    "Bikes",
    "Medical",
    "Optics",
    "Solar Systems",
    "Gadgets",
    "Crafts",
    "Stationery",
    "Trading",
)
HOME_LEGAL_FORMS = (
    "GmbH",
    "SAS",
    "B.V.",
    "S.r.l.",
    "S.L.",
    "Ltd",
    "AB",
    "sp. z o.o.",
    "s.r.o.",
    "AG",
    "ApS",
    "Oy",
    "Inc.",
    "Co., Ltd.",
    "Limited",
    "SRL",
)
LOCAL_LEGAL_FORMS = {
    "AT": "GmbH",
    "BE": "SRL",
    "CH": "AG",
    "CZ": "s.r.o.",
    "DE": "GmbH",
    "DK": "ApS",
    "ES": "S.L.",
    "FI": "Oy",
    "FR": "SAS",
    "IE": "Ltd",
    "IT": "S.r.l.",
    "LU": "S.à r.l.",
    "NL": "B.V.",
    "NO": "AS",
    "PL": "sp. z o.o.",
    "PT": "Lda.",
    "SE": "AB",
    "SK": "s.r.o.",
    "UK": "Ltd",
}
# Where an agency's clients report, roughly: Germany and France dominate.
COUNTRY_WEIGHTS = {"DE": 22, "FR": 18, "UK": 10, "NL": 8, "IT": 8, "ES": 8, "BE": 5, "AT": 5}
OTHER_COUNTRY_WEIGHT = 2
CLIENT_NOTES = (
    "Key account, quarterly review with the client.",
    "Marketplace seller (Amazon, Zalando).",
    "Onboarding documents pending from the client.",
    "Invoices go to the group's Dutch entity.",
    "Contact prefers e-mail, never phone.",
    "Took over from previous agency in 2023.",
)
CREDENTIAL_NOTES = (
    "Portal requires 2FA via the client's phone.",
    "Main credential",
    "Password rotated by the PRO every 90 days.",
    "Shared with the client's accountant.",
)
PASSWORDS = (
    "Winter-2024!",
    "c0mpl1ance#EPR",
    "S3cure!Portal",
    "Pr0-Login*77",
    "Qx7!mR2#vL9p",
    "Recycle&Report1",
    "Tr1cky$Pass",
    "Lucid#Reg2025",
)
STATUS_WEIGHTS = {
    ClientStatus.ACTIVE: 70,
    ClientStatus.ONBOARDING: 15,
    ClientStatus.INACTIVE: 10,
    ClientStatus.ARCHIVED: 5,
}
CREDENTIAL_STATUS_WEIGHTS = {
    CredentialStatus.ACTIVE: 80,
    CredentialStatus.PENDING: 8,
    CredentialStatus.INACTIVE: 8,
    CredentialStatus.INVALID: 4,
}
INTERVAL_WEIGHTS = {
    Interval.MONTHLY: 20,
    Interval.QUARTERLY: 35,
    Interval.HALF_YEARLY: 5,
    Interval.YEARLY: 30,
    None: 10,
}
# Credentials per regular client, before scaling to the requested total (mean about 2.8).
CREDENTIALS_PER_CLIENT_WEIGHTS = (4, 26, 23, 18, 12, 8, 5, 2, 2)
