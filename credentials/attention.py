"""Credentials that need attention: invalid or pending ones, and passwords older than the
PRO's portal accepts.

A password's age counts from when it was last set: the latest entry of its password history
(written each time a password is replaced) or, when it was never replaced, the credential's
creation. `updated_at` is not used, since any edit (notes, status) moves it. A credential
linked to a collective account uses the collective account's password, so its age.

The maximum age is the PRO's `password_max_age_days` where its portal enforces one, else the
PASSWORD_MAX_AGE_DAYS setting; neither set (the default): age alone never needs attention.
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db.models import Case, F, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce

from clients.models import Organization
from credentials.models import Credential, CredentialPasswordHistory, CredentialStatus
from reporting.models import Pro

ATTENTION_STATUSES = (CredentialStatus.INVALID, CredentialStatus.PENDING)


def _last_replaced(credential_ref: str):
    return Subquery(
        CredentialPasswordHistory.objects.filter(credential=OuterRef(credential_ref))
        .order_by("-changed_at")
        .values("changed_at")[:1]
    )


def credentials_with_password_age(queryset: QuerySet[Credential]) -> QuerySet[Credential]:
    """`password_set_at`: when the password the credential uses was set."""
    return queryset.annotate(
        password_set_at=Case(
            When(
                collective_account__isnull=False,
                then=Coalesce(
                    _last_replaced("collective_account_id"), "collective_account__created_at"
                ),
            ),
            default=Coalesce(_last_replaced("pk"), F("created_at")),
        )
    )


def password_too_old(now: datetime.datetime) -> Q:
    """A condition on `password_set_at`: older than the PRO's (or the default) maximum age."""
    default_days = getattr(settings, "PASSWORD_MAX_AGE_DAYS", None)
    pros_by_days: dict[int, list[int]] = defaultdict(list)
    for pro_id, days in Pro.objects.filter(password_max_age_days__isnull=False).values_list(
        "pk", "password_max_age_days"
    ):
        pros_by_days[days].append(pro_id)
    condition = Q(pk__in=[])
    for days, pro_ids in pros_by_days.items():
        condition |= Q(pro_id__in=pro_ids, password_set_at__lt=now - datetime.timedelta(days=days))
    if default_days:
        with_own = [pro_id for pro_ids in pros_by_days.values() for pro_id in pro_ids]
        condition |= Q(password_set_at__lt=now - datetime.timedelta(days=default_days)) & ~Q(
            pro_id__in=with_own
        )
    return condition


def needs_attention(queryset: QuerySet[Credential], now: datetime.datetime) -> QuerySet[Credential]:
    """The credentials of `queryset` that need attention, with `password_set_at`."""
    return credentials_with_password_age(queryset).filter(
        Q(status__in=ATTENTION_STATUSES) | password_too_old(now)
    )


def credentials_needing_attention(
    *, organization: Organization, now: datetime.datetime
) -> QuerySet[Credential]:
    """The organization's credentials that need attention, by client name."""
    return (
        needs_attention(Credential.objects.of(organization), now)
        .select_related("client", "country", "pro", "collective_account")
        .order_by("client__name", "client_id", "country__code", "pro__name", "id")
    )


def attention_reasons(credential: Credential, now: datetime.datetime) -> list[str]:
    """Why a credential needs attention: its status (`invalid`, `pending`), `password_age`."""
    reasons = [credential.status] if credential.status in ATTENTION_STATUSES else []
    days = credential.pro.password_max_age_days or getattr(settings, "PASSWORD_MAX_AGE_DAYS", None)
    if days and credential.password_set_at < now - datetime.timedelta(days=days):
        reasons.append("password_age")
    return reasons
