import itertools
from collections.abc import Iterator
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from clients.models import Organization
from clients.parsing import parse_comma_list
from clients.tenancy import organization_for_user
from credentials.client_import import FIELDS, ImportConflict, upload_validate
from credentials.client_import.files import FileReadError, read_table
from credentials.models import ClientImport
from credentials.resources import ClientResource

ERRORS_SHOWN = 50
# Rows read before the import, for the checks of the mapping and the header.
VALIDATE_ROWS = 100


class Command(BaseCommand):
    help = (
        "Import clients from a spreadsheet (CSV separated by commas, semicolons or tabs, in "
        "UTF-8, UTF-16 or Windows-1252; or XLSX), as the bulk upload does: rows name clients by "
        "name or id and may carry status, notes, aliases, obligations and credentials. "
        f"Fields: {', '.join(FIELDS)}. Invalid rows are reported and skipped (--atomic: "
        "nothing is applied); --dry-run only shows what would happen."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV or XLSX file.")
        parser.add_argument(
            "--mapping",
            help='The field of each column, comma-separated ("name,status,country"; an empty '
            "entry skips a column). Without it, the file's first row names the columns.",
        )
        parser.add_argument(
            "--organization",
            help="Name of the organization to import into (default: the --user's).",
        )
        parser.add_argument("--user", help="Username recorded as the author of the changes.")
        parser.add_argument(
            "--header",
            action="store_true",
            default=None,
            help="With --mapping: the first row is a header (default: when it spells the mapping).",
        )
        parser.add_argument(
            "--no-header", dest="header", action="store_false", help="The first row is data."
        )
        parser.add_argument("--dry-run", action="store_true", help="Preview: change nothing.")
        parser.add_argument(
            "--atomic", action="store_true", help="Apply nothing when any row has an error."
        )

    def handle(self, *args, file, mapping, organization, user, header, dry_run, atomic, **options):
        user_obj = self._user(user)
        org = self._organization(organization, user_obj)
        if mapping is None and header is False:
            raise CommandError("Without --mapping the first row must name the columns.")
        try:
            report = self._import(file, mapping, header, org, user_obj, dry_run, atomic)
        except FileReadError as error:
            raise CommandError(f"{file}: {error}") from None
        self._report(report, dry_run)

    def _import(self, file, mapping, header, org, user_obj, dry_run, atomic):
        with self._open(file) as stream:
            rows = self._rows(file, stream)
            # The first rows are enough for the checks of upload_validate; the others are read
            # as the engine plans them, a chunk at a time.
            first = list(itertools.islice(rows, VALIDATE_ROWS))
            if not first:
                raise CommandError(f"{file} is empty.")
            try:
                shape = upload_validate(
                    rows=first,
                    mapping=None
                    if mapping is None
                    else parse_comma_list(mapping, keep_blanks=True),
                    has_header=header,
                )
            except ValidationError as error:
                if any(e.code == "header_only" for e in error.error_dict.get("file", [])):
                    raise CommandError(f"{file} has no data rows.") from None
                raise CommandError(f"{file}: {' '.join(error.messages)}") from None
            # The bar goes to the raw stream: Django's OutputWrapper would end each redraw with
            # a newline and colour it as an error. Its total is the file's size in bytes.
            size = file.stat().st_size
            with tqdm(
                total=size,
                unit="B",
                unit_scale=True,
                file=self.stderr._out,
                disable=None,
            ) as bar:
                position = [0]

                def progress(rows_done: int) -> None:
                    # The reader closes the file once it has read it all.
                    done = size if stream.closed else stream.tell()
                    bar.update(done - position[0])
                    position[0] = done

                try:
                    result = ClientResource().import_data(
                        itertools.chain(first, rows),
                        dry_run=dry_run,
                        raise_errors=True,
                        organization=org,
                        user=user_obj,
                        mapping=shape.mapping,
                        has_header=shape.has_header,
                        atomic=atomic,
                        source=ClientImport.Source.COMMAND,
                        file_name=file.name,
                        progress=progress,
                    )
                except ImportConflict as error:
                    raise CommandError(str(error)) from None
        return result.client_import

    def _user(self, username):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username!r}.")
        return user

    def _organization(self, name, user) -> Organization:
        if name:
            organization = Organization.objects.filter(name__iexact=name).first()
            if organization is None:
                raise CommandError(f"No organization called {name!r}.")
            return organization
        organization = organization_for_user(user)
        if organization is None:
            raise CommandError("Give --organization (or a --user who belongs to one).")
        return organization

    def _open(self, file: Path):
        try:
            return file.open("rb")
        except FileNotFoundError:
            raise CommandError(f"No file {file}.") from None
        except IsADirectoryError:
            raise CommandError(f"{file} is a folder, not a file.") from None

    def _rows(self, file: Path, stream) -> Iterator[list[str]]:
        """The file's rows, read one at a time as they are planned (CSV in any of the encodings
        and delimiters the reader detects, or XLSX); FileReadError when it cannot be read."""
        info, rows = read_table(stream)
        self.stderr.write(f"{file.name}: {info.description}.")
        return rows

    def _report(self, report, dry_run: bool) -> None:
        for error in report.row_errors[:ERRORS_SHOWN]:
            where = f"row {error['row']}" + (f", {error['field']}" if error["field"] else "")
            self.stderr.write(f"{where}: {error['message']}")
        if report.row_errors_total > ERRORS_SHOWN:
            self.stderr.write(f"... and {report.row_errors_total - ERRORS_SHOWN} more errors.")
        for warning in report.row_warnings[:ERRORS_SHOWN]:
            self.stderr.write(f"warning, row {warning['row']}: {warning['message']}")
        counts = (
            f"{report.created} clients created, {report.updated} clients updated, "
            f"{report.invalid_rows} rows with errors, {report.warnings} warnings "
            f"({report.valid_rows} of {report.rows} rows valid)."
        )
        if dry_run:
            self.stdout.write(f"Preview, nothing changed: {counts}")
        elif report.applied:
            self.stdout.write(self.style.SUCCESS(f"Imported (import {report.record.pk}): {counts}"))
        else:
            why = "no valid row" if report.valid_rows == 0 else "--atomic"
            raise CommandError(f"Nothing imported ({why}, import {report.record.pk}): {counts}")
        if report.invalid_rows:
            skipped = "would be skipped" if dry_run else "were not imported"
            raise CommandError(f"{report.invalid_rows} rows with errors {skipped} (see above).")
