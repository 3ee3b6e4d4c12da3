"""The rows of the portfolio, built in memory from seeded generators: the plan, then shards."""

import bisect
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from encrypted_model_fields.fields import encrypt_str
from psycopg.types.json import Jsonb

from bench.portfolio.rows import CatalogPro, Portfolio, PortfolioSize
from bench.portfolio.vocabulary import (
    ADJECTIVES,
    CLIENT_NOTES,
    COLLECTIVE_CREDENTIALS_PER_ACCOUNT,
    COLLECTIVE_SHARE,
    COUNTRY_WEIGHTS,
    CREDENTIAL_NOTES,
    CREDENTIAL_STATUS_WEIGHTS,
    CREDENTIALS_PER_CLIENT_WEIGHTS,
    HOME_LEGAL_FORMS,
    INTERVAL_WEIGHTS,
    LINKED_SHARE,
    LOCAL_LEGAL_FORMS,
    NOUNS,
    OTHER_COUNTRY_WEIGHT,
    PASSWORDS,
    SECTORS,
    SEED,
    SHARD_CLIENTS,
    STATUS_WEIGHTS,
)
from clients.models import GLOBAL_SCOPE, Client, ClientStatus, Organization
from credentials.models import Credential

# Distinct company names before a round number is added.
NAME_COMBINATIONS = len(ADJECTIVES) * len(NOUNS) * len(SECTORS) * len(HOME_LEGAL_FORMS)


def client_name(index: int) -> tuple[str, str, str]:
    """The index-th distinct company name: (full name, trading name, base for local names)."""
    combo, round_ = index % NAME_COMBINATIONS, index // NAME_COMBINATIONS
    adjective = ADJECTIVES[combo % len(ADJECTIVES)]
    combo //= len(ADJECTIVES)
    noun = NOUNS[combo % len(NOUNS)]
    combo //= len(NOUNS)
    sector = SECTORS[combo % len(SECTORS)]
    legal_form = HOME_LEGAL_FORMS[combo // len(SECTORS)]
    trading = f"{adjective} {noun}"
    base = f"{trading} {sector}" + (f" {round_ + 1}" if round_ else "")
    return f"{base} {legal_form}", trading, base


def credentials_per_client(rng: random.Random, clients: int, total: int, cap: int) -> list[int]:
    """How many credentials each regular client has, summing to exactly `total`."""
    if total > clients * cap:
        raise ValueError(
            f"{total} credentials do not fit {clients} clients with {cap} PROs each; "
            "ask for fewer credentials or more clients."
        )
    counts = rng.choices(
        range(len(CREDENTIALS_PER_CLIENT_WEIGHTS)), CREDENTIALS_PER_CLIENT_WEIGHTS, k=clients
    )
    counts = [min(count, cap) for count in counts]
    difference = total - sum(counts)
    step = 1 if difference > 0 else -1
    while difference:
        index = rng.randrange(clients)
        if (step > 0 and counts[index] < cap) or (step < 0 and counts[index] > 0):
            counts[index] += step
            difference -= step
    return counts


class Weighted:
    """A weighted choice with its cumulative weights computed once (random.choices would add
    them up again on every call, the generator's main cost)."""

    def __init__(self, weights: dict):
        self.values = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random):
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.total)]


@dataclass
class Shard:
    """The regular clients a worker builds: ids, name indices, credential counts and ids are
    drawn beforehand, so that shards build independently (in parallel) and the same size gives
    the same portfolio."""

    number: int
    organization_id: int
    client_ids: Sequence[int]
    name_indices: list[int]
    counts: list[int]
    credential_ids: Sequence[int]
    collective_by_pro: dict[int, list[int]]
    catalog: Sequence[CatalogPro]
    now: object
    ciphertexts: list[str]
    empty_ciphertext: str


def _pro_picker(catalog: Sequence[CatalogPro]) -> Weighted:
    pros_per_country: dict[str, int] = {}
    for pro in catalog:
        pros_per_country[pro.country_code] = pros_per_country.get(pro.country_code, 0) + 1
    return Weighted(
        {
            index: COUNTRY_WEIGHTS.get(pro.country_code, OTHER_COUNTRY_WEIGHT)
            / pros_per_country[pro.country_code]
            for index, pro in enumerate(catalog)
        }
    )


def _distinct_pros(rng, catalog, pick_pro: Weighted, count: int) -> list[CatalogPro]:
    chosen: dict[int, CatalogPro] = {}
    while len(chosen) < count:
        pro = catalog[pick_pro(rng)]
        chosen.setdefault(pro.id, pro)
    return list(chosen.values())


class _Credentials:
    """Appends a credential and its report types to a portfolio."""

    pick_status = Weighted(CREDENTIAL_STATUS_WEIGHTS)
    pick_interval = Weighted(INTERVAL_WEIGHTS)

    def __init__(self, rng: random.Random, portfolio: "Portfolio", now):
        self.rng, self.portfolio, self.now = rng, portfolio, now

    def add(
        self,
        *,
        credential_id,
        client_id,
        pro,
        report_type_ids,
        codes,
        login,
        password,
        collective_id,
    ):
        rng = self.rng
        created = self.now - _days(rng, 1000)
        self.portfolio.credentials.append(
            (
                credential_id,
                client_id,
                pro.country_id,
                pro.id,
                ",".join(codes),
                login,
                password,
                "" if rng.random() < 0.1 else f"{pro.country_code}{rng.randrange(10**7, 10**8)}",
                self.pick_status(rng),
                rng.choice(CREDENTIAL_NOTES) if rng.random() < 0.1 else "",
                self.pick_interval(rng),
                Jsonb({"portal_user_id": str(rng.randrange(10**6))})
                if rng.random() < 0.05
                else None,
                collective_id,
                created,
                created,
            )
        )
        self.portfolio.credential_report_types.extend(
            (credential_id, report_type_id, client_id, pro.country_id, pro.id)
            for report_type_id in report_type_ids
        )


def plan_portfolio(
    *,
    organization_id: int,
    size: PortfolioSize,
    catalog: Sequence[CatalogPro],
    ids,
    shard_clients: int = SHARD_CLIENTS,
) -> tuple[Portfolio, list[Shard]]:
    """The collective accounts (built here: the shards link to them) and the shards of
    regular clients. `ids(table_model, n)` hands out n primary keys of a table."""
    rng = random.Random(SEED)
    now = timezone.now()
    ciphertexts = [encrypt_str(password).decode() for password in PASSWORDS]
    empty_ciphertext = encrypt_str("").decode()
    portfolio = Portfolio()
    credentials = _Credentials(rng, portfolio, now)
    pick_pro = _pro_picker(catalog)

    collective_clients = max(1, round(size.clients * COLLECTIVE_SHARE)) if size.clients > 1 else 0
    regular_clients = size.clients - collective_clients
    collective_credentials = min(
        size.credentials, collective_clients * COLLECTIVE_CREDENTIALS_PER_ACCOUNT
    )
    client_ids = ids(Client, size.clients)
    credential_ids = ids(Credential, size.credentials)

    collective_by_pro: dict[int, list[int]] = {}
    for number, client_id in enumerate(client_ids[regular_clients:], start=1):
        share = collective_credentials // collective_clients + (
            1 if number <= collective_credentials % collective_clients else 0
        )
        pros = _distinct_pros(rng, catalog, pick_pro, min(share, len(catalog)))
        client = (
            client_id,
            organization_id,
            f"Collective Account - {pros[0].name if pros else 'Agency'} {number}",
            ClientStatus.ACTIVE,
            False,
            "Agency-owned account used by several clients.",
            None,
            True,
            now,
            now,
        )
        portfolio.clients.append(client)
        portfolio.cover(
            client=client,
            credentials={
                (pro.country_id, report_type_id, pro.id)
                for pro in pros
                for report_type_id in pro.report_type_ids
            },
            obligations=set(),
        )
        for pro in pros:
            credential_id = credential_ids[len(portfolio.credentials)]
            credentials.add(
                credential_id=credential_id,
                client_id=client_id,
                pro=pro,
                report_type_ids=pro.report_type_ids,
                codes=pro.report_type_codes,
                login=f"collective.{number}.{pro.country_code.lower()}@agency.example",
                password=rng.choice(ciphertexts),
                collective_id=None,
            )
            collective_by_pro.setdefault(pro.id, []).append(credential_id)

    used = len(portfolio.credentials)
    counts = credentials_per_client(rng, regular_clients, size.credentials - used, len(catalog))
    name_indices = _name_indices(rng, regular_clients)
    shards = []
    for number, start in enumerate(range(0, regular_clients, shard_clients)):
        stop = min(start + shard_clients, regular_clients)
        shard_counts = counts[start:stop]
        shards.append(
            Shard(
                number=number,
                organization_id=organization_id,
                client_ids=client_ids[start:stop],
                name_indices=name_indices[start:stop],
                counts=shard_counts,
                credential_ids=credential_ids[used : used + sum(shard_counts)],
                collective_by_pro=collective_by_pro,
                catalog=catalog,
                now=now,
                ciphertexts=ciphertexts,
                empty_ciphertext=empty_ciphertext,
            )
        )
        used += sum(shard_counts)
    return portfolio, shards


def build_shard(shard: Shard) -> Portfolio:
    """The rows of a shard's regular clients, from the shard's own seeded generator."""
    rng = random.Random(f"{SEED}-{shard.number}")
    catalog = shard.catalog
    pick_pro = _pro_picker(catalog)
    pick_status = Weighted(STATUS_WEIGHTS)
    schemes = [(pro, rt_id) for pro in catalog for rt_id in pro.report_type_ids]
    portfolio = Portfolio()
    credentials = _Credentials(rng, portfolio, shard.now)
    credential_ids = iter(shard.credential_ids)
    for client_id, name_index, count in zip(
        shard.client_ids, shard.name_indices, shard.counts, strict=True
    ):
        name, trading, base = client_name(name_index)
        created = shard.now - _days(rng, 1500)
        client = (
            client_id,
            shard.organization_id,
            name,
            pick_status(rng),
            False,
            rng.choice(CLIENT_NOTES) if rng.random() < 0.3 else "",
            None,
            False,
            created,
            created,
        )
        portfolio.clients.append(client)
        if rng.random() < 0.35:
            portfolio.aliases.append((client_id, GLOBAL_SCOPE, trading))

        pros = _distinct_pros(rng, catalog, pick_pro, count)
        covered: set[tuple] = set()
        credential_coverage: set[tuple] = set()
        obligations: set[tuple] = set()
        login_name = trading.replace(" ", ".").lower()
        for pro in pros:
            if len(pro.report_type_ids) > 1 and rng.random() < 0.6:
                index = rng.randrange(len(pro.report_type_ids))
                report_type_ids = (pro.report_type_ids[index],)
                codes = (pro.report_type_codes[index],)
            else:
                report_type_ids, codes = pro.report_type_ids, pro.report_type_codes
            credential_id = next(credential_ids)
            collective_id = None
            login = f"{login_name}.{credential_id}@{pro.country_code.lower()}.example"
            password = rng.choice(shard.ciphertexts)
            if pro.id in shard.collective_by_pro and rng.random() < LINKED_SHARE:
                collective_id = rng.choice(shard.collective_by_pro[pro.id])
                login, password = "", shard.empty_ciphertext
            credentials.add(
                credential_id=credential_id,
                client_id=client_id,
                pro=pro,
                report_type_ids=report_type_ids,
                codes=codes,
                login=login,
                password=password,
                collective_id=collective_id,
            )
            for report_type_id in report_type_ids:
                covered.add((pro.country_id, report_type_id))
                credential_coverage.add((pro.country_id, report_type_id, pro.id))
                if rng.random() < 0.5:
                    obligations.add((pro.country_id, report_type_id, None))
        if rng.random() < 0.3:
            pro, report_type_id = rng.choice(schemes)
            if (pro.country_id, report_type_id) not in covered:
                obligations.add(
                    (pro.country_id, report_type_id, pro.id if rng.random() < 0.25 else None)
                )
        portfolio.obligations.extend((client_id, *obligation) for obligation in obligations)
        portfolio.cover(client=client, credentials=credential_coverage, obligations=obligations)

        local_countries = {pro.country_code: pro for pro in pros}
        for country_code in list(local_countries)[: 2 if rng.random() < 0.1 else 1]:
            if rng.random() < 0.4:
                form = LOCAL_LEGAL_FORMS.get(country_code, "Ltd")
                portfolio.aliases.append((client_id, country_code, f"{base} {form}"))
    return portfolio


def build_portfolio(
    *, organization: Organization, size: PortfolioSize, catalog: Sequence[CatalogPro], ids
) -> Portfolio:
    """Every row of the portfolio in memory (the generator streams the shards instead)."""
    portfolio, shards = plan_portfolio(
        organization_id=organization.pk, size=size, catalog=catalog, ids=ids
    )
    for shard in shards:
        portfolio.extend(build_shard(shard))
    return portfolio


def _days(rng: random.Random, most: int) -> timedelta:
    return timedelta(days=rng.randrange(most), seconds=rng.randrange(86400))


def _name_indices(rng: random.Random, count: int) -> list[int]:
    if count <= NAME_COMBINATIONS:
        return rng.sample(range(NAME_COMBINATIONS), count)
    return list(range(count))
