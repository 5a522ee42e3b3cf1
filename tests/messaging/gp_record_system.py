"""What a GP's record system sends back: the answer to our information request, built from
the same MsgHead pieces as :mod:`helseiarbeid.messaging.outgoing`, so tests receive real,
XSD-valid Dialogmelding 1.1 answers."""

from __future__ import annotations

import uuid
from datetime import datetime

from lxml import etree

from helseiarbeid.messaging.outgoing import (
    QUESTION_SYSTEM,
    QUESTION_TYPE,
    TYPE_HEALTH_DIALOGUE,
    Built,
    Clinic,
    GpAddress,
    PatientRef,
    _checked,
    _conversation,
    _her_id,
    _msghead,
    _party,
    _split_name,
    _sub,
    _xml_ref_doc,
)
from helseiarbeid.messaging.standards import NS_DIALOG_11, NS_MSGHEAD

# The answer's TemaKodet in record systems: 9069 code 5 «Svar på forespørsel».
ANSWER_SYSTEM = "2.16.578.1.12.4.1.1.9069"
ANSWER_TOPIC = ("5", "Svar på forespørsel")


def answer_to_request(
    *,
    sender: Clinic,
    clinician: GpAddress,
    to: Clinic,
    patient: PatientRef,
    answer: str,
    request_id: str,
    refers_to: str,
    conversation: str,
    now: datetime,
) -> Built:
    """A GP's answer to :func:`information_request`, as a record system sends it
    (``DIALOG_HELSEFAGLIG``, one ``Notat`` with ``TemaKodet`` 5 «Svar på forespørsel» from 9069,
    ``ConversationRef`` naming the question's MsgId as parent). The service never sends one:
    this is the GP's record system's side, for the tests. Raises SchemaError if invalid."""
    msg_id = str(uuid.uuid4())
    root, document = _msghead(
        msg_type=TYPE_HEALTH_DIALOGUE,
        clinic=sender,
        to=GpAddress(to.name, to.her_ids[0], "", ""),
        patient=patient,
        now=now,
        msg_id=msg_id,
    )
    # The GP's office sends; the receiver is the clinic (organisation, then its service).
    office = _party(root, "Sender")
    receiver = _party(root, "Receiver")
    for child in office.findall(f"{{{NS_MSGHEAD}}}Organisation"):
        office.remove(child)
    gp = _sub(office, NS_MSGHEAD, "HealthcareProfessional")
    given, family = _split_name(clinician.gp_name)
    _sub(gp, NS_MSGHEAD, "FamilyName", family)
    if given:
        _sub(gp, NS_MSGHEAD, "GivenName", given)
    _her_id(gp, clinician.gp_her_id)
    for child in receiver.findall(f"{{{NS_MSGHEAD}}}HealthcareProfessional"):
        receiver.remove(child)
    if len(to.her_ids) > 1:
        service = _sub(receiver, NS_MSGHEAD, "Organisation")
        _sub(service, NS_MSGHEAD, "OrganisationName", to.name)
        _her_id(service, to.her_ids[1])
    _conversation(root, refers_to, conversation)
    dialog = etree.SubElement(
        _xml_ref_doc(document, now),
        f"{{{NS_DIALOG_11}}}Dialogmelding",
        nsmap={None: NS_DIALOG_11},  # type: ignore[dict-item]
    )
    note = _sub(dialog, NS_DIALOG_11, "Notat")
    _sub(note, NS_DIALOG_11, "TemaKodet", V=ANSWER_TOPIC[0], DN=ANSWER_TOPIC[1], S=ANSWER_SYSTEM)
    _sub(note, NS_DIALOG_11, "TekstNotatInnhold", answer)
    if request_id:
        request = _sub(note, NS_DIALOG_11, "Foresporsel")
        _sub(
            request,
            NS_DIALOG_11,
            "TypeForesp",
            V=QUESTION_TYPE[0],
            DN=QUESTION_TYPE[1],
            S=QUESTION_SYSTEM,
        )
        _sub(request, NS_DIALOG_11, "DokIdForesp", request_id)
    return _checked(root, msg_id, TYPE_HEALTH_DIALOGUE[0])
