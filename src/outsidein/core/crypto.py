"""Secrets kept encrypted at rest: SSO client secrets, Slack/Teams webhook URLs, mailbox passwords.

Every caller names its ``purpose``, so each kind of secret gets its own key.

The key is derived from ``SECRET_KEY`` with HKDF-SHA256 (a fixed, purpose-bound ``info`` label)
and used with Fernet (AES-128-CBC + HMAC-SHA256, authenticated). Rotating ``SECRET_KEY`` makes
stored secrets unreadable: an administrator then enters the client secret again, and the settings
page says so instead of failing.
"""

from __future__ import annotations

import base64
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models


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


class EncryptedCharField(models.CharField):
    """A text column stored encrypted and read back as plain text (for secrets the product must
    use again, such as a webhook's signing secret). Lookups on it are meaningless: never filter
    by it. A value that cannot be decrypted (``SECRET_KEY`` changed) reads as "", which every
    user of a secret treats as "no usable secret"."""

    def __init__(self, *args: Any, purpose: str = "", **kwargs: Any) -> None:
        self.purpose = purpose
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        try:
            return decrypt(value, purpose=self.purpose)
        except SecretUnreadable:
            return ""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value, purpose=self.purpose)
