"""Selects whose options are read and built once per page, however many rows repeat them."""

from django import forms
from django.forms.utils import flatatt
from django.utils.choices import BaseChoiceIterator
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe


class SharedChoices(BaseChoiceIterator):
    """Choices read once and shared by every row of a formset, with their <option> tags built
    once: a row's select then costs a string replace, not a template per option."""

    def __init__(self, choices):
        # iter(): a list() of Django's model choices would count the rows first (its len()).
        self.choices = list(iter(choices))
        self._options = None

    def __iter__(self):
        return iter(self.choices)

    def __len__(self) -> int:
        return len(self.choices)

    def options(self) -> tuple[str, dict[str, tuple[str, str]]]:
        """Every <option> tag joined, and each value's tag with and without `selected`."""
        if self._options is None:
            plains, tags = [], {}
            for value, label in self.choices:
                value = "" if value is None else str(value)
                plain = format_html('<option value="{}">{}</option>', value, label)
                chosen = format_html('<option value="{}" selected>{}</option>', value, label)
                plains.append(plain)
                tags.setdefault(value, (plain, chosen))
            self._options = ("\n  ".join(plains), tags)
        return self._options


class SharedChoicesSelect(forms.Select):
    """A select that renders SharedChoices from their pre-built options (the same HTML as
    Django's select template); any other choices render as usual."""

    def render(self, name, value, attrs=None, renderer=None):
        if not isinstance(self.choices, SharedChoices):
            return super().render(name, value, attrs, renderer)
        options, tags = self.choices.options()
        for wanted in self.format_value(value):
            if wanted in tags:
                # One selected option, as Django's select marks the first match only.
                plain, chosen = tags[wanted]
                options = options.replace(plain, chosen, 1)
                break
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        return mark_safe(  # noqa: S308 - escaped: the name here, the options in options()
            f'<select name="{conditional_escape(name)}"{attributes}>\n  {options}\n</select>'
        )
