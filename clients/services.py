"""Writes for organizations, their members and their API keys."""

from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework.authtoken.models import Token

from clients.models import ApiKey, Membership, Organization, Role


@transaction.atomic
def organization_get_or_create(*, name: str) -> Organization:
    """The organization called `name` (case-insensitive), created if it does not exist."""
    organization = Organization.objects.filter(name__iexact=name).first()
    return organization or Organization.objects.create(name=name)


@transaction.atomic
def org_user_create_or_update(
    *, organization: Organization, username: str, role: str, password: str | None = None
) -> tuple[Membership, Token]:
    """Create (or update) `username` as a member of `organization` with `role`.

    Returns the membership and the user's API token. A user belongs to one organization only,
    so an existing user of another organization is refused.
    """
    if role not in Role.values:
        raise ValueError(f"Unknown role {role!r}; choose one of {', '.join(Role.values)}.")
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=username)
    existing = Membership.objects.filter(user=user).first()
    if existing and existing.organization_id != organization.pk:
        raise ValueError(f"User {username!r} already belongs to {existing.organization}.")
    if password:
        user.set_password(password)
    elif not user.has_usable_password():
        user.set_unusable_password()
    user.is_staff = True
    user.save()
    membership, _ = Membership.objects.update_or_create(
        user=user, defaults={"organization": organization, "role": role}
    )
    token, _ = Token.objects.get_or_create(user=user)
    return membership, token


@transaction.atomic
def api_key_create(*, organization: Organization, name: str) -> tuple[ApiKey, str]:
    """Create an API key; the raw key is returned once and only its digest is stored."""
    raw_key = ApiKey.generate_raw_key()
    api_key = ApiKey.objects.create(
        organization=organization,
        name=name,
        prefix=raw_key[: len(ApiKey.PREFIX) + 4],
        key_hash=ApiKey.hash_key(raw_key),
    )
    return api_key, raw_key
