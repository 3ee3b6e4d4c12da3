"""How text from query strings, CSV cells and command lines is read: statuses, yes/no words and
comma lists, one way for every door (filters, the bulk upload, commands).

- A status (of a client, of a credential) or another closed choice (an interval) is one of its
  choices, ignoring case and the spaces around it; it is returned in the choice's own spelling.
- A yes/no word is `true`, `yes`, `y` or `1` for yes and `false`, `no`, `n` or `0` for no,
  ignoring case and the spaces around it.
- An id is ASCII digits naming a number the database's ids hold (up to 2**63 - 1): not a
  Unicode digit such as `²`, not a sign, not a number past the integers, which the database
  would refuse with an error rather than an answer.
- A comma list is the text between commas, each item without the spaces around it; empty items
  are left out unless they hold a place (`keep_blanks`: a column list, where position counts).
"""

from collections.abc import Iterable

# The largest id the database holds (a signed 64-bit integer).
MAX_ID = 2**63 - 1
TRUE_WORDS = frozenset({"true", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "no", "n", "0"})


def parse_bool(text: str) -> bool | None:
    """True or False for a yes/no word, None for any other text."""
    word = str(text).strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def parse_choice(text: str, choices: Iterable[str]) -> str | None:
    """The choice (a status, an interval) that `text` names, ignoring case and the spaces
    around it, in the choice's own spelling; None when it names none."""
    folded = str(text).strip().casefold()
    for choice in choices:
        if choice.casefold() == folded:
            return choice
    return None


def parse_comma_list(text: str | None, *, keep_blanks: bool = False) -> list[str]:
    """The items of a comma-separated text, each stripped."""
    items = [item.strip() for item in (text or "").split(",")]
    return items if keep_blanks else [item for item in items if item]


def parse_id(text) -> int | None:
    """The id that `text` spells (see MAX_ID), ignoring the spaces around it; None for any
    other text."""
    text = str(text).strip()
    if text.isascii() and text.isdigit() and int(text) <= MAX_ID:
        return int(text)
    return None
