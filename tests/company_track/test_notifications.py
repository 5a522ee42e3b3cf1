"""Each change of a session is mailed to the enterprise contact and the facilitators, through
the outbox, so a mail server that is down loses nothing (issue 12 §1)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from helseiarbeid.core import outbox
from helseiarbeid.core.clock import pinned, utcnow
from helseiarbeid.core.outbox import deliver_due
from helseiarbeid.settings import get_settings
from tests.cast import Cast, csrf_token, sign_in
from tests.company_track.conftest import Company, working_day_at
from tests.live_server import free_port


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    refuse = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "550 Mailbox unavailable"
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """A real SMTP server on loopback that keeps what it receives."""
    port = free_port()
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("HELSEIARBEID_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("HELSEIARBEID_SMTP_PORT", str(port))
    get_settings.cache_clear()
    yield box
    controller.stop()
    monkeypatch.undo()
    get_settings.cache_clear()


async def test_confirm_reschedule_and_cancel_are_mailed(company: Company, smtp: Mailbox) -> None:
    programme_id = await company.programme()
    requested = await company.post(
        "erik",
        f"/programmes/{programme_id}/sessions",
        {"kind": "anchoring", "starts_at": working_day_at(7, 10).isoformat()},
    )
    session_id = requested.json()["id"]
    assert await deliver_due() == 1
    assert "kari@test.example" in smtp.messages[-1]["To"]
    assert "Ønske om samling" in smtp.messages[-1]["Subject"]

    await company.post(
        "kari", f"/sessions/{session_id}/confirm", {"facilitator_ids": company.pair()}
    )
    assert await deliver_due() == 1
    confirmed = smtp.messages[-1]
    assert set(confirmed["To"].split(", ")) == {
        "erik@test.example",
        "per@test.example",
        "nils@test.example",
    }
    assert "Bekreftet – Forankringsmøte, Havnelager" in confirmed["Subject"]

    new_time = working_day_at(8, 13)
    await company.post(
        "kari", f"/sessions/{session_id}/reschedule", {"starts_at": new_time.isoformat()}
    )
    assert await deliver_due() == 1
    assert "Flyttet" in smtp.messages[-1]["Subject"]
    assert new_time.strftime("%d.%m.%Y kl. 13:00") in smtp.messages[-1].get_content()

    await company.post(
        "erik", f"/sessions/{session_id}/cancel", {"reason": "Ledermøte kolliderer."}
    )
    assert await deliver_due() == 1
    cancelled = smtp.messages[-1]
    assert "Avlyst" in cancelled["Subject"]
    assert "Ledermøte kolliderer." in cancelled.get_content()
    assert len(smtp.messages) == 4


async def test_no_mail_server_no_mail_and_no_failure(company: Company) -> None:
    programme_id = await company.programme()
    response = await company.book(programme_id, "anchoring", working_day_at(7, 10))
    assert response.status_code == 201


async def test_mail_waits_out_a_mail_server_outage_and_is_sent_once(
    company: Company, smtp: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mail server is down when the session is booked: the booking stands, the mail waits
    in the outbox with its error, and goes out once the server answers again — once."""
    programme_id = await company.programme()
    down_port = free_port()
    monkeypatch.setenv("HELSEIARBEID_SMTP_PORT", str(down_port))
    get_settings.cache_clear()
    response = await company.book(programme_id, "anchoring", working_day_at(7, 10))
    assert response.status_code == 201, response.text
    assert await deliver_due() == 0
    waiting = await outbox.undelivered()
    assert len(waiting) == 1
    assert waiting[0].attempts == 1
    assert waiting[0].failed_at is None
    assert waiting[0].last_error == "e-posttjeneren svarer ikke (ConnectionRefusedError)"
    assert await deliver_due() == 0  # not due again before its backoff

    restarted = Mailbox()
    controller = Controller(restarted, hostname="127.0.0.1", port=down_port)
    controller.start()
    try:
        with pinned(utcnow() + outbox.backoff(1) + timedelta(seconds=1)):
            assert await deliver_due() == 1
            assert await deliver_due() == 0
    finally:
        controller.stop()
    assert len(restarted.messages) == 1
    assert "Bekreftet" in restarted.messages[0]["Subject"]
    assert await outbox.undelivered() == []


async def test_a_refused_mail_is_shown_to_the_coordinator_who_sends_it_again(
    company: Company, smtp: Mailbox, client: httpx.AsyncClient, cast: Cast
) -> None:
    smtp.refuse = True
    programme_id = await company.programme()
    await company.book(programme_id, "anchoring", working_day_at(7, 10))
    assert await deliver_due() == 0
    [failed] = await outbox.undelivered()
    assert failed.failed_at is not None, "a 5xx is permanent: no retries"

    await sign_in(client, cast["kari"])
    page = await client.get("/utsendinger/")
    assert page.status_code == 200
    assert "Feilet" in page.text
    assert "Send igjen" in page.text
    smtp.refuse = False
    again = await client.post(
        f"/utsendinger/{failed.id}/send-igjen", data={"_csrf_token": await csrf_token(client)}
    )
    assert again.status_code == 303
    assert await deliver_due() == 1
    assert len(smtp.messages) == 1
    assert "Alt er levert" in (await client.get("/utsendinger/")).text


async def test_a_booking_that_fails_queues_no_mail(company: Company, smtp: Mailbox) -> None:
    programme_id = await company.programme()
    first = await company.book(programme_id, "anchoring", working_day_at(7, 10))
    assert first.status_code == 201
    again = await company.book(programme_id, "anchoring", working_day_at(7, 10))
    assert again.status_code in (409, 422)
    assert len(await outbox.undelivered()) == 1
