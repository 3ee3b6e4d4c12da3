"""Writes for a client's own organization: created by the agency, or invited and accepted."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clients.models import Client, ClientOrganizationGrant, Organization
from clients.services.client import client_update
from clients.tenancy import is_organization_admin, membership_for_user

ORGANIZATION_NAME_MAX_LENGTH = Organization._meta.get_field("name").max_length
INVITATION_REFUSED = "No pending invitation has this token."


@transaction.atomic
def client_organization_create(*, client: Client, name: str, user=None) -> Organization:
    """Create a new organization that is `client` itself, agreed by construction, and name it
    the client's `client_organization` (its users then read the client when it is shared).

    Raises ValidationError for an empty or too long name, or one an organization already has
    (names are unique, ignoring case); nothing is created then.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "An organization needs a name."})
    if len(name) > ORGANIZATION_NAME_MAX_LENGTH:
        raise ValidationError(
            {"name": f"A name has at most {ORGANIZATION_NAME_MAX_LENGTH} characters."}
        )
    try:
        with transaction.atomic():
            organization = Organization.objects.create(name=name)
    except IntegrityError as error:
        raise ValidationError({"name": "This name cannot be used; choose another."}) from error
    ClientOrganizationGrant.objects.create(
        agency_id=client.organization_id,
        client=client,
        kind=ClientOrganizationGrant.Kind.CREATED,
        client_organization=organization,
        created_by=user,
        accepted_at=timezone.now(),
    )
    client_update(client=client, changes={"client_organization": organization})
    return organization


@transaction.atomic
def client_organization_invite(*, client: Client, user=None) -> tuple[ClientOrganizationGrant, str]:
    """Invite the organization that is `client` itself to agree to be its client organization.

    Returns the invitation and its raw token, shown once (only its digest is stored). The agency
    hands the token to that organization; the invitation names nobody until an admin of an
    organization accepts it, so inviting reveals nothing about which organizations exist.
    """
    raw_token = ClientOrganizationGrant.generate_raw_token()
    invitation = ClientOrganizationGrant.objects.create(
        agency_id=client.organization_id,
        client=client,
        kind=ClientOrganizationGrant.Kind.INVITED,
        token_hash=ClientOrganizationGrant.hash_token(raw_token),
        created_by=user,
    )
    return invitation, raw_token


@transaction.atomic
def client_organization_invitation_accept(*, token: str, user) -> ClientOrganizationGrant:
    """An admin of an organization accepts an agency's invitation for one of its clients: the
    organization agrees to be that client and becomes its `client_organization`.

    Raises PermissionDenied unless `user` is an admin of an organization, and ValidationError
    when the token is unknown, already used, or the agency's own; nothing changes then.
    """
    if not is_organization_admin(user):
        raise PermissionDenied("Only an admin of an organization can accept an invitation.")
    membership = membership_for_user(user)
    invitation = (
        ClientOrganizationGrant.objects.select_for_update()
        .select_related("client")
        .filter(
            token_hash=ClientOrganizationGrant.hash_token((token or "").strip()),
            kind=ClientOrganizationGrant.Kind.INVITED,
            accepted_at__isnull=True,
        )
        .exclude(agency=membership.organization)
        .first()
    )
    if invitation is None:
        raise ValidationError({"token": INVITATION_REFUSED})
    invitation.client_organization = membership.organization
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["client_organization", "accepted_at", "accepted_by"])
    client_update(
        client=invitation.client, changes={"client_organization": membership.organization}
    )
    return invitation
