"""Every PDF of a case is saved under a Norwegian file name (issue 10, item 12)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from helseiarbeid.core.clock import pinned
from tests.cast import sign_in
from tests.clinic_track.conftest import Pathway

NORWEGIAN_NAME = re.compile(
    r'inline; filename="(kvittering-HIA-[0-9A-Z-]+|innkalling-\d+|henvisning-videre-\d+'
    r'|rapport-til-fastlege-\d+)\.pdf"'
)


async def test_every_pdf_of_a_case_has_a_norwegian_file_name(pathway: Pathway) -> None:
    await pathway.accept()
    booked = (await pathway.book(["per"])).json()
    await pathway.clarify()
    onward = await pathway.post(
        "frida",
        "/onward-referrals",
        {"destination_type": "physiotherapy", "destination_name": "Fysio", "reason": "Trening."},
    )
    assert onward.status_code == 201, onward.text
    with pinned(datetime.fromisoformat(booked["starts_at"]) + timedelta(hours=1)):
        held = await pathway.post(
            "kari", f"/consultations/{booked['id']}/outcome", {"outcome": "held"}
        )
        assert held.status_code == 204, held.text
        assert (await pathway.post("frida", "/report", {})).status_code == 201

    anne = await pathway.headers("gp_anne")
    referral = (await pathway.client.get(f"/api/v1/referrals/{pathway.id}", headers=anne)).json()
    await sign_in(pathway.client, pathway.cast["gp_anne"])
    page = (await pathway.client.get(f"/henvisninger/{pathway.id}")).text
    document_links = re.findall(rf'href="(/henvisninger/{pathway.id}/dokumenter/\d+)"', page)
    assert len(document_links) == 3  # appointment letter, onward referral, report

    urls = [
        f"/henvisninger/{pathway.id}/kvittering.pdf",
        f"/api/v1/referrals/{pathway.id}/receipt.pdf",
        f"/api/v1/referrals/{pathway.id}/report.pdf",
        *document_links,
        *(
            link.replace(
                f"/henvisninger/{pathway.id}/dokumenter/",
                f"/api/v1/referrals/{pathway.id}/documents/",
            )
            for link in document_links
        ),
    ]
    names = []
    for url in urls:
        response = await pathway.client.get(url, headers=anne if url.startswith("/api/") else {})
        assert response.status_code == 200, url
        disposition = response.headers["content-disposition"]
        assert NORWEGIAN_NAME.fullmatch(disposition), disposition
        names.append(disposition)
    assert f'filename="kvittering-{referral["reference"]}.pdf"' in names[0]
    assert {name.split('"')[1].rsplit("-", 1)[0] for name in names[3:]} == {
        "innkalling",
        "henvisning-videre",
        "rapport-til-fastlege",
    }
