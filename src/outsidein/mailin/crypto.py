"""A mailbox password, stored encrypted through ``core.crypto`` (its own key purpose)."""

from __future__ import annotations

from outsidein.core import crypto as core_crypto

PURPOSE = "outsidein.mailin.password"
UnreadableSecret = core_crypto.SecretUnreadable


def encrypt(plaintext: str) -> str:
    return core_crypto.encrypt(plaintext, purpose=PURPOSE)


def decrypt(token: str) -> str:
    return core_crypto.decrypt(token, purpose=PURPOSE)
