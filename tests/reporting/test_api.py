import pytest

from reporting.models import Pro, Scheme
from tests.factories import country, report_type


@pytest.mark.django_db
def test_report_types_requires_authentication(anonymous_api):
    response = anonymous_api.get("/logins/report_types")

    assert response.status_code == 401


@pytest.mark.django_db
def test_report_types_is_a_map_of_country_to_pro_to_report_types(viewer_api):
    response = viewer_api.get("/logins/report_types")

    assert response.status_code == 200
    body = response.json()
    assert body["DE"]["Stiftung EAR"] == ["Batteries", "WEEE"]
    assert body["FR"]["Citeo"] == ["Packaging", "Paper"]
    assert all(
        isinstance(types, list) and all(isinstance(code, str) for code in types)
        for pros in body.values()
        for types in pros.values()
    )


@pytest.mark.django_db
def test_report_types_answers_with_and_without_trailing_slash(viewer_api):
    assert (
        viewer_api.get("/logins/report_types/").json()
        == viewer_api.get("/logins/report_types").json()
    )


@pytest.mark.django_db
def test_report_types_reflects_catalog_edits(staff_api):
    pro = Pro.objects.create(country=country("NL"), name="Stichting Open Packaging Test")
    Scheme.objects.create(pro=pro, report_type=report_type("Packaging"))

    body = staff_api.get("/logins/report_types").json()

    assert body["NL"]["Stichting Open Packaging Test"] == ["Packaging"]


@pytest.mark.django_db
def test_report_types_runs_one_query(staff_api, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # auth token, membership, catalog
        staff_api.get("/logins/report_types")


@pytest.mark.django_db
def test_user_without_organization_is_forbidden(api_client_for, organization):
    client = api_client_for(organization)
    client.user.membership.delete()

    assert client.get("/logins/report_types").status_code == 403
