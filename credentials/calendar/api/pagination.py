from clients.api.pagination import ClientPagination

MAX_OFFSET = 2**62


class DeadlinePagination(ClientPagination):
    """The client list's offset/limit rules and envelope, with `results` for the rows and
    `count` as well as `total` for their number."""

    results_key = "results"
    noun = "deadlines"

    def paginate_deadlines(self, request, page_of):
        """The page of deadlines the request asks for: `page_of(offset=, limit=)` answers it
        with the total (a DeadlinePage), so that only the page's rows are read."""
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        # An offset past any portfolio is past the end; the database takes at most 2**63 - 1.
        page = page_of(offset=min(self.offset, MAX_OFFSET), limit=self.limit)
        self.count = page.total
        return page.deadlines

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data = {"count": self.count, **response.data}
        return response

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["required"] = ["count", *answer["required"]]
        answer["properties"] = {
            "count": {"type": "integer", "example": 150},
            **answer["properties"],
        }
        return answer

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["description"] = parameter["description"].replace("clients", self.noun)
        return parameters


class AttentionPagination(DeadlinePagination):
    """The same envelope for the credentials that need attention."""

    noun = "credentials"
