"""Reading a mailbox over IMAP with TLS (the standard library's ``imaplib``), certificates
always verified, and every failure turned into a message an administrator can act on."""

from __future__ import annotations

import contextlib
import imaplib
import re
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.utils.translation import gettext as _

TIMEOUT = 20  # seconds per network operation


class MailboxError(Exception):
    """A problem reaching or reading the mailbox, in words for the settings page. ``kind``:
    ``credentials``, ``unreachable``, ``tls``, ``folder``, ``protocol``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Account:
    host: str
    port: int
    username: str
    password: str
    folder: str = "INBOX"
    ca_certificate: str = ""


def tls_context(ca_certificate: str = "") -> ssl.SSLContext:
    """Verifying context: the system's authorities, or only the given one (PEM)."""
    try:
        if ca_certificate.strip():
            context = ssl.create_default_context(cadata=ca_certificate.strip())
        else:
            context = ssl.create_default_context()
    except (ssl.SSLError, ValueError) as exc:
        raise MailboxError(
            "tls", _("The CA certificate is not a valid PEM certificate (%(e)s).") % {"e": exc}
        ) from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


@contextmanager
def connect(account: Account) -> Iterator[imaplib.IMAP4_SSL]:
    """Logged in, the folder selected read-only (reading never changes the mailbox)."""
    where = f"{account.host}:{account.port}"
    context = tls_context(account.ca_certificate)
    try:
        client = imaplib.IMAP4_SSL(account.host, account.port, ssl_context=context, timeout=TIMEOUT)
    except ssl.SSLCertVerificationError as exc:
        raise MailboxError(
            "tls",
            _("TLS failure: the certificate of %(where)s could not be verified (%(e)s).")
            % {"where": where, "e": exc.verify_message or exc.reason},
        ) from None
    except ssl.SSLError as exc:
        raise MailboxError(
            "tls",
            _(
                "TLS failure: no secure connection with %(where)s (%(e)s). Is it an IMAP port "
                "with TLS (usually 993)?"
            )
            % {"where": where, "e": exc.reason or exc},
        ) from None
    except socket.gaierror:
        raise MailboxError(
            "unreachable",
            _("The server %(host)s is unknown (no such host name).") % {"host": account.host},
        ) from None
    except (TimeoutError, OSError) as exc:
        raise MailboxError(
            "unreachable",
            _("The server %(where)s could not be reached (%(e)s).")
            % {"where": where, "e": exc.strerror or exc},
        ) from None
    try:
        try:
            client.login(account.username, account.password)
        except imaplib.IMAP4.error:
            raise MailboxError(
                "credentials",
                _("The server refused the user name or password (wrong credentials)."),
            ) from None
        typ, _data = client.select(_quote(account.folder), readonly=True)
        if typ != "OK":
            raise MailboxError(
                "folder",
                _("The folder %(folder)s does not exist in this mailbox.")
                % {"folder": account.folder},
            )
        yield client
    except (imaplib.IMAP4.abort, OSError) as exc:
        raise MailboxError(
            "unreachable",
            _("The connection to %(where)s broke off (%(e)s).") % {"where": where, "e": exc},
        ) from None
    finally:
        with contextlib.suppress(Exception):  # closing a broken connection
            client.logout()


def uid_validity(client: imaplib.IMAP4_SSL) -> int | None:
    _typ, data = client.response("UIDVALIDITY")
    if data and data[0]:
        return int(data[0])
    return None


def message_count(client: imaplib.IMAP4_SSL) -> int:
    _typ, data = client.response("EXISTS")
    return int(data[-1]) if data and data[-1] else 0


def new_uids(client: imaplib.IMAP4_SSL, after: int) -> list[int]:
    typ, data = client.uid("SEARCH", f"UID {after + 1}:*")
    if typ != "OK":
        raise MailboxError("protocol", _("The server did not list its messages."))
    uids = [int(u) for u in (data[0] or b"").split()]
    # "N:*" always matches the last message, even when its UID is below N.
    return sorted(u for u in uids if u > after)


_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


def fetch(client: imaplib.IMAP4_SSL, uid: int) -> bytes | None:
    """The raw message, or None when it disappeared meanwhile."""
    typ, data = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
    if typ != "OK":
        raise MailboxError("protocol", _("The server did not send message %(uid)s.") % {"uid": uid})
    for part in data:
        if isinstance(part, tuple):
            return bytes(part[1])
    return None
