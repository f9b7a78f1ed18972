"""Secrets at rest: a webhook URL of Slack or Teams *is* the credential (whoever has it may post
to the channel), so it is stored encrypted (Fernet: AES-128-CBC with HMAC-SHA256) with a key
derived from ``SECRET_KEY``, and shown afterwards only as a hint (host and last four characters).
Changing ``SECRET_KEY`` makes stored URLs unreadable: the channel then reports it and asks for
the URL again (nothing is sent to a wrong address)."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

_PURPOSE = b"outsidein.chat.webhook-url.v1"


class Unreadable(Exception):
    """The stored value was encrypted with another key (SECRET_KEY changed) or is damaged."""


def _fernet() -> Fernet:
    key = hashlib.sha256(_PURPOSE + b"\0" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        raise Unreadable("cannot decrypt") from None


def hint(url: str) -> str:
    """What the page shows of a stored URL: its host and its last four characters."""
    host = urlsplit(url.strip()).hostname or "?"
    return f"{host} …{url.strip()[-4:]}"
