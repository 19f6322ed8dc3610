"""One outgoing message, composed from the editable templates in `templates/`."""

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from email_validator import EmailNotValidError, validate_email
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"

# HTML bodies escape what they insert; plain-text ones are taken as written.
_templates = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


@dataclass(frozen=True, kw_only=True)
class Mail:
    """A message to one recipient, with the link it carries (for logs in development)."""

    to: str
    subject: str
    text: str
    html: str
    link: str

    def as_message(self, sender: str) -> EmailMessage:
        """Build the MIME message: plain text, with the HTML body as an alternative."""
        message = EmailMessage()
        message["From"] = sender
        message["To"] = ascii_address(self.to)
        message["Subject"] = self.subject
        message["Message-ID"] = make_msgid()
        message.set_content(self.text)
        message.add_alternative(self.html, subtype="html")
        return message

    @property
    def domain(self) -> str:
        """The recipient's domain: all that logs may say about who a message was for."""
        return self.to.rpartition("@")[2]


def ascii_address(address: str) -> str:
    """The address with an internationalized domain in its ASCII (IDNA) form.

    Mail servers without SMTPUTF8 take only that form; `user@exämple.com` is sent as
    `user@xn--exmple-cua.com`. An address it cannot convert is returned as it is.
    """
    try:
        valid = validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return address
    return valid.ascii_email or address


def compose(name: str, *, to: str, link: str, **context: Any) -> Mail:
    """Render `templates/<name>.txt` and `<name>.html` into a message.

    The text template sets the subject with a Jinja `set subject = "..."` statement.

    Args:
        name: Template name without extension, e.g. `reset_password`.
        to: Recipient's address.
        link: The link the message carries, also given to the templates as `link`.
        **context: Further values for the templates.

    Returns:
        The message, ready for a backend.
    """
    values = {"link": link, **context}
    text = _templates.get_template(f"{name}.txt").make_module(values)
    return Mail(
        to=to,
        subject=" ".join(str(getattr(text, "subject", "")).split()),
        text=str(text),
        html=_templates.get_template(f"{name}.html").render(values),
        link=link,
    )
