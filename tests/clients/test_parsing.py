"""One reading of statuses, yes/no words and comma lists for every door."""

import pytest

from clients.models import ClientStatus
from clients.parsing import MAX_ID, parse_bool, parse_choice, parse_comma_list, parse_id
from credentials.models import CredentialStatus


@pytest.mark.parametrize("word", ["true", "Yes", " y ", "1", "TRUE"])
def test_yes_words_read_as_true(word):
    assert parse_bool(word) is True


@pytest.mark.parametrize("word", ["false", "No", " n ", "0", "FALSE"])
def test_no_words_read_as_false(word):
    assert parse_bool(word) is False


@pytest.mark.parametrize("word", ["", "perhaps", "on", "2"])
def test_other_words_are_not_yes_or_no(word):
    assert parse_bool(word) is None


def test_a_status_is_read_ignoring_case_and_spaces_in_its_own_spelling():
    assert parse_choice(" ARCHIVED ", ClientStatus.values) == ClientStatus.ARCHIVED
    assert parse_choice("Inactive", CredentialStatus.values) == CredentialStatus.INACTIVE


def test_an_unknown_status_is_none():
    assert parse_choice("paused", ClientStatus.values) is None


def test_a_comma_list_strips_items_and_leaves_out_empty_ones():
    assert parse_comma_list(" DE, fr ,,") == ["DE", "fr"]
    assert parse_comma_list(None) == []


def test_a_comma_list_keeps_blank_items_when_they_hold_a_place():
    assert parse_comma_list("name,, notes", keep_blanks=True) == ["name", "", "notes"]


@pytest.mark.parametrize(("text", "expected"), [("42", 42), (" 7 ", 7), ("0", 0), (42, 42)])
def test_an_id_is_ascii_digits(text, expected):
    assert parse_id(text) == expected


@pytest.mark.parametrize("text", ["", "²", "٣", "-1", "+1", "1.0", "abc", "9223372036854775808"])
def test_anything_else_is_not_an_id(text):
    assert parse_id(text) is None


def test_the_largest_id_is_the_databases():
    assert parse_id(str(MAX_ID)) == MAX_ID
