"""Each change of a session is mailed to the enterprise contact and the facilitators."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from helseiarbeid.settings import get_settings
from tests.company_track.conftest import Company, working_day_at


class Outbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"


@pytest.fixture
def outbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Outbox]:
    """A real SMTP server on loopback that keeps what it receives."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Outbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("HELSEIARBEID_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("HELSEIARBEID_SMTP_PORT", str(port))
    get_settings.cache_clear()
    yield box
    controller.stop()
    monkeypatch.undo()
    get_settings.cache_clear()


async def test_confirm_reschedule_and_cancel_are_mailed(company: Company, outbox: Outbox) -> None:
    programme_id = await company.programme()
    requested = await company.post(
        "erik",
        f"/programmes/{programme_id}/sessions",
        {"kind": "anchoring", "starts_at": working_day_at(7, 10).isoformat()},
    )
    session_id = requested.json()["id"]
    assert "kari@test.example" in outbox.messages[-1]["To"]
    assert "Ønske om samling" in outbox.messages[-1]["Subject"]

    await company.post(
        "kari", f"/sessions/{session_id}/confirm", {"facilitator_ids": company.pair()}
    )
    confirmed = outbox.messages[-1]
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
    assert "Flyttet" in outbox.messages[-1]["Subject"]
    assert new_time.strftime("%d.%m.%Y kl. 13:00") in outbox.messages[-1].get_content()

    await company.post(
        "erik", f"/sessions/{session_id}/cancel", {"reason": "Ledermøte kolliderer."}
    )
    cancelled = outbox.messages[-1]
    assert "Avlyst" in cancelled["Subject"]
    assert "Ledermøte kolliderer." in cancelled.get_content()
    assert len(outbox.messages) == 4


async def test_no_mail_server_no_mail_and_no_failure(company: Company) -> None:
    programme_id = await company.programme()
    response = await company.book(programme_id, "anchoring", working_day_at(7, 10))
    assert response.status_code == 201
