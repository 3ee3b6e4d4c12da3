"""How text from query strings, CSV cells and command lines is read: statuses, yes/no words and
comma lists, one way for every door (filters, the bulk upload, commands).

- A status (of a client, of a credential) or another closed choice (an interval) is one of its
  choices, ignoring case and the spaces around it; it is returned in the choice's own spelling.
- A yes/no word is `true`, `yes`, `y` or `1` for yes and `false`, `no`, `n` or `0` for no,
  ignoring case and the spaces around it.
- A comma list is the text between commas, each item without the spaces around it; empty items
  are left out unless they hold a place (`keep_blanks`: a column list, where position counts).
"""

from collections.abc import Iterable

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
