"""Submissions: added and changed through the services, imported from a CSV file."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from clients.models import Organization
from clients.search import folded_search_fields
from clients.tenancy import OrganizationScopedAdminMixin
from credentials.calendar.admin.deadlines import organization_of
from credentials.calendar.models import Submission
from credentials.calendar.services import (
    SubmissionExists,
    SubmissionInput,
    submission_create,
    submission_delete,
    submission_update,
    submissions_import,
)
from reporting.periods import PeriodError, period_parse


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
    search_fields = [*folded_search_fields("client__name", "pro__name"), "reference", "period"]
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
                organization=organization_of(request) or obj.client.organization,
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
        organization = organization_of(request)
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
