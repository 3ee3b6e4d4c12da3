"""Admin of the compliance calendar: the Deadlines page (filters and "mark as reported"),
submissions with a CSV import, the organization's deadline rule overrides and the user's
own calendar URL."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from clients.models import Client, Organization
from clients.parsing import parse_id
from clients.tenancy import OrganizationScopedAdminMixin, membership_for_user, organization_for_user
from credentials.calendar.models import (
    CalendarFeedToken,
    DeadlineCalendar,
    DeadlineRuleOverride,
    Submission,
)
from credentials.calendar.selectors import (
    DeadlineFilter,
    DeadlineStatus,
    deadlines_of,
    organization_today,
)
from credentials.calendar.services import (
    SubmissionExists,
    SubmissionInput,
    calendar_feed_create,
    submission_create,
    submission_delete,
    submission_update,
    submissions_import,
    submissions_mark_reported,
)
from reporting.models import Country, Pro, ReportType
from reporting.periods import PeriodError, period_parse

DEADLINES_SHOWN = 500
KEY_SEPARATOR = "|"


def _organization_of(request) -> Organization | None:
    """The member's organization; a superuser without one picks it with ?organization=ID."""
    organization = organization_for_user(request.user)
    if organization is None and request.user.is_superuser:
        chosen = parse_id(request.GET.get("organization") or request.POST.get("organization") or "")
        if chosen is not None:
            organization = Organization.objects.filter(pk=chosen).first()
    return organization


class DeadlineFilterForm(forms.Form):
    WINDOWS = {
        "this_week": "This week",
        "this_month": "This month",
        "next_60_days": "Next 60 days",
        "overdue": "Overdue (last 12 months)",
    }

    window = forms.ChoiceField(choices=list(WINDOWS.items()), required=False)
    country = forms.ModelChoiceField(Country.objects.all(), required=False, to_field_name="code")
    pro = forms.ModelChoiceField(Pro.objects.select_related("country"), required=False)
    report_type = forms.ModelChoiceField(
        ReportType.objects.all(), required=False, to_field_name="code"
    )
    status = forms.ChoiceField(
        choices=[("", "any status"), *((s, s.replace("_", " ")) for s in DeadlineStatus.ALL)],
        required=False,
    )

    def deadline_filter(self, today) -> DeadlineFilter:
        data = self.cleaned_data
        window = data.get("window") or "next_60_days"
        statuses = {data["status"]} if data.get("status") else set()
        if window == "this_week":
            start = today - timedelta(days=today.weekday())
            end = start + timedelta(days=6)
        elif window == "this_month":
            start = today.replace(day=1)
            end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        elif window == "overdue":
            start, end = today - timedelta(days=365), today - timedelta(days=1)
            statuses = {DeadlineStatus.OVERDUE}
        else:
            start, end = today, today + timedelta(days=60)

        def ids(name):
            return frozenset({data[name].pk}) if data.get(name) else frozenset()

        return DeadlineFilter(
            start=start,
            end=end,
            country_ids=ids("country"),
            pro_ids=ids("pro"),
            report_type_ids=ids("report_type"),
            statuses=frozenset(statuses),
        )


@admin.register(DeadlineCalendar)
class DeadlineCalendarAdmin(OrganizationScopedAdminMixin, admin.ModelAdmin):
    """Deadlines are computed, not rows, so a changelist cannot show them: this admin's
    changelist is a page of its own, filtered like the API, with the bulk "mark as reported"
    action. The proxy model only gives the page its place in the admin's menu."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _may_mark(self, request) -> bool:
        if request.user.is_superuser:
            return True
        membership = membership_for_user(request.user)
        return membership is not None and membership.can_write

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "",
                self.admin_site.admin_view(self.deadlines_view),
                name="{}_{}_changelist".format(*info),
            )
        ]

    def deadlines_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        organization = _organization_of(request)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Deadlines",
            "organization": organization,
            "organizations": (
                Organization.objects.all()
                if request.user.is_superuser
                else Organization.objects.none()
            ),
            "may_mark": self._may_mark(request),
        }
        if organization is None:
            return TemplateResponse(request, "admin/credentials/deadlines.html", context)
        if request.method == "POST":
            return self._mark_reported(request, organization)
        today = organization_today(organization)
        form = DeadlineFilterForm(request.GET or {"window": "next_60_days"})
        deadlines = (
            deadlines_of(organization, form.deadline_filter(today), today=today)
            if form.is_valid()
            else []
        )
        context.update(
            form=form,
            today=today,
            count=len(deadlines),
            deadlines=[
                (KEY_SEPARATOR.join(map(str, d.key)), d) for d in deadlines[:DEADLINES_SHOWN]
            ],
            shown=DEADLINES_SHOWN,
        )
        return TemplateResponse(request, "admin/credentials/deadlines.html", context)

    def _mark_reported(self, request, organization):
        if not self._may_mark(request):
            raise PermissionDenied
        chosen = []
        for key in request.POST.getlist("deadline"):
            parts = key.split(KEY_SEPARATOR)
            if len(parts) == 5:
                chosen.append(SubmissionInput(*parts))
        if not chosen:
            self.message_user(
                request, "Select the deadlines to mark as reported.", messages.WARNING
            )
            return HttpResponseRedirect(request.get_full_path())
        try:
            result = submissions_mark_reported(
                organization=organization, deadlines=chosen, user=request.user
            )
        except Client.DoesNotExist:
            self.message_user(
                request, "Nothing was marked: a selected client is not yours.", messages.ERROR
            )
        except ValidationError as error:
            self.message_user(
                request, f"Nothing was marked: {'; '.join(error.messages)}", messages.ERROR
            )
        else:
            skipped = f", {result.skipped} already were" if result.skipped else ""
            self.message_user(
                request,
                f"{result.created} deadline(s) marked as reported{skipped}.",
                messages.SUCCESS,
            )
        return HttpResponseRedirect(request.get_full_path())


class SubmissionAdminForm(forms.ModelForm):
    class Meta:
        model = Submission
        fields = ["client", "country", "pro", "report_type", "period", "reference", "note"]

    def clean_period(self):
        try:
            return period_parse(self.cleaned_data["period"]).name
        except PeriodError as error:
            raise ValidationError(str(error)) from None

    def clean(self):
        data = super().clean()
        pro, country, report_type = data.get("pro"), data.get("country"), data.get("report_type")
        if pro and country and pro.country_id != country.pk:
            self.add_error("pro", f"{pro.name} is a PRO of {pro.country.code}, not {country.code}.")
        elif pro and report_type and not pro.schemes.filter(report_type=report_type).exists():
            self.add_error("report_type", f"{pro.name} does not take {report_type.code}.")
        return data


class SubmissionImportForm(forms.Form):
    file = forms.FileField(
        help_text="CSV with a header row: client_id, country, pro, report_type, period, and "
        "optionally reference, note. UTF-8."
    )


@admin.register(Submission)
class SubmissionAdmin(OrganizationScopedAdminMixin, admin.ModelAdmin):
    form = SubmissionAdminForm
    list_display = [
        "client",
        "country",
        "pro",
        "report_type",
        "period",
        "submitted_at",
        "submitted_by",
        "reference",
    ]
    list_filter = ["country", "report_type", "period"]
    search_fields = ["client__name", "reference", "period", "pro__name"]
    list_select_related = ["client", "country", "pro", "report_type", "submitted_by"]
    readonly_fields = ["submitted_by", "submitted_at"]
    change_list_template = "admin/credentials/submission/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["client", "country", "pro", "report_type", "period", "submitted_by", "submitted_at"]

    def get_fields(self, request, obj=None):
        fields = ["client", "country", "pro", "report_type", "period", "reference", "note"]
        return fields if obj is None else [*fields, "submitted_by", "submitted_at"]

    def save_model(self, request, obj, form, change):
        if change:
            submission_update(submission=obj, reference=obj.reference, note=obj.note)
            return
        try:
            created = submission_create(
                organization=_organization_of(request) or obj.client.organization,
                data=SubmissionInput(
                    client_id=obj.client_id,
                    country=obj.country.code,
                    pro=obj.pro.name,
                    report_type=obj.report_type.code,
                    period=obj.period,
                    reference=obj.reference,
                    note=obj.note,
                ),
                user=request.user,
            )
        except SubmissionExists as error:
            raise PermissionDenied(str(error)) from None
        obj.pk = created.pk
        obj.organization = created.organization

    def delete_model(self, request, obj):
        submission_delete(submission=obj)

    def delete_queryset(self, request, queryset):
        for submission in queryset:
            submission_delete(submission=submission)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="credentials_submission_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        organization = _organization_of(request)
        form = SubmissionImportForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid() and organization is not None:
            try:
                result = submissions_import(
                    organization=organization,
                    raw=form.cleaned_data["file"].read(),
                    user=request.user,
                )
            except ValidationError as error:
                errors = error.messages
            else:
                self.message_user(
                    request,
                    f"{result.created} submission(s) recorded, {result.skipped} already were.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:credentials_submission_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import submissions",
            "form": form,
            "errors": errors,
            "organization": organization,
            "organizations": (
                Organization.objects.all()
                if request.user.is_superuser
                else Organization.objects.none()
            ),
        }
        return TemplateResponse(request, "admin/credentials/submission/import.html", context)


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
        organization = _organization_of(request)
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
