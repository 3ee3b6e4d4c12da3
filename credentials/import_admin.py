"""The client admin's import screens: upload, mapping, preview, confirm, rejected rows.

django-import-export runs the steps (its import_action and process_import); this module adds
what a spreadsheet from anywhere needs: the file read by credentials.client_import.files, a
mapping detected from the header that staff may change column by column (the preview runs
again), the preview's totals, its row table capped at PREVIEW_ROWS rows plus every row with
an error or a warning, a confirmation that applies the valid rows (or nothing, "all or
nothing"), and the rejected rows as a CSV file to fix and upload again.

The uploaded file waits encrypted in the database (credentials.import_uploads); so does the
rejected-rows file, readable only by the user who uploaded, in their organization.
"""

import csv
import io
from contextvars import ContextVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from import_export.forms import ConfirmImportForm, ImportForm

from clients.tenancy import organization_for_user
from credentials.client_import import FIELDS, upload_validate
from credentials.client_import.files import FileReadError, read_rows
from credentials.client_import.mapping import mapping_detect, rows_width_check
from credentials.import_uploads import PendingImportStorage, UploadGone
from credentials.models import MASK
from credentials.resources import _diff_cell, spreadsheet_safe

# Rows the preview table shows whatever the file's size, besides every row with an error or a
# warning: a 5,000-row file previews in a page a browser renders at once.
PREVIEW_ROWS = 100
SKIP = ""


def _mapping_text(mapping) -> str:
    return ",".join(name or SKIP for name in mapping)


def _mapping_of(text: str) -> list[str | None]:
    return [name.strip() or None for name in text.split(",")]


class ClientImportForm(ImportForm):
    """The upload step: a CSV or XLSX file whose rows all have the header's number of cells;
    otherwise a form error says what is wrong, before anything is stored. The header is read
    tolerantly (`mapping_detect`): a column no field matches is skipped until staff map it."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            # A file over the limit is refused before it is read.
            upload_validate(rows=[[""]], mapping=["name"], has_header=False, size=upload.size)
            self.file_info, rows = read_rows(upload.read())
            upload.seek(0)
        except FileReadError as error:
            raise ValidationError(error.message) from None
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        self.detected_mapping = mapping_detect(rows[0]) if rows else []
        try:
            upload_validate(rows=rows, size=upload.size, whole_rows=True)
        except ValidationError as error:
            file_errors = error.error_dict.get("file")
            if file_errors or not any(self.detected_mapping):
                raise ValidationError([m for e in error.error_dict.values() for m in e]) from None
            # Some headers match no field: checked as a file here, mapped at the preview.
            if not any(any(cell.strip() for cell in row) for row in rows[1:]):
                raise ValidationError("The file has a header row but no data rows.") from None
            try:
                rows_width_check(rows, len(rows[0]), 1)
            except ValidationError as ragged:
                raise ValidationError(ragged.messages) from None
        return upload


class ClientConfirmImportForm(ConfirmImportForm):
    """The confirmation: the file, the mapping the preview used, and whether any invalid row
    means nothing is applied."""

    mapping = forms.CharField(widget=forms.HiddenInput(), required=False)
    all_or_nothing = forms.BooleanField(
        required=False,
        label="All or nothing",
        help_text="Import nothing if any row has an error (otherwise the valid rows are "
        "imported and the invalid ones skipped).",
    )

    def clean_mapping(self):
        if not self.cleaned_data["mapping"]:
            return None  # the file's header row names the fields
        mapping = _mapping_of(self.cleaned_data["mapping"])
        if any(name not in FIELDS for name in mapping if name):
            raise ValidationError("Unknown field in the mapping.")
        return mapping


class ClientMappingForm(forms.Form):
    """The field of each column of the file (one select per header cell), with the hidden
    fields naming the waiting upload."""

    import_file_name = forms.CharField(widget=forms.HiddenInput())
    original_file_name = forms.CharField(widget=forms.HiddenInput())
    format = forms.CharField(widget=forms.HiddenInput())
    resource = forms.CharField(widget=forms.HiddenInput(), required=False)

    def __init__(self, *args, headers=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(SKIP, "(not imported)"), *((name, name) for name in FIELDS)]
        self.headers = list(headers)
        for index, header in enumerate(self.headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                choices=choices, required=False, label=header or f"Column {index + 1}"
            )

    def column_fields(self):
        return [self[f"column_{index}"] for index in range(len(self.headers))]

    def mapping(self) -> list[str | None]:
        return [
            self.cleaned_data.get(f"column_{index}") or None for index in range(len(self.headers))
        ]


def rejected_rows_csv(result) -> bytes:
    """The invalid rows of a preview or an import as a CSV file to fix and upload again: the
    file's header and cells, then the row's number in the file and its errors. Password cells
    are "***", and so are the cells a row error rejects (the preview's rule: in a file mapped
    off by a column, a password may sit under any field); every cell a spreadsheet would run
    as a formula is quoted, as in exports.
    In the file's own delimiter, UTF-8 with a byte-order mark (so Excel reads it right)."""
    report = result.client_import
    info = getattr(result, "file_info", None)
    delimiter = info.delimiter if info is not None and info.delimiter else ","
    headers = list(result.diff_headers)

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([spreadsheet_safe(h) for h in [*headers, "row", "error"]])
    first = FIRST_DATA_ROW
    for row in report.row_reports or ():
        if row.import_type != "invalid":
            continue
        cells = list(result.source_rows[row.number - first])
        cells += [""] * (len(headers) - len(cells))
        withheld = {"password", *(field for field, _ in row.errors if field)}
        cells = [
            MASK if cell and name in withheld else cell
            for cell, name in zip(cells, report.mapping, strict=False)
        ]
        error = "; ".join(
            f"{field}: {message}" if field else message for field, message in row.errors
        )
        writer.writerow([spreadsheet_safe(cell) for cell in [*cells, str(row.number), error]])
    return buffer.getvalue().encode("utf-8-sig")


FIRST_DATA_ROW = 2


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
            initial["mapping"] = _mapping_text(import_form.detected_mapping)
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
                initial={**hidden, "mapping": _mapping_text(report.mapping)}
            )
        return context

    def _preview_rows(self, report) -> dict:
        warnings: dict[int, list[str]] = {}
        for warning in report.row_warnings:
            warnings.setdefault(warning["row"], []).append(
                f"{warning['field']}: {warning['message']}"
            )
        shown, hidden = [], 0
        names = [name for name in report.mapping if name]
        for position, row in enumerate(report.row_reports or ()):
            row_warnings = warnings.get(row.number, [])
            if position >= PREVIEW_ROWS and not row.errors and not row_warnings:
                hidden += 1
                continue
            if row.import_type == "invalid":
                cells = [row.values.get(name, "") for name in names]
            else:
                cells = [_diff_cell(row, name) for name in names]
            shown.append(
                {
                    "number": row.number,
                    "type": row.import_type,
                    "cells": cells,
                    "errors": [
                        f"{field}: {message}" if field else message for field, message in row.errors
                    ],
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
