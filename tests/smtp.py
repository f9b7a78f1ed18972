"""A real SMTP server on localhost for tests (aiosmtpd), collecting what it receives."""

from __future__ import annotations

import email
import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

# The server's thread logs each connection at INFO, sometimes after pytest has closed the
# captured stream ("Logging error … I/O operation on closed file"): only its warnings matter.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@dataclass
class Inbox:
    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def body(self, index: int = -1) -> str:
        message = self.messages[index]
        part = message.get_payload(decode=True) if not message.is_multipart() else None
        if part is None:
            part = message.get_payload(0).get_payload(decode=True)  # type: ignore[union-attr]
        return part.decode()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_inbox(settings: Any) -> Iterator[Inbox]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()
