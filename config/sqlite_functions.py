"""Unicode case and accent folding that gives the same answers on SQLite as on PostgreSQL.

SQLite's own lower(), upper() and LIKE fold ASCII letters only: "Öko" and "öko" would be two
clients there, and a search for "ö" would miss "Ö". On each new SQLite connection
`functions_register` replaces them with Python functions that fold every letter the way
PostgreSQL does with a UTF-8 database: character by character (simple case mapping), so
lower("ß") is "ß" and upper("ß") is "ß", as in PostgreSQL, not "ss" / "SS".

It also registers `f_unaccent`, the function the client search compares through
(clients/search.py): on PostgreSQL, an IMMUTABLE SQL wrapper of the unaccent extension
(clients migration 0009); here, the same substitution table. `unaccent.rules` is
PostgreSQL's own rules file (contrib/unaccent, PostgreSQL Licence), so that "Łódź" is "Lodz",
"Grønt" is "Gront" and "Straße" is "Strasse" on both databases.

Indexes on these functions (the unique (organization, lower(name)) constraint, ...) hold what
the functions returned when each row was written: `indexes_rebuild` rebuilds them after every
migrate, so that a database written before these functions existed is folded the same way.
"""

import re
from functools import lru_cache
from pathlib import Path

from django.core.management.base import CommandError
from django.db import IntegrityError

UNACCENT_RULES = Path(__file__).with_name("unaccent.rules")

# Python's str.lower() lowers "İ" to "i̇" (two characters) and a word's final sigma to "ς";
# PostgreSQL maps one character to one, whatever follows it: "i" and the medial sigma.
_LOWER_EXCEPTIONS = {"İ": "i"}


def _unaccent_table() -> dict[int, str]:
    table = {}
    for line in UNACCENT_RULES.read_text(encoding="utf-8").splitlines():
        # PostgreSQL reads "source<blanks>target", the target without surrounding blanks.
        source, _, target = line.partition("\t")
        if source:
            table[ord(source)] = target.strip()
    return table


_UNACCENT = _unaccent_table()


def _lower_character(character: str) -> str:
    lowered = character.lower()
    if len(lowered) == 1:
        return lowered
    return _LOWER_EXCEPTIONS.get(character, character)


def _upper_character(character: str) -> str:
    # Where Python's full mapping spells a letter out ("ß" to "SS"), PostgreSQL
    # keeps the one-character mapping: the title case letter, if any, else the letter.
    for uppered in (character.upper(), character.title()):
        if len(uppered) == 1:
            return uppered
    return character


def unicode_lower(text: str) -> str:
    """PostgreSQL's lower(): every letter lowered, one character for one."""
    if text.isascii():
        return text.lower()
    lowered = text.lower()
    if len(lowered) == len(text) and "Σ" not in text:
        return lowered
    return "".join(_lower_character(c) for c in text)


def unicode_upper(text: str) -> str:
    """PostgreSQL's upper(): every letter uppered, one character for one ("ß" stays "ß")."""
    uppered = text.upper()
    if len(uppered) == len(text):
        return uppered
    return "".join(_upper_character(c) for c in text)


def unaccent(text: str) -> str:
    """PostgreSQL's unaccent(): letters without their marks, ligatures spelt out."""
    return text if text.isascii() else text.translate(_UNACCENT)


def _sql(function):
    """`function` as SQL sees it: NULL in, NULL out; numbers and blobs read as their text."""

    def call(*arguments):
        if any(argument is None for argument in arguments):
            return None
        return function(*(a if isinstance(a, str) else _text(a) for a in arguments))

    return call


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


@lru_cache(maxsize=512)
def _like_pattern(pattern: str, escape: str | None) -> re.Pattern:
    if escape is not None and len(escape) != 1:
        raise ValueError("ESCAPE expression must be a single character")
    parts = []
    characters = iter(pattern)
    for character in characters:
        if character == escape:
            parts.append(re.escape(unicode_lower(next(characters, escape))))
        elif character == "%":
            parts.append(".*")
        elif character == "_":
            parts.append(".")
        else:
            parts.append(re.escape(unicode_lower(character)))
    return re.compile("".join(parts), re.DOTALL)


def like(pattern: str, text: str, escape: str | None = None) -> bool:
    """SQLite's `text LIKE pattern [ESCAPE escape]`, ignoring the case of every letter."""
    return _like_pattern(pattern, escape).fullmatch(unicode_lower(text)) is not None


def functions_register(connection) -> None:
    """Install the folding functions on one SQLite connection (a sqlite3.Connection)."""
    for name, arity, function in (
        ("lower", 1, unicode_lower),
        ("upper", 1, unicode_upper),
        ("f_unaccent", 1, unaccent),
        ("like", 2, like),
        ("like", 3, like),
    ):
        connection.create_function(name, arity, _sql(function), deterministic=True)


def connection_prepare(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: Django's SQLite connections fold like PostgreSQL's."""
    if connection.vendor == "sqlite":
        functions_register(connection.connection)


_FOLDING_CALL = re.compile(r"\b(lower|upper|f_unaccent)\s*\(", re.IGNORECASE)


def indexes_rebuild(sender, using="default", **kwargs) -> None:
    """`post_migrate` receiver: rebuild the SQLite indexes whose expressions call a folding
    function, so that rows written by ASCII-only lower() are keyed as the functions key them
    now. A database holding two clients whose names differ only in the case of non-ASCII
    letters cannot be rebuilt: the error names them."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index'")
        indexes = [
            (name, table)
            for name, table, sql in cursor.fetchall()
            if sql and _FOLDING_CALL.search(sql)
        ]
        for name, table in indexes:
            try:
                cursor.execute(f'REINDEX "{name}"')
            except IntegrityError as error:
                raise CommandError(
                    f"The index {name} of {table} cannot be rebuilt with Unicode case folding: "
                    f"{error}. Two rows differ only in the case of non-ASCII letters (such as "
                    f"'Öko' and 'öko'); rename one of them, then run migrate again."
                ) from error
