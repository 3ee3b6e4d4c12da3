from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response


class ClientPagination(LimitOffsetPagination):
    """offset/limit as the seed's client list: `{"clients", "total", "offset", "limit"}`.

    Unlike DRF's default, a negative or non-numeric value is a 400 rather than silently
    replaced; a limit above `max_limit` is capped and the answer shows the limit applied.
    A limit of 0 answers only the total.
    """

    default_limit = 10
    max_limit = 100
    results_key = "clients"
    template = None

    def _non_negative(self, request, parameter: str, default: int) -> int:
        raw = request.query_params.get(parameter)
        if raw is None or raw.strip() == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            value = -1
        if value < 0:
            raise ValidationError(
                {parameter: [f"Must be a whole number of 0 or more, not {raw!r}."]}
            )
        return value

    def get_limit(self, request) -> int:
        return min(
            self._non_negative(request, self.limit_query_param, self.default_limit),
            self.max_limit,
        )

    def get_offset(self, request) -> int:
        return self._non_negative(request, self.offset_query_param, 0)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        self.count = self.get_count(queryset)
        if self.offset >= self.count or self.limit == 0:
            return []
        return list(queryset[self.offset : self.offset + self.limit])

    def get_paginated_response(self, data):
        return Response(
            {
                self.results_key: data,
                "total": self.count,
                "offset": self.offset,
                "limit": self.limit,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": [self.results_key, "total", "offset", "limit"],
            "properties": {
                self.results_key: schema,
                "total": {"type": "integer", "example": 150},
                "offset": {"type": "integer", "example": 0},
                "limit": {"type": "integer", "example": 10},
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.offset_query_param,
                "required": False,
                "in": "query",
                "description": "Number of clients to skip (default 0). Negative or non-numeric: 400.",
                "schema": {"type": "integer", "minimum": 0, "default": 0},
            },
            {
                "name": self.limit_query_param,
                "required": False,
                "in": "query",
                "description": (
                    f"Number of clients to return (default {self.default_limit}, at most "
                    f"{self.max_limit}: larger values are capped). Negative or non-numeric: 400."
                ),
                "schema": {"type": "integer", "minimum": 0, "default": self.default_limit},
            },
        ]
