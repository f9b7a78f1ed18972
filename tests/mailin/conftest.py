from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from outsidein.mailin import services
from outsidein.mailin.models import Mailbox
from tests.mailin import imap_server


@pytest.fixture(scope="session")
def imap() -> Iterator[imap_server.ImapServer]:
    """Dovecot for the whole session; each test reads its own folder."""
    if not imap_server.available():
        if os.environ.get("OUTSIDEIN_REQUIRE_IMAP"):
            pytest.fail(f"OUTSIDEIN_REQUIRE_IMAP is set but {imap_server.DOVECOT} is missing.")
        pytest.skip(
            f"The IMAP tests need Dovecot at {imap_server.DOVECOT} (Debian package "
            "dovecot-imapd); set OUTSIDEIN_REQUIRE_IMAP=1 to make its absence a failure."
        )
    # Not pytest's tmp_path: its folders are private to this user, and Dovecot's mail
    # processes (another user when the tests run as root) must reach the mail folder.
    folder = Path(tempfile.mkdtemp(prefix="outsidein-imap-"))
    server = imap_server.start(folder)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def folder(imap: imap_server.ImapServer) -> str:
    name = f"t{uuid.uuid4().hex[:10]}"
    client = imap.client()
    try:
        typ, data = client.create(name)
        assert typ == "OK", data
    finally:
        client.logout()
    imap.current_folder = name
    return name


@pytest.fixture
def mailbox(tenant: Any, imap: imap_server.ImapServer, folder: str) -> Mailbox:
    from outsidein.core.models import Team

    return services.create_mailbox(
        tenant.organisation,
        name="Service",
        host=imap.host,
        port=imap.port,
        username=imap.username,
        password=imap.password,
        folder=folder,
        kind="complaint",
        team=Team.objects.get(organisation=tenant.organisation, slug="helpdesk"),
        address="service@acme.test",
        ca_certificate=imap.ca_pem,
    )
