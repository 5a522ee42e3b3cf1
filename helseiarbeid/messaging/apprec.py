"""The application receipt (AppRec 1.1, namespace http://www.kith.no/xmlstds/apprec/2012-02-15)
built with lxml and checked against ``AppRec-v1.1.xsd`` before it is given out.

Status: code system 2.16.578.1.12.4.1.1.8258 (1 OK, 2 rejected, 3 OK with errors in a part);
errors: 2.16.578.1.12.4.1.1.8221 (T01 not well-formed … X99 other).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from helseiarbeid.core.timefmt import to_oslo
from helseiarbeid.messaging.standards import NS_APPREC_11, SchemaError, SchemaSet, validate

STATUS_SYSTEM = "2.16.578.1.12.4.1.1.8258"
ERROR_SYSTEM = "2.16.578.1.12.4.1.1.8221"
STATUS_TEXT = {1: "OK", 2: "Avvist", 3: "OK, feil i delmelding"}
# 8221, the codes this service gives.
ERROR_TEXT = {
    "T01": "Ikke XML / ikke 'well formed' / uleselig",
    "T02": "XML validerer ikke",
    "T10": "Støtter ikke meldingsformatet",
    "E10": "Ugyldig meldingsidentifikator",
    "E21": "Mottaker finnes ikke",
    "E30": "Pasientens fødselsnummer mangler",
    "E31": "Pasientens fødselsnummer er feil",
    "E32": "Pasientens navn mangler",
    "E35": "Pasienten finnes ikke i mottakersystemet",
    "X99": "Annen feil",
}


@dataclass(frozen=True)
class Party:
    name: str
    her_id: str


@dataclass(frozen=True)
class Original:
    """The message answered: its type, when it was issued and its MsgId."""

    msg_type: str
    issued: str  # xs:dateTime as the message wrote it; now when unreadable
    msg_id: str


def build(
    *,
    sender: Party,
    receiver: Party,
    status: int,
    errors: list[tuple[str, str]],
    original: Original,
    now: datetime,
) -> bytes:
    """The AppRec as UTF-8 XML. ``sender`` is this clinic, ``receiver`` the message's sender;
    each error is (8221 code, Norwegian detail, shown as the code's DN when empty)."""
    ns = NS_APPREC_11

    def sub(
        parent: etree._Element, name: str, text: str | None = None, **attrs: str
    ) -> etree._Element:
        element = etree.SubElement(parent, f"{{{ns}}}{name}", {k: v for k, v in attrs.items() if v})
        if text is not None:
            element.text = text
        return element

    def hcp(parent: etree._Element, role: tuple[str, str], party: Party) -> None:
        sub(parent, "Role", V=role[0], DN=role[1])
        inst = sub(sub(parent, "HCP"), "Inst")
        sub(inst, "Name", party.name or "Ukjent")
        sub(inst, "Id", party.her_id or "0")
        sub(inst, "TypeId", V="HER", DN="HER-id")

    root = etree.Element(f"{{{ns}}}AppRec", nsmap={None: ns})  # type: ignore[dict-item]
    sub(root, "MsgType", V="APPREC", DN="Applikasjonskvittering")
    sub(root, "MIGversion", "v1.1 2012-02-15")
    sub(root, "GenDate", to_oslo(now).replace(tzinfo=None, microsecond=0).isoformat())
    sub(root, "Id", str(uuid.uuid4()))
    hcp(sub(root, "Sender"), ("PRIM", "Primærmottaker"), sender)
    hcp(sub(root, "Receiver"), ("AVS", "Avsender"), receiver)
    sub(root, "Status", V=str(status), DN=STATUS_TEXT[status])
    for code, detail in errors:
        sub(
            root,
            "Error",
            V=code,
            DN=ERROR_TEXT.get(code, "Annen feil"),
            S=ERROR_SYSTEM,
            OT=detail[:500],
        )
    original_element = sub(root, "OriginalMsgId")
    sub(
        original_element,
        "MsgType",
        V=original.msg_type or "UKJENT",
        DN=original.msg_type or "Ukjent",
    )
    sub(original_element, "IssueDate", original.issued)
    sub(original_element, "Id", original.msg_id)
    problems = validate(SchemaSet.APPREC_11, root)
    if problems:  # a fault of this code, never of the message answered
        raise SchemaError(f"AppRec is not valid: {problems}")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
