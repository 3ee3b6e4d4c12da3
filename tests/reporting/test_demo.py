"""The demo catalog answers the seed document's `GET /report_types` example."""

import pytest
from django.core.management import call_command

from reporting.demo import SEED_REPORT_TYPES

pytestmark = pytest.mark.django_db


def test_after_seed_demo_report_types_hold_every_entry_of_the_seed_example(staff_api):
    call_command("seed_demo", "--allow-production", verbosity=0)

    answer = staff_api.get("/logins/report_types").json()

    for country, pros in SEED_REPORT_TYPES.items():
        by_name = {name.casefold(): types for name, types in answer[country].items()}
        for pro, report_types in pros.items():
            assert set(report_types) <= set(by_name[pro.casefold()]), (country, pro)


def test_seed_demo_twice_adds_the_example_once(staff_api):
    call_command("seed_demo", "--allow-production", verbosity=0)
    first = staff_api.get("/logins/report_types").json()

    call_command("seed_demo", "--allow-production", verbosity=0)

    assert staff_api.get("/logins/report_types").json() == first
    assert first["FR"]["Eco-Emballages"] == ["Packaging"]
