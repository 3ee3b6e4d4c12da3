"""The address a request came from, as every part of the app that records or counts it reads it."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The request's client address, or None when it is missing or not an address.

    The address is REMOTE_ADDR, unless settings.TRUSTED_PROXY_COUNT says that many proxies of
    ours stand in front of the app: then it is the X-Forwarded-For entry the outermost of them
    appended (entries further left are whatever the client claimed).
    """
    ip = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            ip = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(ip)) if ip else None
    except ValueError:
        return None
