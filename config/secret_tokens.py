"""Secret tokens handed out once: API keys, client organization invitations, calendar URLs.

A token is a prefix saying what it is for (`fsk_`, `fsi_`, `cal_`) and 32 random bytes in
URL-safe base64. Only its SHA-256 digest is stored; a token presented is found by its digest.
"""

import hashlib
import secrets


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def token_digest(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()
