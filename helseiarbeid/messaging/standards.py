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
import logging
import re
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

log = logging.getLogger("helseiarbeid.messaging")

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
        # libxml2's text is English and may quote the document: the log keeps it, the
        # answer says where in Norwegian.
        log.info("not well-formed XML: %s", exc)
        line, column = exc.position if exc.position else (exc.lineno or 0, 0)
        where = f" (linje {line}, kolonne {column})" if line else ""
        raise NotWellFormed(f"Meldingen er ikke velformet XML{where}.") from exc
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
    """The schema's complaints about ``root`` (empty when valid), each «linje N: …» in
    Norwegian (``schema_problem``), naming elements and attributes but never quoting a value."""
    checker = schema(kind)
    if checker.validate(root):
        return []
    errors: Any = checker.error_log
    return [f"linje {error.line}: {schema_problem(error.message)}" for error in errors][:10]


_ELEMENT = re.compile(r"Element '(?:\{[^}]*\})?([^']+)'(?:, attribute '([^']+)')?")
_EXPECTED = re.compile(r"Expected is(?: one of)? \( ([^)]*) \)")


def _names(text: str) -> str:
    names = [re.sub(r"^\{[^}]*\}", "", name.strip()) for name in text.split(",")]
    return ", ".join(f"«{name}»" for name in names if name)


def schema_problem(message: str) -> str:
    """libxml2's English complaint about a schema-invalid element, said in Norwegian without
    the value it quotes (which may be health data): which element or attribute, and what kind
    of problem."""
    found = _ELEMENT.match(message)
    element = f"elementet «{found.group(1)}»" if found else "et element"
    attribute = found.group(2) if found else None
    expected = _EXPECTED.search(message)
    wanted = f" (ventet: {_names(expected.group(1))})" if expected else ""
    if "This element is not expected" in message:
        return f"{element} er ikke ventet her{wanted}."
    if "Missing child element" in message:
        return f"{element} mangler et underelement{wanted}."
    if "is required but missing" in message:
        missing = re.search(r"The attribute '([^']+)'", message)
        name = missing.group(1) if missing else "?"
        return f"{element} mangler attributtet «{name}»."
    if "is not allowed" in message and attribute:
        return f"attributtet «{attribute}» er ikke tillatt på {element}."
    if "No matching global declaration" in message:
        return f"{element} er ikke rotelementet i skjemaet."
    if attribute:
        return f"attributtet «{attribute}» på {element} har en ugyldig verdi."
    if "not a valid value" in message or "facet" in message or "is not accepted" in message:
        return f"{element} har en ugyldig verdi."
    return f"{element} følger ikke skjemaet."
