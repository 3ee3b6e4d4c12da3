"""The reveal control of a credential's login and password in admin pages."""

from django import template

from credentials.services import password_reveal_allowed

register = template.Library()


@register.simple_tag(takes_context=True)
def may_reveal(context, credential) -> bool:
    """Whether the page's user may reveal `credential`'s password: viewers, and members of an
    organization the client is only shared with, get no control at all."""
    if not credential.has_password:
        return False
    if "reveal_allowed" in context:
        # Rendered by an admin column that is shown only to users who may reveal.
        return context["reveal_allowed"]
    request = context.get("request")
    if request is None:
        return False
    return password_reveal_allowed(user=request.user, client=credential.client)
