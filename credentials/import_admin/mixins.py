"""The client admin's import views, added to its ModelAdmin by two mixins."""

from contextvars import ContextVar

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from clients.tenancy import organization_for_user
from credentials.import_admin.forms import (
    SKIP,
    ClientConfirmImportForm,
    ClientImportForm,
    ClientMappingForm,
    mapping_text,
)
from credentials.import_admin.rows import (
    PREVIEW_ROWS,
    error_texts,
    preview_cells,
    rejected_rows_csv,
    warnings_by_row,
)
from credentials.import_uploads import PendingImportStorage, UploadGone

# The request an import view is handling, for django-import-export's storage hooks, which are
# not given it.
_import_request: ContextVar = ContextVar("import_request")


class PendingImportAdminMixin:
    """The uploaded file of an import (credentials.import_uploads): stored for the request's
    user and organization, confirmed by them only, and not kept when it could not be read. A
    confirmation of an upload the user may not read (another's, expired, already confirmed,
    or a made-up name) imports nothing and sends the user back to the upload form."""

    tmp_storage_class = PendingImportStorage
    UPLOAD_GONE_MESSAGE = (
        "That upload is no longer available (an upload waits {minutes} minutes for its "
        "confirmation, and is used once): upload the file again."
    )

    def get_tmp_storage_class_kwargs(self):
        request = _import_request.get()
        return {
            **super().get_tmp_storage_class_kwargs(),
            "user": request.user,
            "organization": organization_for_user(request.user),
        }

    def import_action(self, request, **kwargs):
        token = _import_request.set(request)
        try:
            response = super().import_action(request, **kwargs)
            context = getattr(response, "context_data", None) or {}
            form = context.get("form")
            upload = getattr(form, "cleaned_data", {}).get("import_file")
            name = getattr(upload, "tmp_storage_name", None)
            if name and "mapping_form" not in context:
                # The file could not be previewed at all: nothing to keep.
                self.get_tmp_storage_class()(
                    name=name, **self.get_tmp_storage_class_kwargs()
                ).remove()
            return response
        finally:
            _import_request.reset(token)

    def upload_gone(self, request):
        minutes = max(1, settings.IMPORT_UPLOAD_TTL // 60)
        messages.error(request, self.UPLOAD_GONE_MESSAGE.format(minutes=minutes))
        info = self.opts.app_label, self.opts.model_name
        return HttpResponseRedirect(reverse("admin:{}_{}_import".format(*info)))

    def process_import(self, request, **kwargs):
        token = _import_request.set(request)
        try:
            return super().process_import(request, **kwargs)
        except UploadGone:
            return self.upload_gone(request)
        finally:
            _import_request.reset(token)


class ClientImportAdminMixin:
    """The client import's mapping, preview, confirmation and rejected rows (see the module's
    docstring); goes after PendingImportAdminMixin and before ImportExportMixin."""

    import_form_class = ClientImportForm
    confirm_form_class = ClientConfirmImportForm
    import_template_name = "admin/clients/client/import_clients.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import/mapping/",
                self.admin_site.admin_view(self.import_mapping_view),
                name="{}_{}_import_mapping".format(*info),
            ),
            path(
                "import/rejected/<str:name>/",
                self.admin_site.admin_view(self.import_rejected_view),
                name="{}_{}_import_rejected".format(*info),
            ),
            *super().get_urls(),
        ]

    def get_import_data_kwargs(self, **kwargs):
        form = kwargs.pop("form", None)
        if isinstance(form, ClientImportForm):
            kwargs.update(mapping=form.detected_mapping, atomic=False)
        elif isinstance(form, ClientConfirmImportForm):
            kwargs.update(
                mapping=form.cleaned_data["mapping"],
                atomic=form.cleaned_data["all_or_nothing"],
            )
        return kwargs

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if isinstance(import_form, ClientImportForm):
            initial["mapping"] = mapping_text(import_form.detected_mapping)
        return initial

    # Preview ------------------------------------------------------------------------------

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None)
        form = (context or {}).get("form")
        result = (context or {}).get("result")
        upload = getattr(form, "cleaned_data", {}).get("import_file")
        if result is not None and getattr(upload, "tmp_storage_name", None):
            context.pop("confirm_form", None)
            context.update(
                self._preview_context(
                    request,
                    result,
                    hidden={
                        "import_file_name": upload.tmp_storage_name,
                        "original_file_name": upload.name,
                        "format": form.cleaned_data["format"],
                        "resource": form.cleaned_data.get("resource", ""),
                    },
                    mapping=form.detected_mapping,
                )
            )
        return response

    def import_mapping_view(self, request):
        """The preview again, with the mapping staff chose (POST of the mapping form)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            info = self.opts.app_label, self.opts.model_name
            return HttpResponseRedirect(reverse("admin:{}_{}_import".format(*info)))
        hidden = ClientMappingForm(request.POST)
        hidden.is_valid()
        data = hidden.cleaned_data
        try:
            format_class = self.get_import_formats()[int(data.get("format", ""))]
        except (ValueError, IndexError):
            raise Http404 from None
        storage = self._storage(request, data.get("import_file_name", ""))
        try:
            dataset = format_class().create_dataset(storage.read())
        except UploadGone:
            return self.upload_gone(request)
        form = ClientMappingForm(request.POST, headers=dataset.headers or [])
        if not form.is_valid():
            raise Http404
        mapping = form.mapping()
        context = self.get_import_context_data()
        context.update(self.admin_site.each_context(request))
        context.update(title="Import", opts=self.model._meta)
        resource = self.choose_import_resource_class(form, request)(
            **self.get_import_resource_kwargs(request=request, form=form)
        )
        result = resource.import_data(
            dataset,
            dry_run=True,
            raise_errors=False,
            file_name=data["original_file_name"],
            user=request.user,
            mapping=mapping,
            atomic=False,
        )
        context["result"] = result
        context.update(
            self._preview_context(
                request,
                result,
                hidden={k: data.get(k, "") for k in ClientMappingForm.base_fields},
                mapping=mapping,
            )
        )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    def _storage(self, request, name: str) -> PendingImportStorage:
        return PendingImportStorage(
            name=name,
            read_mode="rb",
            user=request.user,
            organization=organization_for_user(request.user),
        )

    def _preview_context(self, request, result, *, hidden: dict, mapping) -> dict:
        """The mapping form, totals, capped rows, rejected-rows link and (when a row is
        valid) the confirmation form of a preview's result."""
        headers = list(result.diff_headers)
        initial = {f"column_{i}": name or SKIP for i, name in enumerate(mapping)}
        context = {
            "mapping_form": ClientMappingForm(initial={**hidden, **initial}, headers=headers),
            "file_info": getattr(result, "file_info", None),
            "file_name": hidden.get("original_file_name", ""),
            "preview_cap": PREVIEW_ROWS,
        }
        report = getattr(result, "client_import", None)
        if report is None:
            return context
        context["totals"] = [
            ("Would create", report.created, "clients"),
            ("Would update", report.updated, "clients"),
            ("Valid", report.valid_rows, "rows"),
            ("Invalid", report.invalid_rows, "rows"),
            ("Warnings", report.warnings, ""),
        ]
        context["report"] = report
        context["columns"] = [
            (header, name) for header, name in zip(headers, report.mapping, strict=True) if name
        ]
        context.update(self._preview_rows(report))
        if report.invalid_rows:
            context["rejected_url"] = self._rejected_url(request, result)
        if report.valid_rows:
            context["confirm_form"] = ClientConfirmImportForm(
                initial={**hidden, "mapping": mapping_text(report.mapping)}
            )
        return context

    def _preview_rows(self, report) -> dict:
        warnings = warnings_by_row(report)
        shown, hidden = [], 0
        names = [name for name in report.mapping if name]
        for position, row in enumerate(report.row_reports or ()):
            row_warnings = warnings.get(row.number, [])
            if position >= PREVIEW_ROWS and not row.errors and not row_warnings:
                hidden += 1
                continue
            shown.append(
                {
                    "number": row.number,
                    "type": row.import_type,
                    "cells": preview_cells(row, names),
                    "errors": error_texts(row),
                    "warnings": row_warnings,
                }
            )
        return {"preview_rows": shown, "preview_hidden": hidden}

    # Rejected rows ------------------------------------------------------------------------

    def _rejected_url(self, request, result) -> str:
        storage = self._storage(request, "")
        storage.save(rejected_rows_csv(result))
        info = self.opts.app_label, self.opts.model_name
        return reverse("admin:{}_{}_import_rejected".format(*info), args=[storage.name])

    def import_rejected_view(self, request, name: str):
        """The rejected rows of one's own preview or import; 404 for anyone else's."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        try:
            content = self._storage(request, name).read()
        except UploadGone:
            raise Http404 from None
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="rejected-rows.csv"'
        return response

    # Confirmation -------------------------------------------------------------------------

    def add_success_message(self, result, request):
        report = getattr(result, "client_import", None)
        if report is None:
            # The import stopped before its plan (e.g. a name taken meanwhile): nothing applied.
            for error in result.base_errors:
                messages.error(request, f"Nothing was imported: {error.error}")
            return
        counts = (
            f"{report.created} client(s) created, {report.updated} updated "
            f"(import {report.record.pk})."
        )
        rejected = (
            format_html(
                ' <a href="{}" class="rejected-rows">Download the rejected rows</a> '
                "(CSV with an error column) to fix them and upload them again.",
                self._rejected_url(request, result),
            )
            if report.invalid_rows
            else ""
        )
        if report.applied:
            skipped = (
                f" {report.invalid_rows} row(s) with errors were skipped."
                if report.invalid_rows
                else ""
            )
            messages.success(
                request, format_html("Import finished: {}{}{}", counts, skipped, rejected)
            )
        elif report.valid_rows == 0:
            messages.error(
                request,
                format_html(
                    "Nothing was imported: no row could be applied, {} row(s) have errors "
                    "(import {}).{}",
                    report.invalid_rows,
                    report.record.pk,
                    rejected,
                ),
            )
        else:
            messages.error(
                request,
                format_html(
                    "Nothing was imported (all or nothing): {} row(s) have errors (import {}).{}",
                    report.invalid_rows,
                    report.record.pk,
                    rejected,
                ),
            )
