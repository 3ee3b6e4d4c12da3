"""drf-spectacular hooks and extensions."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """DRF's token scheme, described so that Swagger UI's Authorize dialog says what to type."""

    target_class = "rest_framework.authentication.TokenAuthentication"
    # The API authenticates with a subclass (clients.authentication.MemberTokenAuthentication).
    match_subclasses = True
    name = "tokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "For the `/logins` routes. The value is the word `Token`, a space, then your "
                "token: `Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b`. Get a token with "
                "`POST /logins/auth/token`."
            ),
        }


def document_paths_without_optional_slash(endpoints):
    """Routes accept an optional trailing slash (`/?`); document them as the seeds write them."""
    return [
        (path.rstrip("/") if path != "/" else path, path_regex, method, callback)
        for path, path_regex, method, callback in endpoints
    ]


# Path parameters by name, wherever they appear: what a valid value looks like.
PATH_PARAMETER_SCHEMAS = {
    "client_id": {"type": "integer", "minimum": 1},
    "credential_id": {"type": "integer", "minimum": 1},
    "country": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
}

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}


def _error_response(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def document_common_answers(result, generator, request, public):
    """Answers every route gives that views need not each repeat.

    - 401 on every authenticated route: no credentials, or an unknown or revoked token.
    - 415 on every route that takes a body: the API parses JSON only.
    - Path parameters carry what a valid value looks like (ids from 1, two-letter countries).
    """
    result.setdefault("components", {}).setdefault("schemas", {}).setdefault("Error", ERROR_SCHEMA)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation["responses"]
            if any(operation.get("security") or []):
                responses.setdefault(
                    "401",
                    _error_response(
                        "Not authenticated: no `Authorization` header, or an unknown or revoked "
                        "token."
                    ),
                )
            if "requestBody" in operation:
                responses.setdefault(
                    "415", _error_response("The body is not JSON (`Content-Type` other than JSON).")
                )
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] in PATH_PARAMETER_SCHEMAS:
                    parameter["schema"] = dict(PATH_PARAMETER_SCHEMAS[parameter["name"]])
            operation["responses"] = dict(sorted(responses.items()))
    return result
