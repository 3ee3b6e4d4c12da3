import json
import re
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from clients.models import Organization
from registrations import demo
from registrations.models import (
    Declaration,
    FrontendUser,
    Producer,
    Registration,
    Seller,
    SellerSchemeProStripeConfig,
)
from reporting.models import Country, Pro, Scheme

SEED = json.loads((Path(__file__).parent / "seed_002_registrations.json").read_text())

# Where the seed's example contradicts itself, the demo keeps the truth; listed one by one.
DOCUMENTED_EXCEPTIONS = {
    # The seed's country is FR (codeIso2, eprCountryCode) but named after the United Kingdom.
    ("schemePro", "country", "nameEN"): "France",
    ("schemePro", "country", "nameFR"): "France",
    ("schemePro", "country", "nameZH"): "法国",
    # The seed gives France two bubble ids; the catalog keeps proCountryBubbleId's.
    ("schemePro", "country", "bubbleId"): "1699973781289x474882884422860800",
    # "string" is the seed's placeholder; a commission percentage is a number.
    ("schemePro", "seller", "commissionPercentage"): "10.00",
}
# The catalog's France was created with its own UUID, not the seed's placeholder.
CATALOG_IDS = {("schemePro", "country", "id"), ("schemePro", "proCountryId")}
SERVER_TIMESTAMPS = {"createdAt", "updatedAt"}
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def differences(expected, actual, path=()) -> list[str]:
    """Every field of the seed's answer that ours does not match, exceptions aside."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{'.'.join(path)}: {actual!r} is not an object"]
        found = []
        for key, value in expected.items():
            key_path = (*path, key)
            if key not in actual:
                found.append(f"{'.'.join(key_path)}: missing")
            elif key_path in DOCUMENTED_EXCEPTIONS:
                if actual[key] != DOCUMENTED_EXCEPTIONS[key_path]:
                    found.append(f"{'.'.join(key_path)}: {actual[key]!r}")
            elif key_path in CATALOG_IDS:
                if actual[key] != str(Country.objects.get(code="FR").pk):
                    found.append(f"{'.'.join(key_path)}: {actual[key]!r} is not France's id")
            elif key in SERVER_TIMESTAMPS:
                if not TIMESTAMP.match(actual[key]):
                    found.append(f"{'.'.join(key_path)}: {actual[key]!r} is not a timestamp")
            else:
                found.extend(differences(value, actual[key], key_path))
        return found
    return [] if expected == actual else [f"{'.'.join(path)}: {actual!r} != {expected!r}"]


def post_seed_request(raw_key: str):
    return Client().post(
        SEED["path"],
        data=SEED["curl_data"],
        content_type="application/json",
        HTTP_AUTHORIZATION=raw_key,
    )


@pytest.mark.django_db
def test_the_seeds_curl_example_answers_the_seeds_response(organization, api_key_for):
    demo.seed(organization=organization)

    response = post_seed_request(api_key_for(organization))

    assert response.status_code == 200
    assert len(response.json()) == 1
    assert differences(SEED["response"][0], response.json()[0]) == []


@pytest.mark.django_db
def test_seed_demo_makes_the_seeds_curl_example_work_with_the_demo_key():
    output = StringIO()
    call_command("seed_demo", "--allow-production", stdout=output)
    raw_key = re.search(r"API key:\s+(\S+)", output.getvalue()).group(1)

    response = post_seed_request(raw_key)

    assert response.status_code == 200
    assert differences(SEED["response"][0], response.json()[0]) == []
    assert Registration.objects.get().organization == Organization.objects.get(name="Demo Agency")


@pytest.mark.django_db
def test_the_comparison_reports_what_differs(organization, api_key_for):
    demo.seed(organization=organization)
    answer = post_seed_request(api_key_for(organization)).json()[0]

    answer["status"] = "changed"
    answer["schemePro"]["country"]["nameEN"] = "Narnia"
    del answer["schemePro"]["seller"]["vat"]

    assert differences(SEED["response"][0], answer) == [
        "status: 'changed' != '4 - PendingPro'",
        "schemePro.country.nameEN: 'Narnia'",
        "schemePro.seller.vat: missing",
    ]


@pytest.mark.django_db
def test_the_demo_gives_the_seeds_ids_to_its_records(organization):
    demo.seed(organization=organization)

    seed_id = uuid.UUID("50658c1e-356e-4407-b120-d110552292d8")
    assert Scheme.objects.get(pk=seed_id).eco_organism == "LEKO"
    assert Producer.objects.get(pk=seed_id).nrn == "34368801600504"
    assert FrontendUser.objects.get(organization=organization).bubble_id == (
        "1708861331497x933611102973227500"
    )


@pytest.mark.django_db
def test_the_leko_scheme_belongs_to_the_one_french_leko(organization):
    demo.seed(organization=organization)

    scheme = Scheme.objects.get(pk=demo.SEED_ID)
    assert scheme.pro == Pro.objects.get(country__code="FR", name="Léko")
    assert Pro.objects.filter(country__code="FR", name__iexact="LEKO").count() == 0
    assert scheme.report_type.code == "Textiles"


@pytest.mark.django_db
def test_seeding_twice_changes_nothing(organization):
    demo.seed(organization=organization)
    models = [
        Seller,
        SellerSchemeProStripeConfig,
        FrontendUser,
        Producer,
        Registration,
        Declaration,
    ]
    counts = [model.objects.count() for model in models]

    demo.seed(organization=organization)

    assert [model.objects.count() for model in models] == counts
    assert counts == [1, 1, 1, 1, 1, 2]
