"""The health-messaging standards: safe XML parsing and the schemas, compiled once per process.

Schemas are the e-health directorate's XSDs vendored in ``xsd/`` (see ``xsd/ORIGIN.md``); every
``schemaLocation`` — a relative path or the KITH/W3C web address — is resolved by file name to
that folder, so validation never reaches the network. A schema set is compiled on first use and
kept (``functools.cache``): compiling MsgHead with Henvisning 2.0 takes tens of milliseconds,
validating a message well under one.

Parsing is defused: no DTD, no entity expansion, no network, libxml2's huge-tree limits on. The
outgoing side (Dialogmelding, Epikrise, AppRec) validates through :func:`validate` with its own
:class:`SchemaSet` member before a message is stored in the outbox.
"""

from __future__ import annotations

import enum
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

XSD_DIR = Path(__file__).resolve().parent / "xsd"

NS_MSGHEAD = "http://www.kith.no/xmlstds/msghead/2006-05-24"
NS_HENVISNING_20 = "http://ehelse.no/xmlstds/henvisning/2017-11-30"
NS_HENVISNING_11 = "http://www.kith.no/xmlstds/henvisning/2012-02-15"
NS_HENVISNING_10 = "http://www.kith.no/xmlstds/henvisning/2005-07-08"
NS_APPREC_11 = "http://www.kith.no/xmlstds/apprec/2012-02-15"
NS_BASE64 = "http://www.kith.no/xmlstds/base64container"
NS_DIALOG_11 = "http://www.kith.no/xmlstds/dialog/2013-01-23"
NS_EPIKRISE_12 = "http://www.kith.no/xmlstds/epikrise/2012-02-15"
NS_FK1 = "http://www.kith.no/xmlstds/felleskomponent1"


class SchemaSet(enum.Enum):
    """A root element's schema and the schemas its ``xs:any processContents="strict"`` needs.

    Value: ((namespace, file name), ...) imported into one wrapper schema.
    """

    # MsgHead 1.2 carrying Henvisning 2.0, Dialogmelding 1.1 or Epikrise 1.2, and attachments.
    MSGHEAD = (
        (NS_MSGHEAD, "MsgHead-v1_2.xsd"),
        (NS_HENVISNING_20, "Henvisning-v2.0.xsd"),
        (NS_DIALOG_11, "dialogmelding-v1.1.xsd"),
        (NS_EPIKRISE_12, "Epikrise-v1.2.xsd"),
        (NS_BASE64, "kith-base64.xsd"),
    )
    HENVISNING_11 = ((NS_HENVISNING_11, "Henvisning-v1.1.xsd"), (NS_BASE64, "kith-base64.xsd"))
    HENVISNING_10 = ((NS_HENVISNING_10, "Henvisning-v1.0.xsd"), (NS_BASE64, "kith-base64.xsd"))
    APPREC_11 = ((NS_APPREC_11, "AppRec-v1.1.xsd"),)


class _ByFileName(etree.Resolver):
    """Every schemaLocation, local or a web address, resolved by its file name in ``xsd/``."""

    def resolve(  # type: ignore[override]  # lxml passes a context the stubs leave out
        self, system_url: str | None, public_id: str | None, context: object
    ) -> object:
        if not system_url:
            return None
        name = system_url.replace("\\", "/").rsplit("/", 1)[-1]
        local = XSD_DIR / name
        if local.is_file():
            return self.resolve_filename(str(local), context)  # type: ignore[attr-defined]
        raise SchemaError(f"schema {name!r} is not vendored in {XSD_DIR}")


class SchemaError(RuntimeError):
    """A vendored schema is missing or broken: a fault of this service, not of the message."""


def safe_parser() -> etree.XMLParser:
    """A parser for untrusted XML: no DTD or entities, no network, huge-tree limits kept."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


class NotWellFormed(ValueError):
    """Not well-formed XML, or XML with a DTD; ``str(error)`` says where."""


def parse(raw: bytes) -> etree._Element:
    """The root element of an untrusted document. Raises NotWellFormed if it is not
    well-formed or declares a DTD (entity attacks need one)."""
    try:
        root = etree.fromstring(raw, parser=safe_parser())
    except etree.XMLSyntaxError as exc:
        raise NotWellFormed(str(exc)) from exc
    docinfo: Any = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise NotWellFormed("DTD er ikke tillatt")
    return root


@cache
def schema(kind: SchemaSet) -> etree.XMLSchema:
    """The compiled schema set, once per process."""
    xs = "http://www.w3.org/2001/XMLSchema"
    wrapper = etree.Element(f"{{{xs}}}schema", nsmap={"xs": xs})
    for namespace, file_name in kind.value:
        etree.SubElement(
            wrapper,
            f"{{{xs}}}import",
            namespace=namespace,
            schemaLocation=str(XSD_DIR / file_name),
        )
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_ByFileName())
    document = etree.fromstring(
        etree.tostring(wrapper), parser=parser, base_url=str(XSD_DIR / "wrapper.xsd")
    )
    try:
        return etree.XMLSchema(document)
    except etree.XMLSchemaParseError as exc:  # pragma: no cover - the vendored files compile
        raise SchemaError(str(exc)) from exc


def validate(kind: SchemaSet, root: etree._Element) -> list[str]:
    """The schema's complaints about ``root`` (empty when valid), each "line N: message"."""
    checker = schema(kind)
    if checker.validate(root):
        return []
    log: Any = checker.error_log
    return [f"linje {error.line}: {error.message}" for error in log][:10]
