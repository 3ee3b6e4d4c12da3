"""Writes for organizations, their members, sign-in tokens and API keys."""

from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework.authtoken.models import Token

from clients.limits import API_KEY_NAME_MAX_LENGTH, NAME_MAX_LENGTH, check_lengths
from clients.models import ApiKey, Membership, Organization, Role


@transaction.atomic
def organization_get_or_create(*, name: str) -> Organization:
    """The organization called `name` (case-insensitive), created if it does not exist.

    Raises ValidationError for a name over NAME_MAX_LENGTH characters."""
    check_lengths({"name": (name, NAME_MAX_LENGTH)})
    organization = Organization.objects.filter(name__iexact=name).first()
    return organization or Organization.objects.create(name=name)


@transaction.atomic
def org_user_create_or_update(
    *,
    organization: Organization,
    username: str,
    role: str,
    password: str | None = None,
    weak_password_allowed: bool = False,
) -> tuple[Membership, Token]:
    """Create (or update) `username` as a member of `organization` with `role`.

    Returns the membership and the user's API token. A user belongs to one organization only,
    so an existing user of another organization is refused. A password must pass the project's
    password validators (ValidationError with their messages, nothing saved), unless
    `weak_password_allowed`: only the demo's well-known login, which runs in development.
    """
    if role not in Role.values:
        raise ValueError(f"Unknown role {role!r}; choose one of {', '.join(Role.values)}.")
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=username)
    existing = Membership.objects.filter(user=user).first()
    if existing and existing.organization_id != organization.pk:
        raise ValueError(f"User {username!r} already belongs to {existing.organization}.")
    if password:
        if not weak_password_allowed:
            validate_password(password, user=user)
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


LOGIN_REFUSED_MESSAGE = "Unable to log in with the given username and password."
NO_MEMBERSHIP_MESSAGE = "This account is not a member of any organization."


def auth_token_obtain(*, request, username: str, password: str) -> Token:
    """The API token of the member whose username and password these are, created on first use.

    A wrong password, an unknown user and an inactive user are refused with one and the same
    message, so the answer never tells which usernames exist. Django's `authenticate` is given
    the request, so an installed login lockout (django-axes) counts and blocks these attempts
    exactly as it does the admin's. Not atomic on purpose: a refusal must not roll back the
    failed attempt that such a lockout records.
    """
    user = authenticate(request=request, username=username, password=password)
    if user is None:
        raise ValidationError(LOGIN_REFUSED_MESSAGE, code="authorization")
    if not Membership.objects.filter(user=user).exists():
        raise ValidationError(NO_MEMBERSHIP_MESSAGE, code="authorization")
    token, _ = Token.objects.get_or_create(user=user)
    return token


@transaction.atomic
def auth_token_revoke(*, user) -> int:
    """Delete the user's API token: it answers 401 from then on. The next login issues a new
    one. Returns how many tokens were deleted (0 or 1)."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted


@transaction.atomic
def api_key_create(*, organization: Organization, name: str) -> tuple[ApiKey, str]:
    """Create an API key; the raw key is returned once and only its digest is stored.

    Raises ValidationError for a name over API_KEY_NAME_MAX_LENGTH characters."""
    check_lengths({"name": (name, API_KEY_NAME_MAX_LENGTH)})
    raw_key = ApiKey.generate_raw_key()
    api_key = ApiKey.objects.create(
        organization=organization,
        name=name,
        prefix=raw_key[: len(ApiKey.PREFIX) + 4],
        key_hash=ApiKey.hash_key(raw_key),
    )
    return api_key, raw_key
