"""The organization's deadline rule overrides and the user's own calendar URL."""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from clients.tenancy import OrganizationScopedAdminMixin, membership_for_user, organization_for_user
from credentials.calendar.admin.deadlines import organization_of
from credentials.calendar.models import CalendarFeedToken, DeadlineRuleOverride
from credentials.calendar.services import calendar_feed_create


class DeadlineRuleOverrideForm(forms.ModelForm):
    # The member's organization: not a field of the form, so set by the admin for the check.
    organization_for_check = None

    def clean(self):
        data = super().clean()
        organization = data.get("organization") or self.organization_for_check
        scheme = data.get("scheme")
        taken = DeadlineRuleOverride.objects.filter(organization=organization, scheme=scheme)
        if organization and scheme and taken.exclude(pk=self.instance.pk).exists():
            self.add_error("scheme", "This organization already overrides this scheme's rule.")
        return data


@admin.register(DeadlineRuleOverride)
class DeadlineRuleOverrideAdmin(OrganizationScopedAdminMixin, admin.ModelAdmin):
    """The organization's own deadlines for schemes, in place of (or where there is no)
    catalog rule."""

    form = DeadlineRuleOverrideForm

    list_display = ["scheme", "frequency", "due_months_after", "due_day", "updated_at"]
    list_filter = ["frequency", "scheme__pro__country", "scheme__report_type"]
    search_fields = ["scheme__pro__name", "scheme__report_type__code", "note"]
    list_select_related = ["scheme__pro__country", "scheme__report_type"]
    autocomplete_fields = ["scheme"]

    def get_fields(self, request, obj=None):
        fields = ["scheme", "frequency", "due_months_after", "due_day", "note"]
        return ["organization", *fields] if request.user.is_superuser else fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        organization = organization_of(request)
        if organization is not None and not request.user.is_superuser:
            form = type(form.__name__, (form,), {"organization_for_check": organization})
        return form

    def save_form(self, request, form, change):
        obj = super().save_form(request, form, change)
        if not request.user.is_superuser:
            obj.organization = organization_for_user(request.user)
        return obj


class CalendarFeedTokenForm(forms.ModelForm):
    class Meta:
        model = CalendarFeedToken
        fields: list[str] = []


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(admin.ModelAdmin):
    """A user's own secret calendar URL: adding one shows it once (and replaces any older
    one); deleting it revokes it. Members see only their own."""

    list_display = ["user", "prefix", "created_at", "last_used_at"]
    form = CalendarFeedTokenForm

    def get_fieldsets(self, request, obj=None):
        # Nothing to fill in: the token is generated for the requesting user.
        return [(None, {"fields": ()})]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("user")
        return queryset if request.user.is_superuser else queryset.filter(user=request.user)

    def _member(self, request) -> bool:
        return request.user.is_superuser or membership_for_user(request.user) is not None

    def has_module_permission(self, request):
        return self._member(request)

    def has_view_permission(self, request, obj=None):
        return self._member(request)

    def has_add_permission(self, request):
        return membership_for_user(request.user) is not None

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self._member(request) and (
            obj is None or obj.user_id == request.user.pk or request.user.is_superuser
        )

    def save_model(self, request, obj, form, change):
        raw_token = calendar_feed_create(user=request.user)
        saved = CalendarFeedToken.objects.get(user=request.user)
        obj.pk, obj.user, obj.prefix = saved.pk, saved.user, saved.prefix
        url = request.build_absolute_uri(reverse("calendar-api:deadline-feed-ics"))
        self.message_user(
            request,
            format_html(
                "Your calendar URL (copy it now, it is not shown again): <code>{}?token={}</code>",
                url,
                raw_token,
            ),
            messages.WARNING,
        )
