"""Every executed bulk upload (API, admin, command), with its background job."""

from django.contrib import admin, messages
from django.contrib.admin import DateFieldListFilter
from django.core.exceptions import PermissionDenied
from django.utils.html import format_html, format_html_join

from clients.tenancy import OrganizationScopedAdminMixin
from credentials.admin.common import ReadOnlyAdminMixin
from credentials.client_import.jobs import import_job_resume
from credentials.models import ClientImport, ImportJob


@admin.register(ClientImport)
class ClientImportAdmin(ReadOnlyAdminMixin, OrganizationScopedAdminMixin, admin.ModelAdmin):
    """Every executed bulk upload (API, admin, command): who, when, which file, what it did."""

    list_display = [
        "created_at",
        "username",
        "source",
        "file_name",
        "shown_file_ids",
        "rows",
        "created",
        "updated",
        "errors",
        "warnings",
        "applied",
    ]
    list_filter = ["source", "applied", ("created_at", DateFieldListFilter)]
    search_fields = ["username", "file_name"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "username",
        "source",
        "job_progress",
        "file_name",
        "shown_file_ids",
        "mapping",
        "atomic",
        "applied",
        "rows",
        "valid_rows",
        "created",
        "updated",
        "errors",
        "warnings",
        "duration_ms",
        "error_table",
    ]
    readonly_fields = fields
    list_per_page = 50
    actions = ["resume_jobs"]
    # The record page of a job still running reloads itself this often (seconds).
    JOB_REFRESH_SECONDS = 5

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("job")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = (
            ImportJob.objects.filter(
                client_import__in=self.get_queryset(request), pk=object_id
            ).first()
            if str(object_id).isdigit()
            else None
        )
        running = job is not None and job.state in (ImportJob.State.QUEUED, ImportJob.State.RUNNING)
        extra_context = {
            **(extra_context or {}),
            "refresh_seconds": running and self.JOB_REFRESH_SECONDS,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="background job")
    def job_progress(self, record: ClientImport):
        job = getattr(record, "job", None)
        if job is None:
            return "— (run at once)"
        text = f"{job.get_state_display()}: {job.rows_done:,} of {job.rows_total:,} rows"
        return format_html(
            '<progress value="{}" max="{}"></progress> {}{}',
            job.rows_done,
            job.rows_total,
            text,
            f" — {job.error}" if job.error else "",
        )

    @admin.action(description="Resume the selected failed background jobs")
    def resume_jobs(self, request, queryset):
        if not self._member_may(request, write=True):
            raise PermissionDenied
        resumed = sum(
            import_job_resume(job)
            for job in ImportJob.objects.filter(
                client_import__in=queryset, state=ImportJob.State.FAILED
            )
        )
        self.message_user(request, f"{resumed} job(s) queued again.", messages.SUCCESS)

    @admin.display(description="file ids")
    def shown_file_ids(self, record: ClientImport) -> str:
        return ", ".join(record.file_ids)

    @admin.display(description="row errors")
    def error_table(self, record: ClientImport):
        if not record.row_errors:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (error["row"], error["field"] or "(row)", error["message"])
                for error in record.row_errors
            ),
        )
        return format_html(
            "<table><thead><tr><th>row</th><th>field</th><th>message</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            rows,
        )
