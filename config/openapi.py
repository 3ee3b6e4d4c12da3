"""drf-spectacular hooks."""


def document_paths_without_optional_slash(endpoints):
    """Routes accept an optional trailing slash (`/?`); document them as the seeds write them."""
    return [
        (path.rstrip("/") if path != "/" else path, path_regex, method, callback)
        for path, path_regex, method, callback in endpoints
    ]
