"""The input limits' helpers: which values are over, and how extra_info is measured."""

import pytest
from django.core.exceptions import ValidationError

from clients.limits import check_lengths, json_depth, json_size, length_errors, too_long_message


def test_length_errors_name_each_field_over_its_limit_and_the_limit():
    errors = length_errors({"notes": ("x" * 11, 10), "login": ("x" * 10, 10)})

    assert errors == {"notes": ["notes is too long: at most 10 characters."]}


@pytest.mark.parametrize("value", [None, 12345, object()])
def test_length_errors_leave_values_that_are_not_text_to_other_checks(value):
    assert length_errors({"notes": (value, 1)}) == {}


def test_check_lengths_raises_a_validation_error_by_field():
    with pytest.raises(ValidationError) as error:
        check_lengths({"name": ("x" * 3, 2)})

    assert error.value.message_dict == {"name": [too_long_message("name", 2)]}


def test_the_message_never_quotes_the_text():
    secret = "s3cr3t-" * 10

    messages = length_errors({"password": (secret, 5)})["password"]

    assert all("s3cr3t" not in message for message in messages)


def test_json_size_counts_compact_utf8_bytes():
    assert json_size({"a": "é"}) == len('{"a":"é"}'.encode())


@pytest.mark.parametrize(
    ("value", "depth"),
    [("text", 0), ({}, 1), ({"a": [1, {"b": None}]}, 3), ([[[]]], 3)],
)
def test_json_depth_counts_levels_of_objects_and_arrays(value, depth):
    assert json_depth(value) == depth


def test_json_depth_measures_nesting_deeper_than_the_stack():
    value: dict = {}
    for _ in range(10_000):
        value = {"a": value}

    assert json_depth(value) == 10_001
