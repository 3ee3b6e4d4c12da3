"""The most free text each field takes.

Models size their columns with these, the services check them on every write (API, admin, CSV
upload, management commands alike) and README.md ("Input limits") lists them. A list of 100
clients stays a few megabytes at most, whatever was sent.
"""

import json

from django.core.exceptions import ValidationError

# Client names, aliases (local company names included) and organization names.
NAME_MAX_LENGTH = 255
LOGIN_MAX_LENGTH = 255
REGISTRATION_NUMBER_MAX_LENGTH = 255
# Client notes and credential notes.
NOTES_MAX_LENGTH = 10_000
# A credential's extra_info, as compact UTF-8 JSON (see json_size).
EXTRA_INFO_MAX_BYTES = 10 * 1024
# Levels of objects and arrays in extra_info, the object itself being the first.
EXTRA_INFO_MAX_DEPTH = 32
API_KEY_NAME_MAX_LENGTH = 100
# A calendar submission's reference (the PRO's receipt number); its note takes NOTES_MAX_LENGTH.
SUBMISSION_REFERENCE_MAX_LENGTH = 255
# The identifiers of an uploaded file kept with its import record (the API's `fileId`).
FILE_ID_MAX_LENGTH = 255
FILE_IDS_MAX = 1000


def too_long_message(field: str, limit: int) -> str:
    """The message for a text over its limit. It never quotes the text: a password, or a
    megabyte of it, has no place in an error."""
    return f"{field} is too long: at most {limit} characters."


def length_errors(values: dict[str, tuple[object, int]]) -> dict[str, list[str]]:
    """`{field: [message]}` for each `field: (text, limit)` whose text is over its limit;
    values that are not text (None, a marker for "not given") are left to other checks."""
    return {
        field: [too_long_message(field, limit)]
        for field, (value, limit) in values.items()
        if isinstance(value, str) and len(value) > limit
    }


def check_lengths(values: dict[str, tuple[object, int]]) -> None:
    """Raise ValidationError naming every field of `values` over its limit (see length_errors)."""
    errors = length_errors(values)
    if errors:
        raise ValidationError(errors)


def json_size(value) -> int:
    """Bytes of `value` written as compact UTF-8 JSON: the measure of EXTRA_INFO_MAX_BYTES."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def json_depth(value) -> int:
    """Levels of objects and arrays in a JSON value (0 for a scalar), counted without
    recursion: a value nested deeper than Python's stack is measured, not a crash."""
    depth = 0
    pending = [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict | list):
            depth = max(depth, level)
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, level + 1) for child in children)
    return depth
