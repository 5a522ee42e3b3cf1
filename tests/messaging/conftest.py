"""Receiving the directorate's example messages (copied to examples/, fictitious people)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from lxml import etree

from helseiarbeid.messaging.standards import NS_APPREC_11, SchemaSet, validate
from helseiarbeid.settings import get_settings
from tests.cast import Cast, bearer
from tests.clinics.conftest import other_clinic  # noqa: F401 - a second clinic, for the messages tests

EXAMPLES = Path(__file__).parent / "examples"
NEW_20 = "Henvisning_ny_tilstand_v2-0_Ny.xml"
CHANGE_20 = "Henvisning_ny_tilstand_v2-0_Endring.xml"
CANCEL_20 = "Henvisning_ny_tilstand_v2-0_Kansellering.xml"
ONWARD_20 = "Viderehenvisning_v2-0_Uten_rettighetsvurdering_Ny.xml"
NEW_11 = "henvisning_v1.1_n.xml"
NEW_10 = "henvisning_v1.0_n.xml"
# The examples' receivers: St Olavs (59 / 90998) and Oralkirurgisk klinikk (90240 / 999997).
HER_IDS = "59,90998,90240,999997"


@pytest.fixture(autouse=True)
def her_ids(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HELSEIARBEID_HER_IDS", HER_IDS)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def example(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


async def post_message(
    client: httpx.AsyncClient, cast: Cast, body: bytes
) -> tuple[etree._Element, httpx.Response]:
    response = await client.post(
        "/api/v1/messages",
        content=body,
        headers={**await bearer(cast["msh"]), "Content-Type": "application/xml"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    apprec = etree.fromstring(response.content)
    assert validate(SchemaSet.APPREC_11, apprec) == []
    return apprec, response


def status_of(apprec: etree._Element) -> str:
    return apprec.find(f"{{{NS_APPREC_11}}}Status").get("V")  # type: ignore[union-attr]


def error_codes(apprec: etree._Element) -> list[str]:
    return [error.get("V", "") for error in apprec.iterfind(f"{{{NS_APPREC_11}}}Error")]


def original_id(apprec: etree._Element) -> str:
    return apprec.findtext(f"{{{NS_APPREC_11}}}OriginalMsgId/{{{NS_APPREC_11}}}Id") or ""
