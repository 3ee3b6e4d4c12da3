"""Shared by the credential admin pages: who may reveal passwords, the in-place reveal control,
read-only admins and the list filters."""

from django.contrib import admin
from django.template.loader import render_to_string
from django.utils import timezone

from clients.portfolio_version import cached_for_portfolio
from clients.tenancy import organization_for_user
from credentials.attention import needs_attention
from credentials.models import Credential
from credentials.services import password_reveal_allowed
from reporting.models import Pro


def may_reveal_passwords(request) -> bool:
    """Whether to offer reveal buttons (the admin lists the organization's own credentials)."""
    return password_reveal_allowed(user=request.user)


def may_reveal_previous_passwords(request) -> bool:
    return password_reveal_allowed(user=request.user, previous=True)


REVEAL_CONTROL_TEMPLATE = "admin/credentials/_reveal_control.html"


def reveal_control(credential: Credential) -> str:
    """The masked password with its in-place reveal (templates/admin/credentials/
    _reveal_control.html), for the admin columns shown only to users who may reveal the
    organization's passwords (the page's CSRF token is read by the control's script)."""
    return render_to_string(
        REVEAL_CONTROL_TEMPLATE, {"credential": credential, "reveal_allowed": True}
    )


class ReadOnlyAdminMixin:
    """Rows the admin shows and never adds, changes or deletes (records, history)."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProListFilter(admin.RelatedFieldListFilter):
    """The PROs the listed credentials use, labelled with their country in one query; a
    member's are found once per portfolio version (they change only with the credentials)."""

    def field_choices(self, field, request, model_admin):
        def used_pros() -> list[tuple[int, str]]:
            used = model_admin.get_queryset(request).values("pro")
            pros = Pro.objects.filter(pk__in=used).select_related("country")
            return [(pro.pk, str(pro)) for pro in pros]

        organization = None if request.user.is_superuser else organization_for_user(request.user)
        if organization is None:
            return used_pros()
        return cached_for_portfolio(
            organization.pk, "admin-used-pros", (model_admin.opts.label,), used_pros
        )


class NeedsAttentionListFilter(admin.SimpleListFilter):
    """Invalid or pending credentials and passwords older than the PRO accepts
    (credentials/attention.py)."""

    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("yes", "Needs attention")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return needs_attention(queryset, timezone.now())
        return queryset
