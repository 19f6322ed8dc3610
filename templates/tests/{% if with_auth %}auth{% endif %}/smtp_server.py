"""A real SMTP server on 127.0.0.1 for the tests: STARTTLS, then a login (aiosmtpd)."""

import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

USER = "mailer"
PASSWORD = "smtp secret"


@dataclass
class Inbox:
    """aiosmtpd handler keeping every message delivered, as raw bytes."""

    messages: list[bytes] = field(default_factory=list)

    async def handle_DATA(self, _server: SMTP, _session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's name
        content = envelope.original_content
        assert isinstance(content, bytes)
        self.messages.append(content)
        return "250 Message accepted for delivery"


def check_login(
    _server: SMTP, _session: Session, _envelope: Envelope, _mechanism: str, data: Any
) -> AuthResult:
    """Accept only the test's user and password."""
    valid = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    # handled=False: aiosmtpd then answers 535 itself.
    return AuthResult(success=valid, handled=False)


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Server:
    """Where the server listens, what it received, and the certificates a client trusts."""

    port: int
    inbox: Inbox
    client_tls: ssl.SSLContext


@contextmanager
def smtp_server() -> Iterator[Server]:
    """Run a server on a free port that requires STARTTLS, then a login, as a real one does."""
    authority = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_tls)
    client_tls = ssl.create_default_context()
    authority.configure_trust(client_tls)
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=server_tls,
        require_starttls=True,
        authenticator=check_login,
        auth_required=True,
    )
    controller.start()
    try:
        yield Server(controller.port, inbox, client_tls)
    finally:
        controller.stop()
