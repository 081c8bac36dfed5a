"""A real SMTP server on loopback for the browser tests: the product sends its mail
through Django's SMTP backend, as in production, and the test reads what arrived.

``LoopbackSmtp`` is aiosmtpd on 127.0.0.1 (a free port), keeping every message with its
envelope; ``mailers()`` is the ``MAILERS`` setting that points the product at it. Sending
is synchronous (the backend waits for the server's answer to DATA), so a message is in
``messages`` as soon as the job or request that sent it has returned.
"""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class ReceivedMail:
    """One message as the SMTP server received it."""

    mail_from: str
    to: list[str]  # the envelope's recipients
    raw: bytes

    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def subject(self) -> str:
        return str(self.message()["Subject"] or "")

    @property
    def body(self) -> str:
        """The plain-text body (empty for an encrypted message, which has none)."""
        part = self.message().get_body(preferencelist=("plain",))
        return "" if part is None else str(part.get_content())  # type: ignore[attr-defined]


class LoopbackSmtp:
    """``with LoopbackSmtp() as server: settings.MAILERS = server.mailers()``"""

    def __init__(self) -> None:
        self.messages: list[ReceivedMail] = []
        self.port = _free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        return "250 Message accepted for delivery"

    def mailers(self) -> dict[str, Any]:
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 10},
            }
        }

    def __enter__(self) -> LoopbackSmtp:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# The loopback SMTP server of the running test (set by the scenarios' conftest).
_current: list[LoopbackSmtp] = []


def use_mailbox(server: LoopbackSmtp | None) -> None:
    _current[:] = [server] if server is not None else []


def received() -> list[ReceivedMail]:
    """Every message the test's SMTP server has received, in order."""
    assert _current, "no loopback SMTP server: the scenarios' conftest starts one"
    return list(_current[0].messages)
