"""Health messages: receiving (check, store, act, AppRec), sending to the GP's record system
(status on the referral, the report as Epikrise), and the log the «Meldinger» page shows."""

from __future__ import annotations

from helseiarbeid.messaging.services.log import (
    MessageSummary,
    MessageView,
    list_messages,
    read_message,
)
from helseiarbeid.messaging.services.receiving import NO_SENDER, Answer, receive
from helseiarbeid.messaging.services.sending import (
    send_again,
    send_information_request,
    send_onward_referral,
    send_referral_status,
    send_report,
)

__all__ = [
    "NO_SENDER",
    "Answer",
    "MessageSummary",
    "MessageView",
    "list_messages",
    "read_message",
    "receive",
    "send_again",
    "send_information_request",
    "send_onward_referral",
    "send_referral_status",
    "send_report",
]
