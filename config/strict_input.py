"""Write bodies that name a field the route does not take are refused, not silently trimmed:
a misspelt `report_type` or `client_nmae` would otherwise look saved and change nothing."""

from collections.abc import Mapping

from rest_framework import serializers


class UnknownFieldsRefusedMixin:
    """A serializer mixin: keys of the input that are not writable fields answer 400, one
    entry per unknown key, `{"key": ["Unknown field. Valid fields: ..."]}`.

    `ignored_fields` lists names the route documents as accepted and ignored (values the
    server owns, such as `id`, that a client may send back as it received them).
    """

    ignored_fields: frozenset[str] = frozenset()

    def writable_field_names(self) -> list[str]:
        return [name for name, field in self.fields.items() if not field.read_only]

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = self.writable_field_names()
            unknown = [
                key for key in data if key not in writable and key not in self.ignored_fields
            ]
            if unknown:
                message = f"Unknown field. Valid fields: {', '.join(writable)}."
                raise serializers.ValidationError({str(key): [message] for key in unknown})
        return super().to_internal_value(data)
