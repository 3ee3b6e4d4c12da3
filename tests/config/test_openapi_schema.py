import pytest
from drf_spectacular.generators import SchemaGenerator

from clients.models import ClientStatus
from credentials.models import CredentialStatus, Interval

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def test_every_authenticated_route_documents_401(schema):
    missing = [
        name
        for name, operation in operations(schema)
        if operation.get("security") and "401" not in operation["responses"]
    ]

    assert missing == []


def test_login_needs_no_authentication(schema):
    login = schema["paths"]["/logins/auth/token"]["post"]

    assert not login.get("security")
    assert "401" not in login["responses"]


def test_request_bodies_are_json_only_and_document_415(schema):
    bodies = {
        name: (tuple(operation["requestBody"]["content"]), "415" in operation["responses"])
        for name, operation in operations(schema)
        if "requestBody" in operation
    }

    assert bodies
    assert set(bodies.values()) == {(("application/json",), True)}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("client_id", {"type": "integer", "minimum": 1}),
        ("credential_id", {"type": "integer", "minimum": 1}),
        ("country", {"type": "string", "pattern": "^[A-Za-z]{2}$"}),
    ],
)
def test_path_parameters_say_what_a_valid_value_looks_like(schema, name, expected):
    found = [
        parameter["schema"]
        for _, operation in operations(schema)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path" and parameter["name"] == name
    ]

    assert found
    assert all(parameter_schema == expected for parameter_schema in found)


@pytest.mark.parametrize(
    ("component", "choices"),
    [
        ("ClientStatusEnum", ClientStatus),
        ("CredentialStatusEnum", CredentialStatus),
        ("IntervalEnum", Interval),
    ],
)
def test_enumerations_are_enums_in_the_schema(schema, component, choices):
    assert schema["components"]["schemas"][component]["enum"] == choices.values


def test_the_client_status_filter_takes_the_client_status_enum(schema):
    (status,) = [
        parameter
        for parameter in schema["paths"]["/logins/clients"]["get"]["parameters"]
        if parameter["name"] == "status"
    ]

    assert status["schema"]["items"] == {"$ref": "#/components/schemas/ClientStatusEnum"}
