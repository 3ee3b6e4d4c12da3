"""Writes of the compliance calendar: submissions, calendar feed tokens."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from clients.limits import NOTES_MAX_LENGTH, SUBMISSION_REFERENCE_MAX_LENGTH, length_errors
from clients.models import Client, Organization
from clients.parsing import parse_id
from clients.tenancy import clients_of
from credentials.calendar.models import CalendarFeedToken, Submission
from credentials.client_import.files import FileReadError, read_rows
from reporting.periods import PeriodError, period_parse
from reporting.selectors import Catalog, CatalogLookupError

REFERENCE_MAX_LENGTH = SUBMISSION_REFERENCE_MAX_LENGTH
NOTE_MAX_LENGTH = NOTES_MAX_LENGTH


def _text_errors(*, reference: str | None, note: str | None) -> dict[str, list[str]]:
    return length_errors(
        {"reference": (reference, REFERENCE_MAX_LENGTH), "note": (note, NOTE_MAX_LENGTH)}
    )


class SubmissionExists(Exception):
    """The report is already recorded as submitted."""

    def __init__(self, submission: Submission):
        super().__init__(
            f"{submission.client.name} already has {submission.report_type.code} for "
            f"{submission.period} at {submission.pro.name} ({submission.country.code}) recorded "
            f"as submitted (submission {submission.pk})."
        )
        self.submission = submission


@dataclass(frozen=True)
class SubmissionInput:
    """A submission as a door receives it: catalog values by their codes and names."""

    client_id: int | str
    country: str
    pro: str
    report_type: str
    period: str
    reference: str = ""
    note: str = ""


def _resolve(*, organization: Organization, data: SubmissionInput, catalog: Catalog) -> dict:
    """The submission's rows, or ValidationError by field; Client.DoesNotExist for a client
    that is not the organization's own."""
    errors: dict[str, list[str]] = {}
    client_id = parse_id(data.client_id)
    if client_id is None:
        raise ValidationError({"client_id": [f"{data.client_id!r} is not a client id."]})
    client = clients_of(organization).get(pk=client_id)
    values: dict = {"client": client}
    try:
        values["country"] = country = catalog.country(data.country)
        values["pro"] = pro = catalog.pro(country, data.pro)
        values["report_type"] = report_type = catalog.report_type(data.report_type)
        catalog.check_offered(pro, report_type)
    except CatalogLookupError as error:
        errors.setdefault(
            error.field if error.field != "report_types" else "report_type", []
        ).append(error.message)
    try:
        values["period"] = period_parse(data.period).name
    except PeriodError as error:
        errors.setdefault("period", []).append(str(error))
    errors.update(_text_errors(reference=data.reference, note=data.note))
    if errors:
        raise ValidationError(errors)
    values["reference"] = (data.reference or "").strip()
    values["note"] = data.note or ""
    return values


def _existing(values: dict) -> Submission | None:
    return (
        Submission.objects.select_related("client", "country", "pro", "report_type")
        .filter(
            client=values["client"],
            country=values["country"],
            pro=values["pro"],
            report_type=values["report_type"],
            period=values["period"],
        )
        .first()
    )


@transaction.atomic
def submission_create(
    *,
    organization: Organization,
    data: SubmissionInput,
    user=None,
    submitted_at: datetime.datetime | None = None,
    catalog: Catalog | None = None,
) -> Submission:
    """Record that a report was submitted.

    Raises Client.DoesNotExist for a client the organization does not own, ValidationError for
    unknown catalog values or a bad period, SubmissionExists when it is already recorded.
    """
    values = _resolve(organization=organization, data=data, catalog=catalog or Catalog.load())
    existing = _existing(values)
    if existing is not None:
        raise SubmissionExists(existing)
    try:
        with transaction.atomic():
            return Submission.objects.create(
                organization=organization,
                submitted_by=user if getattr(user, "is_authenticated", False) else None,
                submitted_at=submitted_at or timezone.now(),
                **values,
            )
    except IntegrityError:
        # Recorded by someone else between the check and the insert.
        raise SubmissionExists(_existing(values)) from None


@transaction.atomic
def submission_delete(*, submission: Submission) -> None:
    """Forget a submission: its deadline is open again."""
    submission.delete()


@dataclass(frozen=True)
class SubmissionImportResult:
    created: int
    skipped: int


SUBMISSION_CSV_COLUMNS = (
    "client_id",
    "country",
    "pro",
    "report_type",
    "period",
    "reference",
    "note",
)
SUBMISSION_CSV_REQUIRED = ("client_id", "country", "pro", "report_type", "period")


def _submission_file(raw: bytes | str) -> tuple[list[str], list[list[str]]]:
    """The header (column names, lowercase, spaces as underscores) and the rows of a file;
    ValidationError for a file that cannot be read or lacks a required column."""
    try:
        # The same reader as the client import: any delimiter, encoding, or an XLSX workbook.
        _, rows = read_rows(raw.encode() if isinstance(raw, str) else raw)
    except FileReadError as error:
        raise ValidationError(error.message) from None
    if not rows:
        raise ValidationError("The file is empty.")
    header = [cell.strip().lower().replace(" ", "_") for cell in rows[0]]
    missing = [column for column in SUBMISSION_CSV_REQUIRED if column not in header]
    if missing:
        raise ValidationError(
            f"Missing column(s): {', '.join(missing)}. "
            f"Columns: {', '.join(SUBMISSION_CSV_COLUMNS)}."
        )
    return header, rows[1:]


def _recorded(*, organization: Organization, data: SubmissionInput, user, catalog) -> bool:
    """Record a submission: True, or False when it already was (skipped)."""
    try:
        submission_create(organization=organization, data=data, user=user, catalog=catalog)
    except SubmissionExists:
        return False
    return True


def _import_line(
    line: int, cells: list[str], header: list[str], record_line
) -> tuple[list[str], bool | None]:
    """A file line recorded by `record_line(data)`: its errors, and whether it was recorded
    (None for an empty line or one with errors)."""
    if not any(cell.strip() for cell in cells):
        return [], None
    if len(cells) != len(header):
        return [f"Line {line}: {len(cells)} cells where the header has {len(header)}."], None
    record = dict(zip(header, cells, strict=True))
    data = SubmissionInput(**{k: record.get(k, "") for k in SUBMISSION_CSV_COLUMNS})
    try:
        return [], record_line(data)
    except Client.DoesNotExist:
        return [f"Line {line}: client_id: no client {data.client_id!r} here."], None
    except ValidationError as error:
        return [
            f"Line {line}: {name}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ], None


@transaction.atomic
def submissions_import(
    *, organization: Organization, raw: bytes | str, user=None
) -> SubmissionImportResult:
    """Record the submissions of a CSV file (a header row naming the columns client_id,
    country, pro, report_type, period and optionally reference, note), all or nothing.

    Rows already recorded are skipped, so a file can be imported twice. Any bad row is a
    ValidationError listing every bad row by its line number in the file; nothing is recorded.
    """
    header, rows = _submission_file(raw)
    catalog = Catalog.load()

    def record_line(data: SubmissionInput) -> bool:
        return _recorded(organization=organization, data=data, user=user, catalog=catalog)

    errors: list[str] = []
    outcomes: list[bool] = []
    for line, cells in enumerate(rows, start=2):
        line_errors, recorded = _import_line(line, cells, header, record_line)
        errors.extend(line_errors)
        if recorded is not None:
            outcomes.append(recorded)
    if errors:
        transaction.set_rollback(True)
        raise ValidationError(errors)
    return SubmissionImportResult(created=sum(outcomes), skipped=len(outcomes) - sum(outcomes))


@transaction.atomic
def calendar_feed_create(*, user) -> str:
    """A new secret calendar URL token for `user`, replacing the previous one. The raw token
    is answered once; only its digest is kept."""
    raw_token = CalendarFeedToken.generate_raw_token()
    CalendarFeedToken.objects.update_or_create(
        user=user,
        defaults={
            "token_hash": CalendarFeedToken.hash_token(raw_token),
            "prefix": raw_token[:12],
            "created_at": timezone.now(),
            "last_used_at": None,
        },
    )
    return raw_token


@transaction.atomic
def calendar_feed_revoke(*, user) -> bool:
    """Revoke the user's calendar URL; False when there was none."""
    deleted, _ = CalendarFeedToken.objects.filter(user=user).delete()
    return bool(deleted)


def calendar_feed_user(*, raw_token: str):
    """The user whose calendar URL carries `raw_token`, or None (unknown or revoked)."""
    if not raw_token:
        return None
    feed = (
        CalendarFeedToken.objects.select_related("user__membership__organization")
        .filter(token_hash=CalendarFeedToken.hash_token(raw_token), user__is_active=True)
        .first()
    )
    if feed is None:
        return None
    CalendarFeedToken.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed.user


@transaction.atomic
def submission_update(*, submission: Submission, reference: str, note: str) -> Submission:
    """Change what a submission says (its reference and note); what it covers stays."""
    errors = _text_errors(reference=reference, note=note)
    if errors:
        raise ValidationError(errors)
    submission.reference = (reference or "").strip()
    submission.note = note or ""
    submission.save(update_fields=["reference", "note"])
    return submission


@transaction.atomic
def submissions_mark_reported(
    *, organization: Organization, deadlines: list[SubmissionInput], user=None
) -> SubmissionImportResult:
    """Record each deadline as submitted (the admin's bulk action), all or nothing; those
    already recorded are skipped."""
    catalog = Catalog.load()
    outcomes = [
        _recorded(organization=organization, data=data, user=user, catalog=catalog)
        for data in deadlines
    ]
    return SubmissionImportResult(created=sum(outcomes), skipped=len(outcomes) - sum(outcomes))
