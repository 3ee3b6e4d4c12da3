"""The load run: its baseline route, served by the bench URLconf only, and its rounds."""

import pytest
from django.urls import Resolver404, resolve
from rest_framework.test import APIClient

from bench.loadtest import combined
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


def wrk_summary(requests: int, seconds: float, p95: float, non_2xx: int = 0) -> dict:
    return {
        "requests": requests,
        "duration_s": seconds,
        "requests_per_s": requests / seconds,
        "latency_ms": {"mean": p95 / 2, "p50": p95 / 2, "p95": p95, "p99": p95, "max": p95},
        "non_2xx": non_2xx,
        "socket_errors": {"connect": 0, "read": 1, "write": 0, "timeout": 0},
        "paths": 3,
    }


def test_rounds_combine_into_requests_per_second_over_their_whole_time():
    summary = combined([wrk_summary(1000, 5.0, 20.0), wrk_summary(500, 5.0, 40.0, non_2xx=2)])

    assert summary["requests_per_s"] == 150.0
    assert summary["rounds_requests_per_s"] == [200.0, 100.0]
    assert summary["latency_ms"]["p95"] == 40.0
    assert (summary["non_2xx"], summary["socket_errors"]["read"]) == (2, 2)
