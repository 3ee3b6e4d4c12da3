"""Checks of a credential's own input: lengths, NULs, the password mask, extra_info, and the
login and password a credential linked to a collective account may not carry."""

import enum

from django.core.exceptions import ValidationError
from django.views.decorators.debug import sensitive_variables

from clients.limits import (
    EXTRA_INFO_MAX_BYTES,
    EXTRA_INFO_MAX_DEPTH,
    LOGIN_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    REGISTRATION_NUMBER_MAX_LENGTH,
    json_depth,
    json_size,
    length_errors,
)
from credentials.models import (
    MASK,
    Credential,
)


class Unset(enum.Enum):
    """Marks an argument of an update that was not given (None is a value: "clear it")."""

    UNSET = "unset"


UNSET = Unset.UNSET


@sensitive_variables("login", "password")
def linked_secret_errors(*, login, password, collective: Credential) -> dict[str, list[str]]:
    """Errors for a login or password given to a credential linked to `collective`.

    A linked credential has no login or password of its own; echoing the collective's is fine.
    UNSET, None and "" give nothing.
    """
    errors = {}
    for field, given, inherited in (
        ("login", login, collective.login),
        ("password", password, collective.password),
    ):
        if given not in (UNSET, None, "", inherited):
            errors[field] = [
                f"This credential reads its {field} from collective account {collective.pk} "
                f"({collective}). To give it its own {field}, unlink it first: send "
                '"collective_account_id": null together with the new login and password.'
            ]
    return errors


@sensitive_variables("login", "password")
def _refuse_own_secrets_when_linked(*, login, password, collective: Credential) -> None:
    errors = linked_secret_errors(login=login, password=password, collective=collective)
    if errors:
        raise ValidationError(errors)


NULL_CHARACTER_MESSAGE = "Null characters are not allowed."
MASKED_PASSWORD_MESSAGE = (
    f'"{MASK}" is the mask shown in place of a password. Send the real password, or '
    "leave the field out to keep the stored one."
)


def holds_null_character(value) -> bool:
    """Whether a JSON value has a NUL anywhere; PostgreSQL stores none in text or jsonb.
    Walked without recursion, so that no nesting overflows the stack."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def is_masked_password(password) -> bool:
    """Whether `password` is the mask shown in its place: echoed back, it must not replace
    the stored password."""
    return password == MASK


def _json_kind(value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return f"a {type(value).__name__}"


def extra_info_error(extra_info) -> str | None:
    """Why `extra_info` cannot be stored (None when it can): a credential's extra_info is a
    JSON object (or null) of at most EXTRA_INFO_MAX_DEPTH levels and EXTRA_INFO_MAX_BYTES as
    compact JSON, without NULs."""
    if extra_info in (UNSET, None):
        return None
    if not isinstance(extra_info, dict):
        return f"Must be a JSON object or null, not {_json_kind(extra_info)}."
    if json_depth(extra_info) > EXTRA_INFO_MAX_DEPTH:
        return f"extra_info is nested too deeply: at most {EXTRA_INFO_MAX_DEPTH} levels."
    size = json_size(extra_info)
    if size > EXTRA_INFO_MAX_BYTES:
        return (
            f"extra_info is too large: at most {EXTRA_INFO_MAX_BYTES} bytes (10 KB) as compact "
            f"UTF-8 JSON; this one has {size}."
        )
    if holds_null_character(extra_info):
        return NULL_CHARACTER_MESSAGE
    return None


@sensitive_variables("login", "password")
def _check_plain_input(*, login, password, registration_number, notes, extra_info) -> None:
    errors = length_errors(
        {
            "login": (login, LOGIN_MAX_LENGTH),
            "registration_number": (registration_number, REGISTRATION_NUMBER_MAX_LENGTH),
            "notes": (notes, NOTES_MAX_LENGTH),
        }
    )
    if is_masked_password(password):
        errors["password"] = [MASKED_PASSWORD_MESSAGE]
    extra_info_problem = extra_info_error(extra_info)
    if extra_info_problem:
        errors["extra_info"] = [extra_info_problem]
    if errors:
        raise ValidationError(errors)


def _clean_fields(credential: Credential) -> None:
    credential.clean_fields(exclude=["client", "country", "pro", "collective_account"])
    errors = {
        field: [NULL_CHARACTER_MESSAGE]
        for field in ("login", "registration_number", "notes")
        if holds_null_character(getattr(credential, field))
    }
    if errors:
        raise ValidationError(errors)
