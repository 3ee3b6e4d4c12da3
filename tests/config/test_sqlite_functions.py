"""Case and accent folding: the same answers from Python, SQLite and PostgreSQL."""

import pytest
from django.core.management.base import CommandError
from django.db import IntegrityError, connection
from django.db.models import Value
from django.db.models.functions import Lower, Upper

from clients.models import Client
from clients.search import Unaccent
from clients.selectors import client_name_taken
from config.sqlite_functions import (
    UNACCENT_RULES,
    functions_register,
    indexes_rebuild,
    like,
    unaccent,
    unicode_lower,
    unicode_upper,
)
from tests.factories import ClientFactory

NAMES = ["Imp Öko Tools", "ÉCO Systèmes", "ŁÓDŹ Recykling", "Straße ẞ", "ΟΔΟΣ", "İzmir Ambalaj"]


def test_lower_folds_every_letter_one_character_for_one():
    assert unicode_lower("ÖKO ÉCO ŁÓDŹ ΟΔΟΣ İ") == "öko éco łódź οδοσ i"


def test_upper_keeps_the_sharp_s_as_postgresql_does():
    assert unicode_upper("straße öko") == "STRAßE ÖKO"


def test_unaccent_strips_marks_and_spells_out_letters_without_a_base_letter():
    assert unaccent("Lumière Müller Łódź Grønt Straße Æro Đakovo") == (
        "Lumiere Muller Lodz Gront Strasse AEro Dakovo"
    )


def test_like_ignores_the_case_of_every_letter():
    assert like("%öko%", "Imp ÖKO Tools")


def test_like_reads_the_escape_character_before_a_wildcard_as_a_literal():
    assert like("a\\%b", "A%B", "\\")
    assert not like("a\\%b", "AxB", "\\")


def test_like_matches_one_character_with_an_underscore_and_any_with_a_percent():
    assert like("ł_dź%", "Łódź i okolice")
    assert not like("ł_dź", "Łdź")


@pytest.mark.django_db
def test_the_database_lowers_and_uppers_as_python_does():
    folded = Client.objects.annotate(
        **{f"lower{i}": Lower(Value(name)) for i, name in enumerate(NAMES)},
        **{f"upper{i}": Upper(Value(name)) for i, name in enumerate(NAMES)},
    )
    ClientFactory()

    row = folded.values(*(f"lower{i}" for i in range(len(NAMES)))).get()
    upper_row = folded.values(*(f"upper{i}" for i in range(len(NAMES)))).get()

    assert list(row.values()) == [unicode_lower(name) for name in NAMES]
    assert list(upper_row.values()) == [unicode_upper(name) for name in NAMES]


@pytest.mark.django_db
def test_the_database_unaccents_every_character_of_the_rules_as_python_does():
    sources = "".join(line.split("\t")[0] for line in UNACCENT_RULES.read_text().splitlines())
    ClientFactory()

    in_database = Client.objects.annotate(plain=Unaccent(Value(sources))).values_list(
        "plain", flat=True
    )

    assert in_database.get() == unaccent(sources)


def ascii_lower(text):
    return None if text is None else text.encode().lower().decode()


@pytest.fixture
def written_with_ascii_lower(db):
    """Rows written while the connection's lower() folded ASCII letters only, as SQLite's own
    lower() does: `write()` runs inside that state, then the Unicode functions are back."""

    def write(action):
        raw = connection.connection
        raw.create_function("lower", 1, ascii_lower, deterministic=True)
        try:
            return action()
        finally:
            functions_register(raw)

    return write


@pytest.mark.sqlite
def test_after_the_rebuild_a_client_written_with_ascii_lower_is_found_by_name(
    organization, written_with_ascii_lower
):
    written_with_ascii_lower(lambda: ClientFactory(organization=organization, name="ÖKO Tools"))

    indexes_rebuild(sender=None)

    assert client_name_taken(organization=organization, name="öko tools")
    with pytest.raises(IntegrityError):
        ClientFactory(organization=organization, name="öko tools")


@pytest.mark.sqlite
def test_the_rebuild_refuses_names_differing_only_in_non_ascii_case_and_says_why(
    organization, written_with_ascii_lower
):
    def write_both():
        ClientFactory(organization=organization, name="ÖKO Tools")
        ClientFactory(organization=organization, name="öKO Tools")

    written_with_ascii_lower(write_both)

    with pytest.raises(CommandError, match="rename one of them"):
        indexes_rebuild(sender=None)
