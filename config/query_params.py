"""Query strings as frontends build them: a list parameter may come as `country=DE,FR` or
repeated, `country=DE&country=FR`, and both mean the same."""

from django.http import QueryDict


def comma_lists_merged(query_params: QueryDict) -> dict[str, str]:
    """Each parameter once, the values of a repeated one joined with commas (read with
    `.get()`, a repeated parameter would keep its last value only)."""
    return {name: ",".join(query_params.getlist(name)) for name in query_params}
