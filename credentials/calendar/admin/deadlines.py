"""The Deadlines page: filters, the list, "mark as reported"; and the organization a
staff member (or a superuser who picks one) works in."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path

from clients.models import Client, Organization
from clients.parsing import parse_id
from clients.tenancy import OrganizationScopedAdminMixin, membership_for_user, organization_for_user
from credentials.admin.common import ReadOnlyAdminMixin
from credentials.calendar.models import DeadlineCalendar
from credentials.calendar.selectors import (
    DeadlineFilter,
    DeadlineStatus,
    deadlines_of,
    organization_today,
)
from credentials.calendar.services import SubmissionInput, submissions_mark_reported
from reporting.models import Country, Pro, ReportType

DEADLINES_SHOWN = 500
KEY_SEPARATOR = "|"


def organization_of(request) -> Organization | None:
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
class DeadlineCalendarAdmin(ReadOnlyAdminMixin, OrganizationScopedAdminMixin, admin.ModelAdmin):
    """Deadlines are computed, not rows, so a changelist cannot show them: this admin's
    changelist is a page of its own, filtered like the API, with the bulk "mark as reported"
    action. The proxy model only gives the page its place in the admin's menu."""

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
        organization = organization_of(request)
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
