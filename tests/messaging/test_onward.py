"""Issue 13 §8 (second half): an onward referral to a health service that has a HER-id goes
out as Henvisning 2.0 ``HENVISNING_VIDERE`` in MsgHead 1.2 — valid against the published XSDs,
queued in the same transaction as the onward referral, the signed letter attached — and the
receiving side takes such a message."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import httpx
import pytest
from lxml import etree

from helseiarbeid.clinic_track.tables import OnwardReferral
from helseiarbeid.core.tables import OutboxMessage
from helseiarbeid.messaging import outgoing
from helseiarbeid.messaging.standards import NS_BASE64, NS_HENVISNING_20, NS_MSGHEAD, SchemaSet
from helseiarbeid.messaging.tables import HealthMessage
from helseiarbeid.referrals.tables import Referral, ReferralDocument
from helseiarbeid.settings import get_settings
from tests.cast import Cast
from tests.clinic_track.conftest import Pathway
from tests.messaging.conftest import NEW_20, example, post_message, status_of
from tests.messaging.shared_xsd import shared_problems

NS = {
    "mh": NS_MSGHEAD,
    "h": NS_HENVISNING_20,
    "b": NS_BASE64,
    "fk": "http://www.kith.no/xmlstds/felleskomponent1",
    "po": "http://ehelse.no/xmlstds/po/poKomponent/2017-11-30",
}
CLINIC = outgoing.Clinic("HelseIArbeid", ("59", "90998"))
PATIENT = outgoing.PatientRef("13116900216", "Line Danser")
DPS_HER_ID = "8605"
ORIGINAL_MSG_ID = "76665c90-3198-11e8-b566-0800200c9a66"
NOW = datetime(2026, 12, 9, 9, 30, tzinfo=UTC)
LETTER = b"%PDF-1.7\n" + bytes(range(256)) * 20
DPS = {
    "destination_type": "dps",
    "destination_name": "Salten DPS",
    "destination_her_id": DPS_HER_ID,
    "reason": "Utredning av langvarig depresjon.",
}


def _built(to: outgoing.ServiceAddress, refers_to: str = ORIGINAL_MSG_ID) -> outgoing.Built:
    return outgoing.onward_referral(
        clinic=CLINIC,
        to=to,
        patient=PATIENT,
        author=outgoing.Clinician("Per Psykolog", "2345678"),
        reason="Utredning av langvarig depresjon.",
        letter=LETTER,
        title="Henvisning videre til Salten DPS",
        refers_to=refers_to,
        now=NOW,
    )


def test_the_onward_referral_is_a_valid_henvisning_videre() -> None:
    built = _built(outgoing.ServiceAddress("Salten DPS", DPS_HER_ID))
    assert shared_problems(SchemaSet.MSGHEAD, built.xml) == []
    root = etree.fromstring(built.xml)
    assert root.find("mh:MsgInfo/mh:Type", NS).get("V") == "HENVISNING_VIDERE"  # type: ignore[union-attr]
    assert root.findtext("mh:MsgInfo/mh:Receiver/mh:Organisation/mh:Ident/mh:Id", "", NS) == (
        DPS_HER_ID
    )
    assert root.findtext("mh:MsgInfo/mh:ConversationRef/mh:RefToParent", "", NS) == ORIGINAL_MSG_ID
    henvisning = root.find("mh:Document/mh:RefDoc/mh:Content/h:Henvisning", NS)
    assert henvisning is not None
    assert henvisning.find("h:ServType", NS).get("V") == "N"  # type: ignore[union-attr]
    author = henvisning.find("po:AnsvarForRapport/po:AnsvarligRapport", NS)
    assert author is not None
    assert author.findtext("fk:Ident/fk:Id", "", NS) == "2345678"
    assert author.find("fk:Ident/fk:TypeId", NS).get("V") == "HPR"  # type: ignore[union-attr]
    assert "langvarig depresjon" in henvisning.findtext("h:ReasonAsText/h:TextResultValue", "", NS)
    attachment = root.findall("mh:Document/mh:RefDoc", NS)[1]
    assert attachment.findtext("mh:MimeType", "", NS) == "application/pdf"
    container = attachment.find("mh:Content/b:Base64Container", NS)
    assert base64.b64decode(container.text or "") == LETTER  # type: ignore[union-attr]


async def test_our_onward_referral_is_received_like_the_directorates(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    """The receiving side takes HENVISNING_VIDERE: our own message, addressed to this clinic
    (a clinic referring onward to another that runs HelseIArbeid), becomes a referral."""
    built = _built(outgoing.ServiceAddress("HelseIArbeid", "90998"), refers_to="")
    apprec, _ = await post_message(client, cast, built.xml)
    assert status_of(apprec) == "1"
    referral = await Referral.select(Referral.patient_name, Referral.gp.hpr_number).first()
    assert referral == {"patient_name": "Line Danser", "gp.hpr_number": "2345678"}


async def _in_progress_from_message(client: httpx.AsyncClient, cast: Cast) -> Pathway:
    await post_message(client, cast, example(NEW_20))
    referral = await Referral.select(Referral.id).first()
    assert referral is not None
    pathway = Pathway(client, cast, referral["id"])
    assert (await pathway.accept()).status_code == 201
    assert (await pathway.book(["per", "nils"])).status_code == 201
    return pathway


async def _videre() -> list[dict[str, object]]:
    return await HealthMessage.select(
        *HealthMessage.all_columns(),
        HealthMessage.outbox_message.channel,
        HealthMessage.outbox_message.recipients,
        HealthMessage.outbox_message.body,
    ).where((HealthMessage.direction == "out") & (HealthMessage.msg_type == "HENVISNING_VIDERE"))


async def test_an_onward_referral_with_a_her_id_is_queued_as_henvisning_videre(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    pathway = await _in_progress_from_message(client, cast)
    onward = await pathway.post("per", "/onward-referrals", DPS)
    assert onward.status_code == 201, onward.text
    assert onward.json()["sent_as_message"] is True
    assert onward.json()["destination_her_id"] == DPS_HER_ID

    [sent] = await _videre()
    assert sent["referral"] == pathway.id
    assert sent["standard"] == "Henvisning 2.0"
    assert sent["receiver_her_id"] == DPS_HER_ID
    assert sent["outbox_message.channel"] == "health_message"
    assert json.loads(str(sent["outbox_message.recipients"])) == [DPS_HER_ID]
    assert sent["outbox_message.body"] == sent["raw_xml"]
    xml = str(sent["raw_xml"]).encode()
    assert shared_problems(SchemaSet.MSGHEAD, xml) == []
    root = etree.fromstring(xml)
    assert root.findtext("mh:MsgInfo/mh:ConversationRef/mh:RefToParent", "", NS) == ORIGINAL_MSG_ID
    assert root.findtext(".//po:AnsvarligRapport/fk:Ident/fk:Id", "", NS) == "2345678"
    letter = await ReferralDocument.select(ReferralDocument.content).where(
        (ReferralDocument.referral == pathway.id) & (ReferralDocument.kind == "onward_referral")
    )
    container = root.find(".//b:Base64Container", NS)
    assert container is not None
    assert base64.b64decode(container.text or "") == letter[0]["content"]
    stored = await OnwardReferral.select(OnwardReferral.destination_her_id).first()
    assert stored == {"destination_her_id": DPS_HER_ID}


async def test_without_a_her_id_only_the_letter_is_made(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    pathway = await _in_progress_from_message(client, cast)
    onward = await pathway.post("per", "/onward-referrals", {**DPS, "destination_her_id": ""})
    assert onward.status_code == 201, onward.text
    assert onward.json()["sent_as_message"] is False
    assert await _videre() == []


async def test_a_clinic_without_her_ids_sends_nothing(
    client: httpx.AsyncClient, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    pathway = await _in_progress_from_message(client, cast)
    monkeypatch.setenv("HELSEIARBEID_HER_IDS", "")
    get_settings.cache_clear()
    onward = await pathway.post("per", "/onward-referrals", DPS)
    assert onward.status_code == 201, onward.text
    assert onward.json()["sent_as_message"] is False
    assert await _videre() == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({**DPS, "destination_her_id": "12ab"}, "HER-id er et tall"),
        ({**DPS, "destination_her_id": "0"}, "HER-id er et tall"),
        (
            {**DPS, "destination_type": "nav_work_measures", "destination_name": "NAV Salten"},
            "bare ved henvisning til helsetjenester",
        ),
    ],
)
async def test_a_bad_her_id_is_refused_with_the_field_named(
    client: httpx.AsyncClient, cast: Cast, body: dict[str, str], message: str
) -> None:
    pathway = await _in_progress_from_message(client, cast)
    refused = await pathway.post("per", "/onward-referrals", body)
    assert refused.status_code == 422, refused.text
    assert message in refused.json()["errors"]["destination_her_id"]
    assert await OnwardReferral.count() == 0
    assert await _videre() == []


async def test_an_invalid_message_undoes_the_onward_referral(
    client: httpx.AsyncClient, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Queued in the same transaction: a message that fails its XSD leaves no onward referral,
    no letter and nothing in the outbox."""
    pathway = await _in_progress_from_message(client, cast)
    outbox_before = await OutboxMessage.count()
    monkeypatch.setattr(outgoing, "CONTENT_SYSTEM", "ikke en OID")
    failed = await pathway.post("per", "/onward-referrals", DPS)
    assert failed.status_code == 500
    assert await OnwardReferral.count() == 0
    assert await ReferralDocument.count().where(ReferralDocument.kind == "onward_referral") == 0
    assert await OutboxMessage.count() == outbox_before
