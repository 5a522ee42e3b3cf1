"""Validation against the directorate's XSDs as published in ``../shared/standards/xsd/``,
not the copy vendored in ``helseiarbeid/messaging/xsd/`` — so a vendored file edited by
mistake cannot make an outgoing message pass (issue 13 §9: "a test per type against the
schemas in ../shared/standards/xsd/")."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest
from lxml import etree

from helseiarbeid.messaging.standards import SchemaSet

_REPO = Path(__file__).resolve().parents[2]


def shared_xsd_dir() -> Path:
    """``../shared/standards/xsd`` beside the checkout (a worktree sits one level deeper)."""
    candidates = [
        Path(os.environ["HELSEIARBEID_STANDARDS_DIR"]) / "xsd"
        if "HELSEIARBEID_STANDARDS_DIR" in os.environ
        else None,
        _REPO.parent / "shared" / "standards" / "xsd",
        _REPO.parent.parent / "shared" / "standards" / "xsd",
    ]
    for candidate in candidates:
        if candidate is not None and (candidate / "MsgHead-v1_2.xsd").is_file():
            return candidate
    pytest.skip("../shared/standards/xsd is not beside this checkout")


class _SharedByFileName(etree.Resolver):
    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def resolve(  # type: ignore[override]
        self, system_url: str | None, public_id: str | None, context: object
    ) -> object:
        if not system_url:
            return None
        name = system_url.replace("\\", "/").rsplit("/", 1)[-1]
        return self.resolve_filename(str(self.folder / name), context)  # type: ignore[attr-defined]


@cache
def _schema(kind: SchemaSet, folder: Path) -> etree.XMLSchema:
    xs = "http://www.w3.org/2001/XMLSchema"
    wrapper = etree.Element(f"{{{xs}}}schema", nsmap={"xs": xs})
    for namespace, file_name in kind.value:
        etree.SubElement(
            wrapper, f"{{{xs}}}import", namespace=namespace, schemaLocation=str(folder / file_name)
        )
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_SharedByFileName(folder))
    document = etree.fromstring(
        etree.tostring(wrapper), parser=parser, base_url=str(folder / "wrapper.xsd")
    )
    return etree.XMLSchema(document)


def shared_problems(kind: SchemaSet, xml: bytes) -> list[str]:
    """The published schemas' complaints about ``xml`` (empty when valid)."""
    checker = _schema(kind, shared_xsd_dir())
    root = etree.fromstring(xml)
    if checker.validate(root):
        return []
    return [f"line {error.line}: {error.message}" for error in checker.error_log]  # type: ignore[attr-defined]
