"""The load run's baseline route: served by the bench URLconf only."""

import pytest
from django.urls import Resolver404, resolve
from rest_framework.test import APIClient

from bench.urls import BASELINE_PATH


@pytest.mark.django_db
def test_bench_baseline_answers_without_any_query(settings, django_assert_num_queries):
    settings.ROOT_URLCONF = "bench.urls"

    with django_assert_num_queries(0):
        response = APIClient().get(BASELINE_PATH)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_product_urlconf_has_no_bench_route():
    with pytest.raises(Resolver404):
        resolve(BASELINE_PATH, urlconf="config.urls")


@pytest.mark.django_db
def test_bench_urlconf_serves_the_product_routes_too(settings, staff_api):
    settings.ROOT_URLCONF = "bench.urls"

    assert staff_api.get("/logins/report_types").status_code == 200
