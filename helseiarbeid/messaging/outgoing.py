"""Messages this clinic sends, built with lxml and checked against their XSDs before they are
stored: every one is a MsgHead 1.2 (``http://www.kith.no/xmlstds/msghead/2006-05-24``) from the
clinic's HER-ids (setting ``HELSEIARBEID_HER_IDS``: organisation, then service) to the GP's
office and the GP, with a fresh MsgId (a GUID).

- :func:`referral_status`: Dialogmelding 1.1, ``DIALOG_STATUS_HENVISNING``, the status coded in
  2.16.578.1.12.4.1.1.9148 (1 called in for care, 2 right to care, time to follow, 4 rejected) as
  in the directorate's example ``Status_paa_henvisning-InnkaltEtterViderehenvisning.xml``.
- :func:`report`: Epikrise 1.2 (``EPIKRISE``) with the report as a second ``RefDoc``, base64 in
  a ``Base64Container``, MIME type ``application/pdf``.

An invalid message is a fault of this code, never of the data: :class:`SchemaError` is raised
and nothing is stored or sent.
"""

from __future__ import annotations

import base64
import enum
import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from lxml import etree

from helseiarbeid.core.timefmt import to_oslo
from helseiarbeid.messaging.standards import (
    NS_BASE64,
    NS_DIALOG_11,
    NS_EPIKRISE_12,
    NS_MSGHEAD,
    SchemaError,
    SchemaSet,
    validate,
)

HER_SYSTEM = "2.16.578.1.12.4.1.1.9051"
PERSON_ID_SYSTEM = "2.16.578.1.12.4.1.1.8116"
STATUS_SYSTEM = "2.16.578.1.12.4.1.1.9148"
ROLE_SYSTEM = "2.16.578.1.12.4.1.1.9034"
TYPE_STATUS_ON_REFERRAL = ("DIALOG_STATUS_HENVISNING", "Status på henvisning")
TYPE_EPIKRISE = ("EPIKRISE", "Epikrise")


class ReferralStatus(enum.Enum):
    """Status on a referral, code system 2.16.578.1.12.4.1.1.9148: (code, its DN)."""

    CALLED_IN = ("1", "Innkalles til helsehjelp")
    RIGHT_TO_CARE = ("2", "Rett til helsehjelp, tid følger")
    REJECTED = ("4", "Avvist")


@dataclass(frozen=True)
class Clinic:
    """This clinic as sender: its name and HER-ids (organisation first, then a service)."""

    name: str
    her_ids: tuple[str, ...]


@dataclass(frozen=True)
class GpAddress:
    """Where the message goes: the GP's office (its HER-id) and the GP (name, HER-id)."""

    office_name: str
    office_her_id: str
    gp_name: str
    gp_her_id: str


@dataclass(frozen=True)
class PatientRef:
    """The patient the message is about: national ID (FNR, or DNR for a D-number) and name."""

    national_id: str
    name: str


@dataclass(frozen=True)
class Built:
    """A message ready to store: its MsgId, MsgInfo/Type and the UTF-8 XML."""

    msg_id: str
    msg_type: str
    xml: bytes


def _sub(
    parent: etree._Element, ns: str, name: str, text: str | None = None, **attrs: str
) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{name}", {k: v for k, v in attrs.items() if v})
    if text is not None:
        element.text = text
    return element


def _local(moment: datetime) -> str:
    """xs:dateTime in Oslo time without offset, as the standards' examples write it."""
    return to_oslo(moment).replace(tzinfo=None, microsecond=0).isoformat()


def _split_name(name: str) -> tuple[str, str]:
    """(given names, family name) of "Given Names Family"; a single word is the family name."""
    parts = name.split()
    return (" ".join(parts[:-1]), parts[-1]) if len(parts) > 1 else ("", name or "Ukjent")


def _her_id(parent: etree._Element, her_id: str) -> None:
    """A MsgHead ``Ident`` naming a HER-id (code system 2.16.578.1.12.4.1.1.9051)."""
    ident = _sub(parent, NS_MSGHEAD, "Ident")
    _sub(ident, NS_MSGHEAD, "Id", her_id)
    _sub(ident, NS_MSGHEAD, "TypeId", V="HER", DN="HER-id", S=HER_SYSTEM)


def _id_type(national_id: str) -> tuple[str, str]:
    """FNR, or DNR for a D-number (first digit 4–7)."""
    if national_id[:1] in "4567":
        return "DNR", "D-nummer"
    return "FNR", "Fødselsnummer"


def _msghead(
    *,
    msg_type: tuple[str, str],
    clinic: Clinic,
    to: GpAddress,
    patient: PatientRef,
    now: datetime,
    msg_id: str,
) -> tuple[etree._Element, etree._Element]:
    """The MsgHead and its (empty) Document element."""
    mh = NS_MSGHEAD
    root = etree.Element(f"{{{mh}}}MsgHead", nsmap={None: mh})  # type: ignore[dict-item]
    info = _sub(root, mh, "MsgInfo")
    _sub(info, mh, "Type", V=msg_type[0], DN=msg_type[1])
    _sub(info, mh, "MIGversion", "v1.2 2006-05-24")
    _sub(info, mh, "GenDate", _local(now))
    _sub(info, mh, "MsgId", msg_id)
    sender = _sub(_sub(info, mh, "Sender"), mh, "Organisation")
    _sub(sender, mh, "OrganisationName", clinic.name)
    _her_id(sender, clinic.her_ids[0])
    if len(clinic.her_ids) > 1:
        service = _sub(sender, mh, "Organisation")
        _sub(service, mh, "OrganisationName", clinic.name)
        _her_id(service, clinic.her_ids[1])
    office = _sub(_sub(info, mh, "Receiver"), mh, "Organisation")
    _sub(office, mh, "OrganisationName", to.office_name or "Legekontor")
    _her_id(office, to.office_her_id)
    gp = _sub(office, mh, "HealthcareProfessional")
    _sub(gp, mh, "RoleToPatient", V="6", DN="Fastlege", S=ROLE_SYSTEM)
    given, family = _split_name(to.gp_name)
    _sub(gp, mh, "FamilyName", family)
    if given:
        _sub(gp, mh, "GivenName", given)
    _her_id(gp, to.gp_her_id)
    person = _sub(info, mh, "Patient")
    given, family = _split_name(patient.name)
    _sub(person, mh, "FamilyName", family)
    if given:
        _sub(person, mh, "GivenName", given)
    ident = _sub(person, mh, "Ident")
    _sub(ident, mh, "Id", patient.national_id)
    code, text = _id_type(patient.national_id)
    _sub(ident, mh, "TypeId", V=code, DN=text, S=PERSON_ID_SYSTEM)
    return root, _sub(root, mh, "Document")


def _checked(root: etree._Element, msg_id: str, msg_type: str) -> Built:
    problems = validate(SchemaSet.MSGHEAD, root)
    if problems:
        raise SchemaError(f"{msg_type} is not valid: {problems}")
    return Built(msg_id, msg_type, etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def referral_status(
    *,
    clinic: Clinic,
    to: GpAddress,
    patient: PatientRef,
    status: ReferralStatus,
    text: str,
    refers_to: str,
    now: datetime,
) -> Built:
    """Status on a referral (Dialogmelding 1.1 in MsgHead, ``DIALOG_STATUS_HENVISNING``).

    ``text`` is the note the GP reads (the deadline or the reason); ``refers_to`` is the
    referral's MsgId when it came as a message (``ConversationRef``), else empty.
    Raises SchemaError if the result is not valid against the MsgHead/Dialogmelding XSDs.
    """
    msg_id = str(uuid.uuid4())
    root, document = _msghead(
        msg_type=TYPE_STATUS_ON_REFERRAL,
        clinic=clinic,
        to=to,
        patient=patient,
        now=now,
        msg_id=msg_id,
    )
    if refers_to:
        reference = etree.Element(f"{{{NS_MSGHEAD}}}ConversationRef")
        _sub(reference, NS_MSGHEAD, "RefToParent", refers_to)
        _sub(reference, NS_MSGHEAD, "RefToConversation", refers_to)
        root[0].find(f"{{{NS_MSGHEAD}}}Sender").addprevious(reference)  # type: ignore[union-attr]
    ref_doc = _sub(document, NS_MSGHEAD, "RefDoc")
    _sub(ref_doc, NS_MSGHEAD, "IssueDate", V=_local(now))
    _sub(ref_doc, NS_MSGHEAD, "MsgType", V="XML", DN="XML-instans")
    content = _sub(ref_doc, NS_MSGHEAD, "Content")
    dialog = etree.SubElement(
        content,
        f"{{{NS_DIALOG_11}}}Dialogmelding",
        nsmap={None: NS_DIALOG_11},  # type: ignore[dict-item]
    )
    note = _sub(dialog, NS_DIALOG_11, "Notat")
    _sub(note, NS_DIALOG_11, "TemaKodet", V=status.value[0], DN=status.value[1], S=STATUS_SYSTEM)
    _sub(note, NS_DIALOG_11, "TekstNotatInnhold", text)
    return _checked(root, msg_id, TYPE_STATUS_ON_REFERRAL[0])


def report(
    *,
    clinic: Clinic,
    to: GpAddress,
    patient: PatientRef,
    summary: str,
    pdf: bytes,
    title: str,
    started: datetime,
    now: datetime,
) -> Built:
    """The report to the GP as Epikrise 1.2 in MsgHead (``EPIKRISE``), the PDF attached as a
    second ``RefDoc`` (``MsgType`` A, ``MimeType`` application/pdf, base64).

    ``summary`` is the short text the GP's record system shows with the document; the
    reported event runs from ``started`` (the referral received) to ``now``.
    Raises SchemaError if the result is not valid against the MsgHead/Epikrise XSDs.
    """
    msg_id = str(uuid.uuid4())
    root, document = _msghead(
        msg_type=TYPE_EPIKRISE, clinic=clinic, to=to, patient=patient, now=now, msg_id=msg_id
    )
    ref_doc = _sub(document, NS_MSGHEAD, "RefDoc")
    _sub(ref_doc, NS_MSGHEAD, "IssueDate", V=_local(now))
    _sub(ref_doc, NS_MSGHEAD, "MsgType", V="XML", DN="XML-instans")
    content = _sub(ref_doc, NS_MSGHEAD, "Content")
    content.append(_epikrise(clinic, to, patient, summary, started, now))
    attachment = _sub(_sub(root, NS_MSGHEAD, "Document"), NS_MSGHEAD, "RefDoc")
    _sub(attachment, NS_MSGHEAD, "IssueDate", V=_local(now))
    _sub(attachment, NS_MSGHEAD, "MsgType", V="A", DN="Vedlegg")
    _sub(attachment, NS_MSGHEAD, "MimeType", "application/pdf")
    _sub(attachment, NS_MSGHEAD, "Description", title)
    container = etree.SubElement(
        _sub(attachment, NS_MSGHEAD, "Content"),
        f"{{{NS_BASE64}}}Base64Container",
        nsmap={None: NS_BASE64},  # type: ignore[dict-item]
    )
    container.text = base64.b64encode(pdf).decode("ascii")
    return _checked(root, msg_id, TYPE_EPIKRISE[0])


def _epikrise(
    clinic: Clinic,
    to: GpAddress,
    patient: PatientRef,
    summary: str,
    started: datetime,
    now: datetime,
) -> etree._Element:
    ns = NS_EPIKRISE_12
    message = etree.Element(f"{{{ns}}}Message", nsmap={None: ns})  # type: ignore[dict-item]
    _sub(message, ns, "Type", V="EPIKRISE", DN="Epikrise")
    _sub(message, ns, "MIGversion", "v1.2 2012-02-15")
    _sub(message, ns, "GenDate", V=_local(now))
    _sub(message, ns, "MsgId", str(uuid.uuid4()))
    report = _sub(message, ns, "ServRprt")
    _sub(report, ns, "ServType", V="N", DN="Ny")
    _sub(report, ns, "IssueDate", V=_local(now))
    _sub(report, ns, "Status", V="F", DN="Endelig rapport")
    _sub(report, ns, "MsgDescr", "Rapport fra arbeidsfokusert avklaring")
    event = _sub(report, ns, "Event")
    period = _sub(event, ns, "ReportedEvent")
    _sub(period, ns, "StartDateTime", V=_local(started))
    _sub(period, ns, "EndDateTime", V=_local(now))
    _sub(event, ns, "ServType", V="N", DN="Ny")
    # Omsorgsnivå (8240): the clinic's work is outpatient contacts.
    _sub(_sub(event, ns, "Service"), ns, "AdmCat", V="3", DN="Poliklinisk kontakt")
    comment = _sub(event, ns, "Comment")
    _sub(comment, ns, "Heading", V="VU", DN="Vurdering")
    _sub(comment, ns, "TextResultValue", summary)
    person = _sub(report, ns, "Patient")
    _sub(person, ns, "Name", patient.name)
    _sub(person, ns, "OffId", patient.national_id)
    code, text = _id_type(patient.national_id)
    _sub(person, ns, "TypeOffId", V=code, DN=text)
    provider = _sub(report, ns, "ServProvider")
    _sub(provider, ns, "Role", V="SPR", DN="Tjenesteyter")
    _sub(provider, ns, "ComMethod", V="EDI", DN="EDI")
    inst = _sub(_sub(provider, ns, "HCP"), ns, "Inst")
    _sub(inst, ns, "Name", clinic.name)
    _sub(inst, ns, "Id", clinic.her_ids[0])
    _sub(inst, ns, "TypeId", V="HER", DN="HER-id")
    requester = _sub(report, ns, "Requester")
    _sub(requester, ns, "Role", V="REQ", DN="Rekvirent")
    _sub(requester, ns, "ComMethod", V="EDI", DN="EDI")
    office = _sub(_sub(requester, ns, "HCP"), ns, "Inst")
    _sub(office, ns, "Name", to.office_name or "Legekontor")
    _sub(office, ns, "Id", to.office_her_id)
    _sub(office, ns, "TypeId", V="HER", DN="HER-id")
    gp = _sub(office, ns, "HCPerson")
    _sub(gp, ns, "Name", to.gp_name)
    _sub(gp, ns, "Id", to.gp_her_id)
    _sub(gp, ns, "TypeId", V="HER", DN="HER-id")
    return message


@dataclass(frozen=True)
class SentAttachment:
    description: str
    mime_type: str
    size_bytes: int


@dataclass(frozen=True)
class SentContent:
    """A message built here, read back for the «Meldinger» page."""

    patient_name: str
    gp_name: str
    office_name: str
    subject: str  # the status on the referral, or the Epikrise's description
    text: str  # the note the GP reads
    attachments: tuple[SentAttachment, ...]


def _describe(root: etree._Element) -> SentContent:
    """The readable parts of a message built by :func:`referral_status` or :func:`report`."""
    ns = {"mh": NS_MSGHEAD, "d": NS_DIALOG_11, "e": NS_EPIKRISE_12, "b": NS_BASE64}

    def text(path: str) -> str:
        found = root.find(path, ns)
        return (found.text or "").strip() if found is not None else ""

    def name(path: str) -> str:
        return " ".join(
            part for part in (text(f"{path}/mh:GivenName"), text(f"{path}/mh:FamilyName")) if part
        )

    note = root.find(".//d:Notat", ns)
    if note is not None:
        coded = note.find("d:TemaKodet", ns)
        subject = coded.get("DN", "") if coded is not None else ""
        body = text(".//d:Notat/d:TekstNotatInnhold")
    else:
        subject = text(".//e:ServRprt/e:MsgDescr")
        body = text(".//e:Event/e:Comment/e:TextResultValue")
    attachments = tuple(
        SentAttachment(
            description=(ref_doc.findtext("mh:Description", "", ns) or "Vedlegg").strip(),
            mime_type=(ref_doc.findtext("mh:MimeType", "", ns) or "").strip(),
            size_bytes=len(base64.b64decode(container.text or "")),
        )
        for ref_doc in root.iterfind("mh:Document/mh:RefDoc", ns)
        if (container := ref_doc.find("mh:Content/b:Base64Container", ns)) is not None
    )
    return SentContent(
        patient_name=name("mh:MsgInfo/mh:Patient"),
        gp_name=name("mh:MsgInfo/mh:Receiver/mh:Organisation/mh:HealthcareProfessional"),
        office_name=text("mh:MsgInfo/mh:Receiver/mh:Organisation/mh:OrganisationName"),
        subject=subject,
        text=body,
        attachments=attachments,
    )


# --- Clinical dialogue with the GP (information request) and onward referral -----------------

TYPE_HEALTH_DIALOGUE = ("DIALOG_HELSEFAGLIG", "Helsefaglig dialog")
TYPE_ONWARD_REFERRAL = ("HENVISNING_VIDERE", "Viderehenvisning")
# Dialogmelding 1.1 code list for a question in clinical dialogue, as record systems use it
# (the directorate's lists are not among ../shared/standards; see docs/architecture.md,
# «Helsefaglig dialog»): the question's TypeForesp from 8129 («Forespørsel om pasient»).
QUESTION_SYSTEM = "2.16.578.1.12.4.1.1.8129"
QUESTION_TYPE = ("1", "Forespørsel om pasient")
HPR_SYSTEM = "2.16.578.1.12.4.1.1.8116"
CONTENT_SYSTEM = "2.16.578.1.12.4.1.1.8455"  # Type innhold i melding: 10 utredning/behandling
HEADING_SYSTEM = "2.16.578.1.12.4.1.1.8231"  # Overskrift for fritekst: PROB
RELATION_SYSTEM = "2.16.578.1.12.4.1.1.8254"  # Relasjon: HHE henvisende helsepersonell


@dataclass(frozen=True)
class ServiceAddress:
    """A health service as receiver: the organisation's name and HER-id (a department or
    service of it may be its own HER-id; the message then goes to that one)."""

    name: str
    her_id: str


@dataclass(frozen=True)
class Clinician:
    """Health personnel signing a message: name ("Given Family") and HPR number."""

    name: str
    hpr_number: str


def _party(root: etree._Element, role: str) -> etree._Element:
    """``MsgInfo/<role>/Organisation`` of a MsgHead built by :func:`_msghead`."""
    mh = NS_MSGHEAD
    found = root.find(f"{{{mh}}}MsgInfo/{{{mh}}}{role}/{{{mh}}}Organisation")
    if found is None:  # pragma: no cover - _msghead always writes both
        raise SchemaError(f"MsgHead without {role}/Organisation")
    return found


def _conversation(root: etree._Element, parent: str, conversation: str) -> None:
    """``MsgInfo/ConversationRef`` before ``Sender`` (the order MsgHead's XSD requires)."""
    reference = etree.Element(f"{{{NS_MSGHEAD}}}ConversationRef")
    _sub(reference, NS_MSGHEAD, "RefToParent", parent)
    _sub(reference, NS_MSGHEAD, "RefToConversation", conversation or parent)
    root[0].find(f"{{{NS_MSGHEAD}}}Sender").addprevious(reference)  # type: ignore[union-attr]


def _xml_ref_doc(document: etree._Element, now: datetime) -> etree._Element:
    """The first ``RefDoc`` (an XML instance) and its ``Content``."""
    ref_doc = _sub(document, NS_MSGHEAD, "RefDoc")
    _sub(ref_doc, NS_MSGHEAD, "IssueDate", V=_local(now))
    _sub(ref_doc, NS_MSGHEAD, "MsgType", V="XML", DN="XML-instans")
    return _sub(ref_doc, NS_MSGHEAD, "Content")


def _pdf_ref_doc(root: etree._Element, pdf: bytes, title: str, now: datetime) -> None:
    """A further ``Document`` carrying ``pdf`` (``MsgType`` A, base64, application/pdf)."""
    attachment = _sub(_sub(root, NS_MSGHEAD, "Document"), NS_MSGHEAD, "RefDoc")
    _sub(attachment, NS_MSGHEAD, "IssueDate", V=_local(now))
    _sub(attachment, NS_MSGHEAD, "MsgType", V="A", DN="Vedlegg")
    _sub(attachment, NS_MSGHEAD, "MimeType", "application/pdf")
    _sub(attachment, NS_MSGHEAD, "Description", title)
    container = etree.SubElement(
        _sub(attachment, NS_MSGHEAD, "Content"),
        f"{{{NS_BASE64}}}Base64Container",
        nsmap={None: NS_BASE64},  # type: ignore[dict-item]
    )
    container.text = base64.b64encode(pdf).decode("ascii")


def information_request(
    *,
    clinic: Clinic,
    to: GpAddress,
    patient: PatientRef,
    question: str,
    request_id: str,
    refers_to: str,
    now: datetime,
) -> Built:
    """The team's question to the referring GP (Dialogmelding 1.1 in MsgHead,
    ``DIALOG_HELSEFAGLIG``): one ``Foresporsel`` with ``TypeForesp`` 1 «Forespørsel om
    pasient» (8129), the question as ``Sporsmal`` and ``request_id`` (the information request's
    own id here) as ``DokIdForesp``.

    The GP's answer refers to this message's MsgId in ``ConversationRef/RefToParent``;
    ``refers_to`` is the referral's MsgId when it came as a message (then the conversation),
    else empty (the question starts the conversation). Raises SchemaError if invalid.
    """
    msg_id = str(uuid.uuid4())
    root, document = _msghead(
        msg_type=TYPE_HEALTH_DIALOGUE,
        clinic=clinic,
        to=to,
        patient=patient,
        now=now,
        msg_id=msg_id,
    )
    if refers_to:
        _conversation(root, refers_to, refers_to)
    dialog = etree.SubElement(
        _xml_ref_doc(document, now),
        f"{{{NS_DIALOG_11}}}Dialogmelding",
        nsmap={None: NS_DIALOG_11},  # type: ignore[dict-item]
    )
    request = _sub(dialog, NS_DIALOG_11, "Foresporsel")
    _sub(
        request,
        NS_DIALOG_11,
        "TypeForesp",
        V=QUESTION_TYPE[0],
        DN=QUESTION_TYPE[1],
        S=QUESTION_SYSTEM,
    )
    _sub(request, NS_DIALOG_11, "EmneSporsmal", "Tilleggsopplysninger til henvisning")
    _sub(request, NS_DIALOG_11, "Sporsmal", question)
    _sub(request, NS_DIALOG_11, "DokIdForesp", request_id)
    return _checked(root, msg_id, TYPE_HEALTH_DIALOGUE[0])


def onward_referral(
    *,
    clinic: Clinic,
    to: ServiceAddress,
    patient: PatientRef,
    author: Clinician,
    reason: str,
    letter: bytes,
    title: str,
    refers_to: str,
    now: datetime,
) -> Built:
    """An onward referral (Henvisning 2.0 in MsgHead, ``HENVISNING_VIDERE``, ServType N) to a
    health service's HER-id, shaped as the directorate's example
    ``Viderehenvisning_v2-0_Uten_rettighetsvurdering_Ny.xml``: the signing clinician (HPR) as
    ``AnsvarForRapport`` (relation HHE), content type 10 «Utredning/behandling», ``reason`` as
    the PROB text, the letter PDF attached. ``refers_to`` is the original referral's MsgId when
    it came as a message (``ConversationRef``), else empty. Raises SchemaError if invalid."""
    msg_id = str(uuid.uuid4())
    root, document = _msghead(
        msg_type=TYPE_ONWARD_REFERRAL,
        clinic=clinic,
        to=GpAddress(to.name, to.her_id, "", ""),
        patient=patient,
        now=now,
        msg_id=msg_id,
    )
    receiver = _party(root, "Receiver")
    for child in receiver.findall(f"{{{NS_MSGHEAD}}}HealthcareProfessional"):
        receiver.remove(child)
    if refers_to:
        _conversation(root, refers_to, refers_to)
    h = "http://ehelse.no/xmlstds/henvisning/2017-11-30"
    po = "http://ehelse.no/xmlstds/po/poKomponent/2017-11-30"
    fk = "http://www.kith.no/xmlstds/felleskomponent1"
    henvisning = etree.SubElement(
        _xml_ref_doc(document, now),
        f"{{{h}}}Henvisning",
        nsmap={None: h, "po": po, "fk1": fk},  # type: ignore[dict-item]
    )
    _sub(henvisning, h, "ServType", V="N", DN="Ny")
    _sub(henvisning, h, "IssueDate", _local(now))
    _sub(henvisning, h, "DocumentId", str(uuid.uuid4()))
    responsible = _sub(henvisning, po, "AnsvarForRapport")
    person = _sub(responsible, po, "AnsvarligRapport")
    given, family = _split_name(author.name)
    _sub(person, fk, "FamilyName", family)
    if given:
        _sub(person, fk, "GivenName", given)
    ident = _sub(person, fk, "Ident")
    _sub(ident, fk, "Id", author.hpr_number)
    _sub(ident, fk, "TypeId", V="HPR", DN="HPR-nummer", S=HPR_SYSTEM)
    _sub(
        responsible, po, "TypeRelasjon", V="HHE", S=RELATION_SYSTEM, DN="Henvisende helsepersonell"
    )
    content = _sub(henvisning, po, "TypeInnholdIMelding")
    _sub(content, po, "TypeInnhold", V="10", S=CONTENT_SYSTEM, DN="Utredning/behandling")
    text = _sub(henvisning, h, "ReasonAsText")
    _sub(text, h, "Heading", V="PROB", S=HEADING_SYSTEM, DN="Aktuell problemstilling")
    _sub(text, h, "TextResultValue", reason)
    requested = _sub(henvisning, h, "ReqServ")
    _sub(requested, h, "ServType", V="N", DN="Ny")
    _sub(requested, h, "Priority", V="N", DN="Elektiv/Ordinær (elektiv)")
    _pdf_ref_doc(root, letter, title, now)
    return _checked(root, msg_id, TYPE_ONWARD_REFERRAL[0])


def describe_sent(root: etree._Element) -> SentContent:
    """:func:`_describe`, also for the question to the GP (its ``Foresporsel``: subject
    ``EmneSporsmal``, text ``Sporsmal``) and the onward referral (Henvisning 2.0: the PROB
    text; the receiver is the health service)."""
    content = _describe(root)
    ns = {
        "mh": NS_MSGHEAD,
        "d": NS_DIALOG_11,
        "h": "http://ehelse.no/xmlstds/henvisning/2017-11-30",
    }
    request = root.find(".//d:Dialogmelding/d:Foresporsel", ns)
    if request is not None:
        question = request.find("d:Sporsmal", ns)
        return replace(
            content,
            subject=(request.findtext("d:EmneSporsmal", "", ns) or "Spørsmål").strip(),
            text="".join(str(part) for part in question.itertext()).strip()
            if question is not None
            else "",
        )
    henvisning = root.find("mh:Document/mh:RefDoc/mh:Content/h:Henvisning", ns)
    if henvisning is not None:
        return replace(
            content,
            subject="Henvisning videre",
            text=(henvisning.findtext("h:ReasonAsText/h:TextResultValue", "", ns) or "").strip(),
            gp_name="",
        )
    return content
