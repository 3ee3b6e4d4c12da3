"""The client export page lists the columns the exported file has."""

import csv
import io

import pytest
from django.urls import reverse

from clients.models import Role
from tests.factories import ClientFactory, MembershipFactory

pytestmark = pytest.mark.django_db

EXPORT = reverse("admin:clients_client_export")


@pytest.fixture
def staff(client, organization):
    client.force_login(MembershipFactory(organization=organization, role=Role.STAFF).user)
    return client


def test_the_export_page_lists_the_columns_of_the_exported_file(staff, organization):
    ClientFactory(organization=organization)

    listed = staff.get(EXPORT).context["fields_list"]
    exported = staff.post(EXPORT, {"format": "0", "resource": "0"}).content.decode()

    header = next(csv.reader(io.StringIO(exported)))
    assert [columns for _, columns in listed] == [header]


def test_the_export_page_does_not_list_import_only_columns(staff):
    listed = staff.get(EXPORT).context["fields_list"]

    assert "password" not in listed[0][1]
