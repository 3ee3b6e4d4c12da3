from datetime import date, timedelta

from rest_framework import serializers

from clients.parsing import parse_choice, parse_comma_list, parse_id
from config.strict_input import UnknownFieldsRefusedMixin
from credentials.calendar.selectors import MAX_WINDOW_DAYS, DeadlineStatus
from credentials.calendar.services import NOTE_MAX_LENGTH, REFERENCE_MAX_LENGTH

# Dates whose periods and due dates (a year either side) the calendar can still compute.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


class DeadlineQuerySerializer(serializers.Serializer):
    """The deadline list's query parameters (offset and limit are the pagination's)."""

    # `from` is a Python keyword: the field is declared under its name in __init__.
    to = serializers.DateField(
        required=False, help_text="Last due date (ISO date). Default: `from` + 60 days."
    )
    country = serializers.CharField(
        required=False, help_text="Country codes, comma-separated (e.g. DE,FR)."
    )
    pro = serializers.CharField(
        required=False, help_text="PRO names, comma-separated, case-insensitive."
    )
    report_type = serializers.CharField(
        required=False, help_text="Report type codes, comma-separated (e.g. WEEE)."
    )
    client = serializers.CharField(required=False, help_text="Client ids, comma-separated.")
    status = serializers.CharField(
        required=False,
        help_text=f"Deadline statuses, comma-separated: {', '.join(DeadlineStatus.ALL)}.",
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(
            required=False,
            help_text="First due date (ISO date). Default: today in the organization's time zone.",
        )
        return {"from": fields.pop("from"), **fields}

    def validate_status(self, value):
        values = parse_comma_list(value)
        statuses = [parse_choice(text, DeadlineStatus.ALL) for text in values]
        unknown = [
            text.lower() for text, status in zip(values, statuses, strict=True) if status is None
        ]
        if unknown:
            raise serializers.ValidationError(
                f"Unknown status {', '.join(unknown)}. "
                f"Valid statuses: {', '.join(DeadlineStatus.ALL)}."
            )
        return statuses

    def validate_client(self, value):
        texts = parse_comma_list(value)
        ids = [parse_id(text) for text in texts]
        bad = [text for text, id_ in zip(texts, ids, strict=True) if id_ is None]
        if bad:
            raise serializers.ValidationError(f"Client ids are numbers, not {', '.join(bad)}.")
        return ids

    def window(self, today):
        """(start, end) of due dates; ValidationError when reversed or over two years."""
        start = self.validated_data.get("from") or today
        for name, day in (("from", start), ("to", self.validated_data.get("to"))):
            if day is not None and not FIRST_DAY <= day <= LAST_DAY:
                raise serializers.ValidationError(
                    {name: [f"A date from {FIRST_DAY} to {LAST_DAY}."]}
                )
        end = self.validated_data.get("to") or start + timedelta(days=60)
        if start > end:
            raise serializers.ValidationError({"from": ["`from` is after `to`."]})
        if (end - start).days > MAX_WINDOW_DAYS:
            raise serializers.ValidationError(
                {"to": [f"The window is at most two years ({MAX_WINDOW_DAYS} days)."]}
            )
        return start, end


class DeadlineSerializer(serializers.Serializer):
    client_id = serializers.IntegerField()
    client_name = serializers.CharField()
    country = serializers.CharField(help_text="Country code.")
    pro = serializers.CharField(help_text="PRO name.")
    report_type = serializers.CharField(help_text="Report type code.")
    period = serializers.CharField(help_text="2026, 2026-H2, 2026-Q3 or 2026-11.")
    due_date = serializers.DateField(help_text="A date of the organization's time zone.")
    status = serializers.ChoiceField(choices=DeadlineStatus.ALL)
    credential_id = serializers.IntegerField(
        allow_null=True, help_text="null for an obligation that no credential covers."
    )
    submission_id = serializers.IntegerField(
        allow_null=True, help_text="The recorded submission, when submitted."
    )


class SubmissionInputSerializer(UnknownFieldsRefusedMixin, serializers.Serializer):
    """A report recorded as submitted. Fields it does not know are a 400 naming them, never
    silently dropped."""

    client_id = serializers.IntegerField()
    country = serializers.CharField(max_length=8, help_text="Country code, e.g. DE.")
    pro = serializers.CharField(max_length=120, help_text="PRO name, e.g. Stiftung EAR.")
    report_type = serializers.CharField(max_length=40, help_text="Report type code, e.g. WEEE.")
    period = serializers.CharField(max_length=20, help_text="2026, 2026-H2, 2026-Q3 or 2026-11.")
    reference = serializers.CharField(
        max_length=REFERENCE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(
        max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class SubmissionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    client_id = serializers.IntegerField()
    country = serializers.CharField(source="country.code")
    pro = serializers.CharField(source="pro.name")
    report_type = serializers.CharField(source="report_type.code")
    period = serializers.CharField()
    submitted_by = serializers.CharField(
        source="submitted_by.username", allow_null=True, default=None
    )
    submitted_at = serializers.DateTimeField()
    reference = serializers.CharField()
    note = serializers.CharField()


class CalendarFeedSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="The secret calendar URL; shown only this once.")
    token = serializers.CharField(help_text="The secret token in it.")
