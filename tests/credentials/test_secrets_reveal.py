"""credentials.services.secrets_reveal: the one place a stored secret becomes plaintext for a
response. Who may see what, what is recorded, and a guard that no other module reads secrets."""

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.models import Role
from credentials.models import AccessReason, CredentialPasswordHistory, PasswordAccessEvent
from credentials.selectors import credentials_with_relations
from credentials.services import (
    RequestOrigin,
    RevealRefused,
    credential_update,
    password_reveal_allowed,
    secrets_reveal,
)
from tests.factories import (
    ClientFactory,
    CredentialFactory,
    MembershipFactory,
    UserFactory,
    country,
    pro,
)

pytestmark = pytest.mark.django_db

ORIGIN = RequestOrigin(ip="192.0.2.7", method="POST", route="/somewhere")


def member(organization, role):
    return MembershipFactory(organization=organization, role=role).user


def loaded(credential):
    return credentials_with_relations(type(credential).objects.filter(pk=credential.pk)).get()


def reveal(user, *credentials, reason=AccessReason.API_READ):
    return secrets_reveal(
        user=user, credentials=[loaded(c) for c in credentials], origin=ORIGIN, reason=reason
    )


@pytest.mark.parametrize("role", [Role.ADMIN, Role.STAFF])
def test_admins_and_staff_of_the_owning_organization_get_the_plaintext(acme, role):
    credential = CredentialFactory(client=acme, password="own-secret")

    revealed = reveal(member(acme.organization, role), credential)

    assert revealed.passwords == {credential.pk: "own-secret"}


def test_each_revealed_password_is_recorded_with_who_where_and_why(acme):
    credential = CredentialFactory(client=acme, password="own-secret")
    user = member(acme.organization, Role.STAFF)

    reveal(user, credential, reason=AccessReason.API_WRITE)

    event = PasswordAccessEvent.objects.get()
    assert (event.user, event.credential, event.reason, event.ip, event.method, event.route) == (
        user,
        credential,
        AccessReason.API_WRITE,
        "192.0.2.7",
        "POST",
        "/somewhere",
    )
    assert event.organization == acme.organization


def test_a_viewer_is_refused_and_nothing_is_recorded(acme):
    credential = CredentialFactory(client=acme)

    with pytest.raises(RevealRefused):
        reveal(member(acme.organization, Role.VIEWER), credential)

    assert not PasswordAccessEvent.objects.exists()


def test_staff_of_another_organization_are_refused(acme, other_organization):
    credential = CredentialFactory(client=acme)

    with pytest.raises(RevealRefused):
        reveal(member(other_organization, Role.STAFF), credential)


def test_staff_of_an_organization_a_client_is_shared_with_are_refused(
    organization, other_organization
):
    shared = ClientFactory(
        organization=organization, shared=True, client_organization=other_organization
    )
    credential = CredentialFactory(client=shared)

    with pytest.raises(RevealRefused):
        reveal(member(other_organization, Role.ADMIN), credential)


def test_one_refused_credential_refuses_the_whole_reveal(acme, other_organization):
    own = CredentialFactory(client=acme)
    foreign = CredentialFactory(client=ClientFactory(organization=other_organization))

    with pytest.raises(RevealRefused):
        reveal(member(acme.organization, Role.STAFF), own, foreign)

    assert not PasswordAccessEvent.objects.exists()


def test_a_user_without_membership_is_refused(acme):
    with pytest.raises(RevealRefused):
        reveal(UserFactory(), CredentialFactory(client=acme))


def test_a_credential_without_password_reveals_nothing_and_is_not_recorded(acme):
    credential = CredentialFactory(client=acme, password="")

    revealed = reveal(member(acme.organization, Role.STAFF), credential)

    assert revealed.passwords == {}
    assert not PasswordAccessEvent.objects.exists()


def test_a_linked_credential_reveals_its_collective_accounts_password(acme, collective_credential):
    linked = CredentialFactory(
        client=acme,
        country=country("NL"),
        pro=pro("NL", "Stichting OPEN"),
        password="",
        collective_account=collective_credential,
    )

    revealed = reveal(member(acme.organization, Role.STAFF), linked)

    assert revealed.passwords == {linked.pk: "collective-pw-1"}


def test_many_credentials_are_recorded_in_one_insert(acme):
    credentials = [
        loaded(CredentialFactory(client=acme, pro=pro("DE", name), report_types=["Packaging"]))
        for name in ["Landbell", "Interzero"]
    ]
    user = member(acme.organization, Role.STAFF)

    with CaptureQueriesContext(connection) as queries:
        secrets_reveal(user=user, credentials=credentials, origin=ORIGIN, reason="api read")

    assert len([q for q in queries.captured_queries if q["sql"].startswith("INSERT")]) == 1
    assert PasswordAccessEvent.objects.count() == 2


# Previous passwords


@pytest.fixture
def previous(acme):
    credential = CredentialFactory(client=acme, password="first-password")
    credential_update(credential=credential, password="second-password")
    return CredentialPasswordHistory.objects.select_related("credential__client").get()


def reveal_previous(user, entry):
    return secrets_reveal(
        user=user, previous_passwords=[entry], origin=ORIGIN, reason=AccessReason.HISTORY_REVEAL
    )


def test_a_previous_password_needs_the_history_permission(acme, previous):
    with pytest.raises(RevealRefused):
        reveal_previous(member(acme.organization, Role.STAFF), previous)


def test_a_previous_password_is_revealed_with_the_permission_and_recorded(acme, previous):
    user = member(acme.organization, Role.STAFF)
    user.user_permissions.add(Permission.objects.get(codename="reveal_password_history"))
    user = type(user).objects.get(pk=user.pk)

    revealed = reveal_previous(user, previous)

    assert revealed.previous_passwords == {previous.pk: "first-password"}
    event = PasswordAccessEvent.objects.get()
    assert (event.password_history, event.reason) == (previous, AccessReason.HISTORY_REVEAL)


def test_a_viewer_with_the_history_permission_is_still_refused(acme, previous):
    user = member(acme.organization, Role.VIEWER)
    user.user_permissions.add(Permission.objects.get(codename="reveal_password_history"))
    user = type(user).objects.get(pk=user.pk)

    assert not password_reveal_allowed(user=user, client=acme, previous=True)
    with pytest.raises(RevealRefused):
        reveal_previous(user, previous)


# No other module turns a stored secret into plaintext

REPO = Path(__file__).resolve().parents[2]
APP_PACKAGES = ["clients", "credentials", "registrations", "reporting", "config"]
SECRET_NAMES = {"password", "effective_password"}
DECRYPTION_NAMES = {"decrypt_str", "decrypt", "CRYPTER"}
QUERY_METHODS = {"values", "values_list", "only"}
# The functions of the services that may read a stored secret, and why: anywhere else in
# credentials/services/ a read fails the test like in any other module.
ALLOWED_FUNCTIONS = {
    "credentials/services/reveal.py": {"secrets_reveal": "the reveal point"},
    "credentials/services/writes.py": {
        "credential_update": "keeps a replaced password in the password history"
    },
    "credentials/services/validation.py": {
        "linked_secret_errors": "lets a linked credential echo its collective's login and password"
    },
    "credentials/services/keys.py": {
        "encryption_canary_ensure": "decrypts the newest password to prove the key; shows none"
    },
}
REVEAL_POINT = "credentials/services/reveal.py"
# The modules that may read a stored secret, and why.
ALLOWED_MODULES = {
    "credentials/models.py": "defines effective_password and has_password",
    "credentials/fields.py": "decrypts what the database holds",
    "credentials/checks.py": "reads one secret at startup to prove the key opens it; shows none",
    "credentials/client_import/jobs.py": (
        "decrypts a background upload's stored rows for the worker that imports them; shows none"
    ),
    "credentials/import_uploads.py": (
        "encrypts an admin upload while it waits and decrypts it for the import only; the "
        "import shows its passwords as ***"
    ),
}


def _names_a_secret(node) -> bool:
    return isinstance(node, ast.Constant) and (
        node.value in SECRET_NAMES
        or (isinstance(node.value, str) and node.value.endswith("__password"))
    )


def secret_reads(source: str) -> list[tuple[int, str]]:
    """Where `source` reads a stored secret: `x.password`, `x.effective_password`,
    getattr(x, "password"), .values()/.values_list()/.only() of a password column, or a call
    of the decryption functions."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            if node.attr in SECRET_NAMES | DECRYPTION_NAMES:
                found.append((node.lineno, f".{node.attr}"))
        elif isinstance(node, ast.Name) and node.id in DECRYPTION_NAMES:
            found.append((node.lineno, node.id))
        elif isinstance(node, ast.ImportFrom):
            found += [(node.lineno, a.name) for a in node.names if a.name in DECRYPTION_NAMES]
        elif isinstance(node, ast.Call):
            function = node.func
            name = (
                function.attr
                if isinstance(function, ast.Attribute)
                else getattr(function, "id", "")
            )
            if name in {"getattr", "attrgetter"} | QUERY_METHODS and any(
                _names_a_secret(argument) for argument in node.args
            ):
                found.append((node.lineno, f"{name}(... password ...)"))
    return found


def enclosing_functions(source: str) -> dict[int, str]:
    """The name of the innermost function each line of `source` is in."""
    functions = sorted(
        (node.lineno, node.end_lineno, node.name)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    )
    lines = {}
    for start, end, name in functions:
        lines.update(dict.fromkeys(range(start, end + 1), name))
    return lines


def disallowed_reads(module: str, source: str) -> list[str]:
    """The secret reads of `module` that neither ALLOWED_MODULES nor ALLOWED_FUNCTIONS allow."""
    if module in ALLOWED_MODULES:
        return []
    allowed = ALLOWED_FUNCTIONS.get(module, {})
    functions = enclosing_functions(source)
    return [
        f"{module}:{line} {what}"
        for line, what in secret_reads(source)
        if functions.get(line) not in allowed
    ]


def app_modules():
    for package in APP_PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path.relative_to(REPO).as_posix(), path.read_text()


@pytest.mark.parametrize(
    "source",
    [
        "def f(credential):\n    return credential.effective_password\n",
        "def f(entry):\n    return {'password': entry.password}\n",
        "def f(c):\n    return getattr(c, 'password')\n",
        "def f(qs):\n    return list(qs.values_list('collective_account__password', flat=True))\n",
        "from encrypted_model_fields.fields import decrypt_str\n",
        "def f(fields, token):\n    return fields.CRYPTER.decrypt(token)\n",
    ],
)
def test_the_guard_finds_each_way_of_reading_a_secret(source):
    assert secret_reads(source)


def test_the_guard_sees_the_reads_of_the_reveal_point():
    reads = secret_reads((REPO / REVEAL_POINT).read_text())

    assert ".effective_password" in {what for _, what in reads}


def test_a_read_in_another_function_of_an_allowed_services_module_is_found():
    source = (REPO / REVEAL_POINT).read_text() + (
        "\n\ndef leak(credential):\n    return credential.effective_password\n"
    )

    assert [read.split(" ", 1)[1] for read in disallowed_reads(REVEAL_POINT, source)] == [
        ".effective_password"
    ]


def test_the_allowed_functions_exist():
    for module, functions in ALLOWED_FUNCTIONS.items():
        assert set(functions) <= set(enclosing_functions((REPO / module).read_text()).values())


def test_no_module_but_the_reveal_point_reads_a_stored_secret():
    offenders = [
        offender
        for module, source in app_modules()
        for offender in disallowed_reads(module, source)
    ]

    assert offenders == [], (
        "Plaintext for a response comes from credentials.services.secrets_reveal only: "
        + ", ".join(offenders)
    )
