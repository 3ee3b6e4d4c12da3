"""Selects whose options are read and built once per page, however many rows repeat them."""

from django import forms
from django.forms.utils import flatatt
from django.utils.choices import BaseChoiceIterator
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe


class SharedChoices(BaseChoiceIterator):
    """Choices read once and shared by every row of a formset, with their <option> tags built
    once: a row's select then costs a string join, not a template per option."""

    def __init__(self, choices):
        # iter(): a list() of Django's model choices would count the rows first (its len()).
        self.choices = list(iter(choices))
        self._options = None

    def __iter__(self):
        return iter(self.choices)

    def __len__(self) -> int:
        return len(self.choices)

    def options(self) -> list[tuple[str, str, str]]:
        """(value, <option>, <option selected>) for each choice."""
        if self._options is None:
            self._options = []
            for value, label in self.choices:
                value = "" if value is None else str(value)
                plain = format_html('<option value="{}">{}</option>', value, label)
                chosen = format_html('<option value="{}" selected>{}</option>', value, label)
                self._options.append((value, plain, chosen))
        return self._options


class SharedChoicesSelect(forms.Select):
    """A select that renders SharedChoices from their pre-built options (the same HTML as
    Django's select template); any other choices render as usual."""

    def render(self, name, value, attrs=None, renderer=None):
        if not isinstance(self.choices, SharedChoices):
            return super().render(name, value, attrs, renderer)
        wanted = set(self.format_value(value))
        options = []
        for option_value, plain, chosen in self.choices.options():
            if option_value in wanted:
                # One selected option, as Django's select marks the first match only.
                wanted = set()
                options.append(chosen)
            else:
                options.append(plain)
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        return mark_safe(  # noqa: S308 - escaped above: the name here, the options in options()
            f'<select name="{conditional_escape(name)}"{attributes}>\n  '
            + "\n  ".join(options)
            + "\n</select>"
        )
