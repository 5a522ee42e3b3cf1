"""Email notifications over SMTP, when HELSEIARBEID_SMTP_HOST is set.

Sent after the change they describe has committed, from a worker thread; a mail server that is
down is logged and never undoes or fails the change itself. Mails carry no health data.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from litestar.concurrency import sync_to_thread

from helseiarbeid.settings import get_settings

log = logging.getLogger("helseiarbeid.mail")


@dataclass(frozen=True)
class Mail:
    to: tuple[str, ...]
    subject: str
    body: str


def _send(mail: Mail) -> None:
    settings = get_settings()
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = ", ".join(mail.to)
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        smtp.send_message(message)


async def send(mail: Mail) -> bool:
    """True when handed to the SMTP server; False when mail is off or the server failed."""
    if not get_settings().smtp_host or not mail.to:
        return False
    try:
        await sync_to_thread(_send, mail)
    except (OSError, smtplib.SMTPException) as error:
        log.error("mail %r not sent: %s", mail.subject, type(error).__name__)
        return False
    return True
