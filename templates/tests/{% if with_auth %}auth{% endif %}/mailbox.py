"""Reading what the development mail backend wrote, and the links in it."""

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, urlsplit


def parse(data: bytes) -> EmailMessage:
    """Parse a raw message."""
    message = message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def text_of(message: EmailMessage) -> str:
    """Return the plain-text body."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def token_in(message: EmailMessage, page: str) -> str:
    """Follow the message's link to `page` and return its token."""
    for word in text_of(message).split():
        url = urlsplit(word)
        if url.scheme and url.path == f"/{page}":
            return parse_qs(url.query)["token"][0]
    raise AssertionError(f"no link to /{page} in {text_of(message)!r}")


class Mailbox:
    """The `.eml` files the file backend wrote, oldest first."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def clear(self) -> None:
        """Forget earlier tests' messages."""
        for path in self.directory.glob("*.eml"):
            path.unlink()

    def messages(self, to: str | None = None) -> list[EmailMessage]:
        """Return the messages, or those for one recipient."""
        found = [parse(path.read_bytes()) for path in sorted(self.directory.glob("*.eml"))]
        return [m for m in found if to is None or m["To"] == to]

    def only(self, to: str) -> EmailMessage:
        """Return the one message for `to`; fail if there is not exactly one."""
        messages = self.messages(to)
        assert len(messages) == 1, [m["Subject"] for m in messages]
        return messages[0]
