"""Reading a received Henvisning into plain fields: MsgHead 1.2 with Henvisning 2.0, or a
standalone Henvisning 1.1 / 1.0 ``Message``.

Where each field sits follows the directorate's examples and XSDs (``xsd/``): in 2.0 the
patient and the parties are in ``MsgHead/MsgInfo`` and the clinical content in
``Document/RefDoc/Content/Henvisning``; in 1.x all sits under ``Message/ServReq``. The free-text
headings (code system 2.16.578.1.12.4.1.1.8231) give the complaint text (PROB, «Aktuell
problemstilling»), the question (UTRED, «Forventet utredning/behandling») and the history
(FA, ANAM); information items (8233) of type MEDB give the medication.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field, replace

from lxml import etree

from helseiarbeid.messaging.standards import (
    NS_BASE64,
    NS_DIALOG_11,
    NS_FK1,
    NS_HENVISNING_10,
    NS_HENVISNING_11,
    NS_HENVISNING_20,
    NS_MSGHEAD,
    SchemaSet,
)

# The message kinds received, by root element: (schema set, standard and version).
ROOTS: dict[str, tuple[SchemaSet, str]] = {
    f"{{{NS_MSGHEAD}}}MsgHead": (SchemaSet.MSGHEAD, "MsgHead 1.2"),
    f"{{{NS_HENVISNING_11}}}Message": (SchemaSet.HENVISNING_11, "Henvisning 1.1"),
    f"{{{NS_HENVISNING_10}}}Message": (SchemaSet.HENVISNING_10, "Henvisning 1.0"),
}
# MsgInfo/Type values of MsgHead this service takes (Henvisning 2.0).
MSGHEAD_TYPES = frozenset({"HENVISNING_NYTILSTAND", "HENVISNING_VIDERE"})
# ... and Dialogmelding 1.1 in clinical dialogue: the GP's answer to the team's question.
DIALOG_TYPES = frozenset({"DIALOG_HELSEFAGLIG"})
# Attachments accepted (MIME types of RefDoc with a Base64Container).
# Attachments kept (MIME type of a RefDoc with a Base64Container): PDF, as the case's documents.
ATTACHMENT_TYPES = frozenset({"application/pdf"})
MAX_TEXT = 10_000


@dataclass
class Attachment:
    description: str
    mime_type: str
    content: bytes | None  # None: the part could not be read
    problem: str = ""


@dataclass
class ReceivedReferral:
    """One received Henvisning, read. Strings are stripped; empty when absent."""

    root: str  # the root element's Clark name, a key of ROOTS
    standard: str  # "Henvisning 2.0", "Henvisning 1.1", "Henvisning 1.0"
    msg_type: str  # MsgInfo/Type or Message/Type, e.g. HENVISNING_NYTILSTAND
    msg_id: str
    issued: str  # GenDate as written (xs:dateTime)
    serv_type: str  # N new, M change, C cancel
    document_id: str  # Henvisning/DocumentId (2.0) or ServReq/Id (1.x)
    references: list[str]  # ConversationRef parent and conversation (2.0)
    sender_her_id: str
    sender_name: str
    sender_person_her_id: str
    sender_person_name: str
    sender_address: str
    receiver_her_ids: list[str]
    receiver_name: str
    patient_id: str
    patient_id_type: str
    patient_name: str
    patient_address: str
    patient_phone: str
    gp_hpr: str
    gp_name: str
    gp_phone: str
    description: str
    question: str
    history: str
    medication: str
    diagnoses: list[tuple[str, str]]
    urgent: bool
    priority_text: str
    comment: str
    attachments: list[Attachment] = field(default_factory=list)


def _text(element: etree._Element | None) -> str:
    if element is None:
        return ""
    return " ".join((element.text or "").split()) if element.text else ""


def _block(element: etree._Element | None) -> str:
    """Free text keeping its lines (trailing blanks and tabs removed), at most MAX_TEXT."""
    if element is None or not element.text:
        return ""
    lines = [" ".join(line.split()) for line in element.text.strip().splitlines()]
    return "\n".join(lines).strip()[:MAX_TEXT]


def _attr(parent: etree._Element | None, path: str, ns: dict[str, str], name: str = "V") -> str:
    """An attribute of the element at ``path`` under ``parent`` ("" when either is absent)."""
    element = parent.find(path, ns) if parent is not None else None
    return (element.get(name) or "").strip() if element is not None else ""


def _v(element: etree._Element | None) -> str:
    return (element.get("V") or "").strip() if element is not None else ""


def _dn(element: etree._Element | None) -> str:
    return (element.get("DN") or "").strip() if element is not None else ""


def _phone(tele_address: str) -> str:
    value = tele_address.removeprefix("tel:").strip()
    return value if any(char.isdigit() for char in value) else ""


def _address(parent: etree._Element | None, prefix: str, ns: dict[str, str]) -> str:
    if parent is None:
        return ""
    street = _text(parent.find(f"{prefix}StreetAdr", ns))
    code = _text(parent.find(f"{prefix}PostalCode", ns))
    city = _text(parent.find(f"{prefix}City", ns))
    place = " ".join(part for part in (code, city) if part)
    return ", ".join(part for part in (street, place) if part)


def _headed_texts(parent: etree._Element, prefix: str, ns: dict[str, str]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for reason in parent.findall(f"{prefix}ReasonAsText", ns):
        heading = _v(reason.find(f"{prefix}Heading", ns))
        text = _block(reason.find(f"{prefix}TextResultValue", ns))
        if text:
            texts[heading] = f"{texts[heading]}\n\n{text}" if heading in texts else text
    return texts


def _items(parent: etree._Element, prefix: str, ns: dict[str, str]) -> dict[str, list[str]]:
    items: dict[str, list[str]] = {}
    for item in parent.findall(f"{prefix}InfItem", ns):
        kind = _v(item.find(f"{prefix}Type", ns))
        text = _block(item.find(f"{prefix}Observation/{prefix}Description", ns))
        if text:
            items.setdefault(kind, []).append(text)
    return items


def _history(texts: dict[str, str], items: dict[str, list[str]]) -> str:
    parts = [*items.get("ANAM", []), texts.get("FA", ""), *items.get("FUNN", [])]
    parts += [f"Cave: {text}" for text in items.get("CAVE", [])]
    return "\n\n".join(part for part in parts if part)[:MAX_TEXT]


def _description(texts: dict[str, str]) -> str:
    if texts.get("PROB"):
        return texts["PROB"]
    return "\n\n".join(text for heading, text in texts.items() if heading not in {"UTRED", "FA"})


def _attachments(root: etree._Element, ns: dict[str, str]) -> list[Attachment]:
    """Attachments (RefDoc with a Base64Container); an undecodable one is kept as unusable."""
    found = []
    for ref_doc in root.iterfind(".//mh:RefDoc", ns):
        container = ref_doc.find(f"mh:Content/{{{NS_BASE64}}}Base64Container", ns)
        if container is None:
            continue
        description = _text(ref_doc.find("mh:Description", ns)) or "Vedlegg"
        mime_type = _text(ref_doc.find("mh:MimeType", ns)).lower()
        raw = "".join((container.text or "").split())
        try:
            content = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            found.append(Attachment(description, mime_type, None, "kunne ikke dekodes (base64)"))
            continue
        if not content:
            found.append(Attachment(description, mime_type, None, "er tomt"))
        elif mime_type not in ATTACHMENT_TYPES:
            found.append(Attachment(description, mime_type, None, f"har typen {mime_type!r}"))
        elif mime_type == "application/pdf" and not content.startswith(b"%PDF"):
            found.append(Attachment(description, mime_type, None, "er ikke en PDF"))
        else:
            found.append(Attachment(description, mime_type, content))
    return found


def msg_id_of(root: etree._Element) -> str:
    """The message id wherever the root kind keeps it ("" when absent)."""
    for path in (f"{{{NS_MSGHEAD}}}MsgInfo/{{{NS_MSGHEAD}}}MsgId", "{*}MsgId"):
        element = root.find(path)
        if element is not None:
            return (element.text or "").strip()
    return ""


def read(root: etree._Element) -> ReceivedReferral:
    """Read a schema-valid message of a kind in ROOTS."""
    if root.tag == f"{{{NS_MSGHEAD}}}MsgHead":
        return _read_msghead(root)
    return _read_message_1x(root)


def _read_msghead(root: etree._Element) -> ReceivedReferral:
    ns = {"mh": NS_MSGHEAD, "h": NS_HENVISNING_20, "fk": NS_FK1}
    info = root.find("mh:MsgInfo", ns)
    if info is None:  # required by the schema, which the caller has checked
        raise ValueError("MsgHead without MsgInfo")
    henvisning = root.find("mh:Document/mh:RefDoc/mh:Content/h:Henvisning", ns)
    sender = info.find("mh:Sender/mh:Organisation", ns)
    person = sender.find("mh:HealthcareProfessional", ns) if sender is not None else None
    receiver = info.find("mh:Receiver/mh:Organisation", ns)
    patient = info.find("mh:Patient", ns)
    receiver_ids = (
        [_text(ident) for ident in receiver.iterfind(".//mh:Ident/mh:Id", ns)]
        if receiver is not None
        else []
    )
    names = (
        [_text(name) for name in receiver.iterfind(".//mh:OrganisationName", ns)]
        if receiver is not None
        else []
    )
    texts: dict[str, str] = {}
    items: dict[str, list[str]] = {}
    gp_hpr = gp_name = gp_phone = serv_type = document_id = comment = priority = ""
    diagnoses: list[tuple[str, str]] = []
    if henvisning is not None:
        texts = _headed_texts(henvisning, "h:", ns)
        items = _items(henvisning, "h:", ns)
        serv_type = _v(henvisning.find("h:ServType", ns))
        document_id = _text(henvisning.find("h:DocumentId", ns))
        comment = _block(henvisning.find("h:ReqComment", ns))
        priority_element = henvisning.find("h:ReqServ/h:Priority", ns)
        priority = _v(priority_element)
        diagnoses = [
            (_v(concept), _dn(concept))
            for concept in henvisning.iterfind("h:Diagnosis/h:Concept", ns)
        ]
        for professional in henvisning.iterfind(".//fk:Ident/..", ns):
            ident = professional.find("fk:Ident", ns)
            if ident is not None and _v(ident.find("fk:TypeId", ns)) == "HPR":
                gp_hpr = _text(ident.find("fk:Id", ns))
                gp_name = " ".join(
                    part
                    for part in (
                        _text(professional.find("fk:GivenName", ns)),
                        _text(professional.find("fk:FamilyName", ns)),
                    )
                    if part
                )
                gp_phone = _phone(_attr(professional, "fk:TeleCom/fk:TeleAddress", ns))
                break
    patient_ident = patient.find("mh:Ident", ns) if patient is not None else None
    references = [
        _text(info.find(f"mh:ConversationRef/mh:{name}", ns))
        for name in ("RefToParent", "RefToConversation")
    ]
    return ReceivedReferral(
        root=root.tag,
        standard="Henvisning 2.0",
        msg_type=_v(info.find("mh:Type", ns)),
        msg_id=_text(info.find("mh:MsgId", ns)),
        issued=_text(info.find("mh:GenDate", ns)),
        serv_type=serv_type,
        document_id=document_id,
        references=[ref for ref in references if ref],
        sender_her_id=_her_id(sender, "mh:", ns),
        sender_name=_text(sender.find("mh:OrganisationName", ns)) if sender is not None else "",
        sender_person_her_id=_her_id(person, "mh:", ns),
        sender_person_name=_person_name(person, ns),
        sender_address=_address(
            sender.find("mh:Address", ns) if sender is not None else None, "mh:", ns
        ),
        receiver_her_ids=[her for her in receiver_ids if her],
        receiver_name=" / ".join(name for name in names if name),
        patient_id=_text(patient_ident.find("mh:Id", ns)) if patient_ident is not None else "",
        patient_id_type=(
            _v(patient_ident.find("mh:TypeId", ns)) if patient_ident is not None else ""
        ),
        patient_name=_person_name(patient, ns),
        patient_address=_address(
            patient.find("mh:Address", ns) if patient is not None else None, "mh:", ns
        ),
        patient_phone=_phone(_attr(patient, "mh:TeleCom/mh:TeleAddress", ns)),
        gp_hpr=gp_hpr,
        gp_name=gp_name or _person_name(person, ns),
        gp_phone=gp_phone,
        description=_description(texts),
        question=texts.get("UTRED", ""),
        history=_history(texts, items),
        medication="\n".join(items.get("MEDB", []))[:MAX_TEXT],
        diagnoses=diagnoses,
        urgent=priority in {"H", "Ø", "1", "2", "3"},
        priority_text=_dn(priority_element) if henvisning is not None else "",
        comment=comment,
        attachments=_attachments(root, ns),
    )


def _her_id(party: etree._Element | None, prefix: str, ns: dict[str, str]) -> str:
    if party is None:
        return ""
    for ident in party.findall(f"{prefix}Ident", ns):
        if _v(ident.find(f"{prefix}TypeId", ns)) == "HER":
            return _text(ident.find(f"{prefix}Id", ns))
    return ""


def _person_name(person: etree._Element | None, ns: dict[str, str]) -> str:
    if person is None:
        return ""
    parts = [
        _text(person.find(f"mh:{name}", ns)) for name in ("GivenName", "MiddleName", "FamilyName")
    ]
    return " ".join(part for part in parts if part)


def _flip(name: str) -> str:
    """ "Danser, Line" → "Line Danser" (1.x writes family name first)."""
    family, comma, given = name.partition(",")
    return f"{given.strip()} {family.strip()}" if comma else name


def _read_message_1x(root: etree._Element) -> ReceivedReferral:
    namespace = root.tag[1:].split("}")[0]
    ns = {"m": namespace, "mh": namespace}
    standard = "Henvisning 1.1" if namespace == NS_HENVISNING_11 else "Henvisning 1.0"
    request = root.find("m:ServReq", ns)
    if request is None:  # required by the schema, which the caller has checked
        raise ValueError("Message without ServReq")
    patient = request.find("m:Patient", ns)
    texts = _headed_texts(request, "m:", ns)
    items = _items(patient, "m:", ns) if patient is not None else {}
    provider = request.find("m:ServProvider/m:HCP/m:Inst", ns)
    requester = request.find("m:Requester/m:HCP/m:Inst", ns)
    person = requester.find("m:HCPerson", ns) if requester is not None else None
    referring = None
    if patient is not None:
        for relation in patient.findall("m:PatRelHCP", ns):
            if _v(relation.find("m:Relation", ns)) == "HHE":
                referring = relation.find("m:HCP/m:HCProf", ns)
        if referring is None:
            referring = patient.find("m:PatRelHCP/m:HCP/m:HCProf", ns)
    receiver_ids = (
        [_text(ident) for ident in provider.iterfind(".//m:Id", ns)] if provider is not None else []
    )
    priority_element = request.find("m:ReqServ/m:Priority", ns)
    patient_address = patient.find("m:Address", ns) if patient is not None else None
    referring_hcp = referring.getparent() if referring is not None else None
    return ReceivedReferral(
        root=root.tag,
        standard=standard,
        msg_type=_v(root.find("m:Type", ns)),
        msg_id=_text(root.find("m:MsgId", ns)),
        issued=_attr(root, "m:GenDate", ns),
        serv_type=_v(request.find("m:ServType", ns)),
        document_id=_text(request.find("m:Id", ns)),
        references=[],
        sender_her_id=_text(requester.find("m:Id", ns)) if requester is not None else "",
        sender_name=_text(requester.find("m:Name", ns)) if requester is not None else "",
        sender_person_her_id=_text(person.find("m:Id", ns)) if person is not None else "",
        sender_person_name=_text(person.find("m:Name", ns)) if person is not None else "",
        sender_address="",
        receiver_her_ids=[her for her in receiver_ids if her],
        receiver_name=" / ".join(
            _text(name) for name in provider.iterfind(".//m:Name", ns) if _text(name)
        )
        if provider is not None
        else "",
        patient_id=_text(patient.find("m:OffId", ns)) if patient is not None else "",
        patient_id_type=_v(patient.find("m:TypeOffId", ns)) if patient is not None else "",
        patient_name=_flip(_text(patient.find("m:Name", ns))) if patient is not None else "",
        patient_address=_address(patient_address, "m:", ns),
        patient_phone=_phone(_attr(patient_address, "m:TeleAddress", ns)),
        gp_hpr=_text(referring.find("m:Id", ns)) if referring is not None else "",
        gp_name=_text(referring.find("m:Name", ns)) if referring is not None else "",
        gp_phone=_phone(_attr(referring_hcp, "m:Address/m:TeleAddress", ns)),
        description=_description(texts),
        question=texts.get("UTRED", ""),
        history=_history(texts, items),
        medication="\n".join(items.get("MEDB", []))[:MAX_TEXT],
        diagnoses=[
            (_v(concept), _dn(concept)) for concept in request.iterfind("m:Diagnosis/m:Concept", ns)
        ],
        urgent=_v(priority_element) in {"H", "Ø", "1", "2", "3"},
        priority_text=_dn(priority_element),
        comment=_block(request.find("m:ReqComment", ns)),
        attachments=[],
    )


@dataclass
class ReceivedDialog:
    """A Dialogmelding 1.1 (``DIALOG_HELSEFAGLIG``) read: the MsgHead's parties and patient in
    ``head`` (a :class:`ReceivedReferral` with no clinical fields, standard
    "Dialogmelding 1.1"), the ``ConversationRef`` and the dialogue's notes."""

    head: ReceivedReferral
    parent: str  # ConversationRef/RefToParent: the MsgId this message answers
    conversation: str  # ConversationRef/RefToConversation: the conversation's first MsgId
    # Each Notat: (TemaKodet V, its code system S, the text); text keeps its lines.
    notes: list[tuple[str, str, str]]
    questions: int  # Foresporsel elements at the top (a question to us, not an answer)
    request_ids: list[str]  # DokIdForesp of the questions a note answers


def _all_text(element: etree._Element | None) -> str:
    """The text of an ``anyType`` element (plain or with XHTML), lines kept, at most MAX_TEXT."""
    if element is None:
        return ""
    raw = "".join(str(part) for part in element.itertext())
    lines = [" ".join(line.split()) for line in raw.strip().splitlines()]
    return "\n".join(lines).strip()[:MAX_TEXT]


def read_dialog(root: etree._Element) -> ReceivedDialog:
    """Read a schema-valid MsgHead carrying Dialogmelding 1.1."""
    ns = {"mh": NS_MSGHEAD, "d": NS_DIALOG_11}
    head = replace(_read_msghead(root), standard="Dialogmelding 1.1")
    dialog = root.find("mh:Document/mh:RefDoc/mh:Content/d:Dialogmelding", ns)
    notes: list[tuple[str, str, str]] = []
    request_ids: list[str] = []
    questions = 0
    if dialog is not None:
        questions = len(dialog.findall("d:Foresporsel", ns))
        for note in dialog.iterfind("d:Notat", ns):
            topic = note.find("d:TemaKodet", ns)
            notes.append(
                (
                    _v(topic),
                    _attr(note, "d:TemaKodet", ns, "S"),
                    _all_text(note.find("d:TekstNotatInnhold", ns)),
                )
            )
            request_ids += [
                _text(ident) for ident in note.iterfind("d:Foresporsel/d:DokIdForesp", ns)
            ]
    return ReceivedDialog(
        head=head,
        parent=_text(root.find("mh:MsgInfo/mh:ConversationRef/mh:RefToParent", ns)),
        conversation=_text(root.find("mh:MsgInfo/mh:ConversationRef/mh:RefToConversation", ns)),
        notes=notes,
        questions=questions,
        request_ids=[ident for ident in request_ids if ident],
    )
