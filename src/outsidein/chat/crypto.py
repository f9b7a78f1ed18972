"""Secrets at rest for chat: a webhook URL of Slack or Teams *is* the credential (whoever has it
may post to the channel), so it is stored encrypted through ``core.crypto`` and shown afterwards
only as a hint (host and last four characters). Changing ``SECRET_KEY`` makes stored URLs
unreadable: the channel then reports it and asks for the URL again (nothing is sent to a wrong
address)."""

from __future__ import annotations

from urllib.parse import urlsplit

from outsidein.core import crypto as core_crypto

PURPOSE = "outsidein.chat.webhook-url.v1"
Unreadable = core_crypto.SecretUnreadable


def encrypt(value: str) -> str:
    return core_crypto.encrypt(value, purpose=PURPOSE)


def decrypt(token: str) -> str:
    return core_crypto.decrypt(token, purpose=PURPOSE)


def hint(url: str) -> str:
    """What the page shows of a stored URL: its host and its last four characters."""
    host = urlsplit(url.strip()).hostname or "?"
    return f"{host} …{url.strip()[-4:]}"
