"""A real IMAP server for the tests: Debian's Dovecot, started as the current user with a
generated minimal configuration (TLS required, a self-signed CA and server certificate made
here, one passwd-file user, Maildir storage) in a temporary folder."""

from __future__ import annotations

import datetime
import getpass
import grp
import imaplib
import ipaddress
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

DOVECOT = "/usr/sbin/dovecot"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_certificates(folder: Path) -> tuple[str, Path, Path]:
    """A CA (returned as PEM) and a server certificate for 127.0.0.1 and localhost it signs."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("outsidein test CA"))
        .issuer_name(_name("outsidein test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    cert_path, key_path = folder / "server.crt", folder / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return ca.public_bytes(serialization.Encoding.PEM).decode(), cert_path, key_path


@dataclass
class ImapServer:
    host: str
    port: int
    username: str
    password: str
    ca_pem: str
    folder: Path
    process: subprocess.Popen[bytes]
    current_folder: str = "INBOX"  # where ``deliver`` puts messages (each test: its own)

    def client(self) -> imaplib.IMAP4_SSL:
        context = ssl.create_default_context(cadata=self.ca_pem)
        client = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=context, timeout=10)
        client.login(self.username, self.password)
        return client

    def deliver(self, raw: bytes, folder: str = "") -> None:
        """Put a message into the mailbox by IMAP APPEND, as a mail server would."""
        client = self.client()
        try:
            typ, data = client.append(
                folder or self.current_folder, "", imaplib.Time2Internaldate(time.time()), raw
            )
            assert typ == "OK", data
        finally:
            client.logout()

    def log(self) -> str:
        path = self.folder / "dovecot.log"
        return path.read_text() if path.exists() else ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def start(folder: Path) -> ImapServer:
    # As a normal user every process runs as that user. As root (containers, CI) Dovecot
    # refuses to run its login and mail processes as root: they take Debian's dovenull and
    # dovecot users, which own the mail folder.
    if os.geteuid() == 0:
        login_user, user = "dovenull", "dovecot"
        record = pwd.getpwnam(user)
        uid, gid = record.pw_uid, record.pw_gid
        group = grp.getgrgid(gid).gr_name
    else:
        login_user = user = getpass.getuser()
        uid, gid = os.getuid(), os.getgid()
        group = grp.getgrgid(gid).gr_name
    folder.chmod(0o755)
    ca_pem, cert, key = make_certificates(folder)
    port = _free_port()
    password = "s3cret-Imap"
    (folder / "users").write_text(f"customers:{{PLAIN}}{password}::::::\n")
    (folder / "users").chmod(0o644)
    (folder / "mail").mkdir()
    os.chown(folder / "mail", uid, gid)
    (folder / "run").mkdir()
    conf = folder / "dovecot.conf"
    conf.write_text(
        f"""
protocols = imap
listen = 127.0.0.1
base_dir = {folder}/run
state_dir = {folder}/run
instance_name = outsidein-test-{port}
log_path = {folder}/dovecot.log
info_log_path = {folder}/dovecot.log
default_login_user = {login_user}
default_internal_user = {user}
default_internal_group = {group}
ssl = required
ssl_cert = <{cert}
ssl_key = <{key}
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={folder}/mail/%u
}}
mail_location = maildir:~/Maildir
first_valid_uid = {uid}
first_valid_gid = {gid}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
service stats {{
  chroot =
}}
"""
    )
    process = subprocess.Popen(
        [DOVECOT, "-c", str(conf), "-F"],
        stdout=subprocess.DEVNULL,
        stderr=open(folder / "stderr.log", "wb"),  # noqa: SIM115
    )
    server = ImapServer("127.0.0.1", port, "customers", password, ca_pem, folder, process)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                "Dovecot stopped at start: " + (folder / "stderr.log").read_text() + server.log()
            )
        try:
            server.client().logout()
            return server
        except (OSError, imaplib.IMAP4.error):
            time.sleep(0.1)
    server.stop()
    raise RuntimeError("Dovecot did not answer within 20 s: " + server.log())


def available() -> bool:
    return shutil.which(DOVECOT) is not None or Path(DOVECOT).exists()
