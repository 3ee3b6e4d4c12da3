"""drf-spectacular hooks and extensions."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """DRF's token scheme, described so that Swagger UI's Authorize dialog says what to type."""

    target_class = "rest_framework.authentication.TokenAuthentication"
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
