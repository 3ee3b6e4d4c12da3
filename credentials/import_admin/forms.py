"""The import screens' forms: the upload, the mapping of each column, the confirmation."""

from django import forms
from django.core.exceptions import ValidationError
from import_export.forms import ConfirmImportForm, ImportForm

from credentials.client_import import FIELDS, upload_validate
from credentials.client_import.files import FileReadError, read_rows
from credentials.client_import.mapping import HEADER_ONLY_MESSAGE, mapping_detect, rows_width_check

SKIP = ""


def mapping_text(mapping) -> str:
    return ",".join(name or SKIP for name in mapping)


def mapping_of(text: str) -> list[str | None]:
    return [name.strip() or None for name in text.split(",")]


class ClientImportForm(ImportForm):
    """The upload step: a CSV or XLSX file whose rows all have the header's number of cells;
    otherwise a form error says what is wrong, before anything is stored. The header is read
    tolerantly (`mapping_detect`): a column no field matches is skipped until staff map it."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        rows = self._read(upload)
        self.detected_mapping = mapping_detect(rows[0]) if rows else []
        try:
            upload_validate(rows=rows, size=upload.size, whole_rows=True)
        except ValidationError as error:
            file_errors = error.error_dict.get("file")
            if file_errors or not any(self.detected_mapping):
                raise ValidationError([m for e in error.error_dict.values() for m in e]) from None
            # Some headers match no field: checked as a file here, mapped at the preview.
            self._check_unmapped_file(rows)
        return upload

    def _read(self, upload) -> list[list[str]]:
        """The file's rows; a file over the limit is refused before it is read."""
        try:
            upload_validate(rows=[[""]], mapping=["name"], has_header=False, size=upload.size)
            self.file_info, rows = read_rows(upload.read())
            upload.seek(0)
        except FileReadError as error:
            raise ValidationError(error.message) from None
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return rows

    @staticmethod
    def _check_unmapped_file(rows: list[list[str]]) -> None:
        if not any(any(cell.strip() for cell in row) for row in rows[1:]):
            raise ValidationError(HEADER_ONLY_MESSAGE)
        try:
            rows_width_check(rows, len(rows[0]), 1)
        except ValidationError as ragged:
            raise ValidationError(ragged.messages) from None


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
        mapping = mapping_of(self.cleaned_data["mapping"])
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
