"""secrets_reveal: the one way a stored secret becomes plaintext for a response. It checks who may
see it and records every access as a PasswordAccessEvent."""

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.views.decorators.debug import sensitive_variables

from clients.models import Client
from clients.tenancy import may_reveal
from config.client_address import client_ip
from credentials.models import (
    AccessReason,
    Credential,
    CredentialPasswordHistory,
    PasswordAccessEvent,
)


@dataclass(frozen=True)
class RequestOrigin:
    """Where a request came from, as recorded in access events."""

    ip: str | None
    method: str
    route: str


def request_origin(request) -> RequestOrigin:
    """The request's client address (see config.client_address), method and path."""
    return RequestOrigin(
        ip=client_ip(request), method=request.method or "", route=request.path[:500]
    )


def _access_label(credential: Credential) -> str:
    label = str(credential)
    if credential.collective_account_id is not None:
        label += f" (password of collective account {credential.collective_account_id})"
    return label[:500]


def _access_event(
    *,
    user,
    credential: Credential,
    reason: str,
    origin: RequestOrigin,
    password_history: CredentialPasswordHistory | None = None,
) -> PasswordAccessEvent:
    return PasswordAccessEvent(
        organization_id=credential.client.organization_id,
        user=user,
        username=user.get_username(),
        client_id=credential.client_id,
        credential=credential,
        credential_label=_access_label(credential),
        password_history=password_history,
        reason=reason,
        ip=origin.ip,
        method=origin.method[:10],
        route=origin.route,
    )


REVEAL_HISTORY_PERMISSION = "credentials.reveal_password_history"


class RevealRefused(PermissionDenied):
    """The user may not see the plaintext of one of the secrets asked for."""


def password_reveal_allowed(*, user, client: Client | None = None, previous: bool = False) -> bool:
    """Whether `user` may see plaintext passwords of `client`'s credentials (of their own
    organization's when `client` is None), or with `previous` its previous passwords.

    The members clients.tenancy.may_reveal allows; previous passwords also need the
    "reveal_password_history" permission.
    """
    if previous and not user.has_perm(REVEAL_HISTORY_PERMISSION):
        return False
    return may_reveal(user, client)


@dataclass(frozen=True)
class RevealedSecrets:
    """Plaintexts revealed to one user, each one recorded as a PasswordAccessEvent.

    `passwords` by credential id (a linked credential's is its collective account's);
    `previous_passwords` by password history entry id. What is not in them is shown masked.
    """

    passwords: Mapping[int, str] = dataclasses.field(default_factory=dict)
    previous_passwords: Mapping[int, str] = dataclasses.field(default_factory=dict)


NOTHING_REVEALED = RevealedSecrets()


@sensitive_variables("passwords", "previous_passwords")
@transaction.atomic
def secrets_reveal(
    *,
    user,
    origin: RequestOrigin,
    reason: AccessReason,
    credentials: Iterable[Credential] = (),
    previous_passwords: Iterable[CredentialPasswordHistory] = (),
) -> RevealedSecrets:
    """The plaintext passwords of `credentials` and of `previous_passwords` for `user`.

    The one place where a stored secret becomes plaintext for a response (API, admin, exports):
    callers render what it returns and nothing else. It checks that `user` may see every one of
    them (RevealRefused, nothing recorded, otherwise) and records each plaintext handed out as
    a PasswordAccessEvent (who, which credential, when, from where, why), in one insert.
    A credential without a password reveals nothing and is not recorded.

    Credentials need client, country, pro and collective_account loaded (select_related), and
    previous passwords their credential, to be checked and labelled without more queries.
    """
    credentials = list(credentials)
    entries = list(previous_passwords)
    for client, previous in [
        *((credential.client, False) for credential in credentials),
        *((entry.credential.client, True) for entry in entries),
    ]:
        if not password_reveal_allowed(user=user, client=client, previous=previous):
            raise RevealRefused("You may not see this password.")
    passwords = {
        credential.pk: credential.effective_password
        for credential in credentials
        if credential.effective_password
    }
    previous_passwords = {entry.pk: entry.password for entry in entries}
    PasswordAccessEvent.objects.bulk_create(
        [
            *(
                _access_event(user=user, credential=credential, reason=reason, origin=origin)
                for credential in credentials
                if credential.pk in passwords
            ),
            *(
                _access_event(
                    user=user,
                    credential=entry.credential,
                    reason=reason,
                    origin=origin,
                    password_history=entry,
                )
                for entry in entries
            ),
        ]
    )
    return RevealedSecrets(passwords=passwords, previous_passwords=previous_passwords)
