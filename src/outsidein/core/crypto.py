"""Secrets kept encrypted at rest: SSO client secrets, Slack/Teams webhook URLs, mailbox passwords.

Every caller names its ``purpose``, so each kind of secret gets its own key.

The key is derived from ``SECRET_KEY`` with HKDF-SHA256 (a fixed, purpose-bound ``info`` label)
and used with Fernet (AES-128-CBC + HMAC-SHA256, authenticated). Rotating ``SECRET_KEY`` makes
stored secrets unreadable: an administrator then enters the client secret again, and the settings
page says so instead of failing.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SecretUnreadable(Exception):
    """The stored secret cannot be decrypted (SECRET_KEY changed, or the value is damaged)."""


def _fernet(purpose: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"outsidein-secrets-v1",
        info=purpose.encode(),
    ).derive(settings.SECRET_KEY.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(value: str, *, purpose: str) -> str:
    return _fernet(purpose).encrypt(value.encode()).decode()


def decrypt(token: str, *, purpose: str) -> str:
    try:
        return _fernet(purpose).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        raise SecretUnreadable(purpose) from None


def last4(value: str) -> str:
    """What may be shown of a secret again: "…" and its last four characters."""
    return "…" + value[-4:] if len(value) > 4 else "…"
