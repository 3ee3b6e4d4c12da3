"""Change lists whose total is read rather than counted: from the counts the database keeps
when they answer the question, otherwise counted once per portfolio version (the cache of
clients.portfolio_version, as the API's list counts are)."""

from collections.abc import Callable

from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.utils.functional import cached_property

from clients.portfolio_version import cached_for_portfolio
from clients.tenancy import organization_for_user


class CountedPaginator(Paginator):
    """Django's paginator, taking the total its change list attached to the queryset
    (`count_known`) instead of a COUNT(*) of the rows when there is one."""

    @cached_property
    def count(self) -> int:
        known = getattr(self.object_list, "count_known", None)
        return known() if known is not None else super().count


class CountedChangeList(ChangeList):
    """Asks its admin how to count the listed rows (`changelist_count`)."""

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        if exclude_parameters is None:
            count = self.model_admin.changelist_count(request, self, queryset)
            if count is not None:
                queryset.count_known = count
        return queryset


class CountedChangeListMixin:
    """For ModelAdmins of one organization's rows: the list's total is counted once per
    portfolio version and question, unless `kept_count` reads it from kept counts. Superusers'
    lists (every organization) are counted as Django does."""

    paginator = CountedPaginator
    # Filter parameters whose answer a write can change without renewing the portfolio version
    # (clients.portfolio_version follows only what the client list reads): a list filtered by
    # one of them is counted as Django does.
    unversioned_filters: tuple[str, ...] = ()

    def get_changelist(self, request, **kwargs):
        return CountedChangeList

    def kept_count(self, organization, changelist) -> Callable[[], int] | None:
        """The total read from kept counts, when they answer the list's question."""
        return None

    def changelist_count(self, request, changelist, queryset) -> Callable[[], int] | None:
        if request.user.is_superuser:
            return None
        organization = organization_for_user(request.user)
        if organization is None:
            return None
        kept = self.kept_count(organization, changelist)
        if kept is not None:
            return kept
        if any(name in changelist.filter_params for name in self.unversioned_filters):
            return None
        question = (
            self.opts.label,
            sorted((name, tuple(values)) for name, values in changelist.filter_params.items()),
            changelist.query,
        )
        return lambda: cached_for_portfolio(
            organization.pk, "admin-list-count", question, queryset.count
        )
