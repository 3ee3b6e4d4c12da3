"""Tenant scoping, written once: every organization-owned queryset is narrowed here."""

from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import Http404, HttpResponseNotAllowed

from clients.models import Client, Membership, Organization


def membership_for_user(user) -> Membership | None:
    """The user's membership, or None for anonymous users and users without one."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


def organization_for_user(user) -> Organization | None:
    membership = membership_for_user(user)
    return membership.organization if membership else None


def is_organization_admin(user) -> bool:
    """Whether `user` is an admin of their organization (API keys, grants, invitations)."""
    membership = membership_for_user(user)
    return membership is not None and membership.can_manage_keys


def may_reveal(user, client: Client | None = None) -> bool:
    """Whether `user` may see plaintext passwords of `client`'s credentials (of their own
    organization's when `client` is None).

    Admins and staff of the organization that owns the client may, and superusers; viewers
    never, nor members of an organization a client is only shared with.
    """
    if user.is_superuser:
        return True
    membership = membership_for_user(user)
    if membership is None or not membership.can_reveal_passwords:
        return False
    return client is None or client.organization_id == membership.organization_id


def clients_of(organization: Organization) -> QuerySet[Client]:
    """Clients the organization owns (and may change)."""
    return Client.objects.of(organization)


def clients_readable_by(organization: Organization) -> QuerySet[Client]:
    """Clients the organization may read (see ClientQuerySet.readable_by)."""
    return Client.objects.readable_by(organization)


class OrganizationScopedMixin:
    """For DRF views: `self.organization` and `self.membership` of the requesting user.

    Views build every queryset from `self.organization`, so an object of another organization is
    simply not found (404), never forbidden (403).
    """

    @property
    def membership(self) -> Membership:
        membership = membership_for_user(self.request.user)
        if membership is None:
            # IsOrganizationMember runs first; reaching this means a view forgot it.
            raise Http404
        return membership

    @property
    def organization(self) -> Organization:
        return self.membership.organization


class OrganizationScopedAdminMixin:
    """For ModelAdmins of organization-owned rows: staff see and change only their own.

    `organization_path` is the lookup from the model to its Organization. Superusers see every
    organization. Viewers may look, staff and admins may change; Django's per-model permissions
    are not needed for members, their role decides.
    """

    organization_path = "organization"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        organization = organization_for_user(request.user)
        if organization is None:
            return queryset.none()
        return queryset.filter(**{self.organization_path: organization})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Client and not request.user.is_superuser:
            kwargs["queryset"] = clients_of(organization_for_user(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _member_may(self, request, write: bool) -> bool:
        if request.user.is_superuser:
            return True
        membership = membership_for_user(request.user)
        if membership is None:
            return False
        return membership.can_write if write else True

    def has_module_permission(self, request):
        return self._member_may(request, write=False)

    def has_view_permission(self, request, obj=None):
        return self._member_may(request, write=False)

    def has_add_permission(self, request, *args):
        return self._member_may(request, write=True)

    def has_change_permission(self, request, obj=None):
        return self._member_may(request, write=True)

    def has_delete_permission(self, request, obj=None):
        return self._member_may(request, write=True)


class OrganizationScopedHistoryAdminMixin(OrganizationScopedAdminMixin):
    """For SimpleHistoryAdmins: history pages and versions of the member's own rows only.

    simple-history looks a version up without the admin's queryset, and its revert would write
    around the services, so versions are read-only and scoped by `organization_path` too.
    """

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        history = super().get_history_queryset(request, history_manager, pk_name, object_id)
        if request.user.is_superuser:
            return history
        return history.filter(**{self.organization_path: organization_for_user(request.user)})

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        versions = self.get_history_queryset(
            request, self.model.history, self.model._meta.pk.attname, unquote(object_id)
        )
        if not versions.filter(history_id=version_id).exists():
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return True
