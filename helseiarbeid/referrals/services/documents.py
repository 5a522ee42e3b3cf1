"""Letters and reports sent to the GP (referral_document): kept as sent, listed by referral, opened
by those who may read the referral, and cancelled. Every read and write is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from helseiarbeid.core import audit
from helseiarbeid.core.audit import Actor, AuditAction
from helseiarbeid.core.clock import utcnow
from helseiarbeid.core.errors import NotFound
from helseiarbeid.core.users import CurrentUser
from helseiarbeid.referrals.services.reading import _load
from helseiarbeid.referrals.services.status_changes import patient_of
from helseiarbeid.referrals.tables import ReferralDocument


async def store_document(
    actor: Actor, referral_id: int, *, kind: str, title: str, content: bytes
) -> int:
    """Keep a generated letter or report as sent. Runs inside the caller's transaction."""
    rows = await ReferralDocument.insert(
        ReferralDocument(
            referral=referral_id,
            kind=kind,
            title=title,
            content=content,
            created_by=actor.user_id,
            created_at=utcnow(),
        )
    )
    await audit.record(
        actor,
        AuditAction.CREATE,
        "referral_document",
        rows[0]["id"],
        purpose=f"{title} laget",
        patient_id=await patient_of(referral_id),
        referral_id=referral_id,
    )
    return int(rows[0]["id"])


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    referral_id: int
    kind: str
    title: str
    created_at: datetime
    cancelled_at: datetime | None = None

    @property
    def file_name(self) -> str:
        """The name a browser saves the PDF under, in Norwegian: "innkalling-12.pdf"."""
        return f"{DOCUMENT_FILE_NAMES.get(self.kind, 'dokument')}-{self.id}.pdf"


async def cancel_document(actor: Actor, referral_id: int, document_id: int) -> None:
    """Mark a sent letter as no longer holding (the appointment letter of a cancelled time);
    the PDF stays as it was sent. Runs inside the caller's transaction."""
    await ReferralDocument.update({ReferralDocument.cancelled_at: utcnow()}).where(
        (ReferralDocument.id == document_id) & (ReferralDocument.referral == referral_id)
    )
    await audit.record(
        actor,
        AuditAction.UPDATE,
        "referral_document",
        document_id,
        purpose="brev markert som avlyst",
        patient_id=await patient_of(referral_id),
        referral_id=referral_id,
    )


# Stored letters and reports by kind (referral_document.kind), as their PDF files are named.
DOCUMENT_FILE_NAMES = {
    "attachment": "vedlegg-fra-fastlege",
    "report": "rapport-til-fastlege",
    "appointment_letter": "innkalling",
    "onward_referral": "henvisning-videre",
    "cancellation_letter": "avlysning",
}


async def list_documents(referral_ids: list[int]) -> list[DocumentInfo]:
    """Documents of referrals the caller has already been allowed to see (no content)."""
    if not referral_ids:
        return []
    rows = await (
        ReferralDocument.select(
            ReferralDocument.id,
            ReferralDocument.referral,
            ReferralDocument.kind,
            ReferralDocument.title,
            ReferralDocument.created_at,
            ReferralDocument.cancelled_at,
        )
        .where(ReferralDocument.referral.is_in(referral_ids))
        .order_by(ReferralDocument.id)
    )
    return [
        DocumentInfo(
            id=row["id"],
            referral_id=row["referral"],
            kind=row["kind"],
            title=row["title"],
            created_at=row["created_at"],
            cancelled_at=row["cancelled_at"],
        )
        for row in rows
    ]


async def open_document(
    user: CurrentUser,
    actor: Actor,
    referral_id: int,
    *,
    document_id: int | None = None,
    kind: str | None = None,
) -> tuple[DocumentInfo, bytes]:
    """The stored PDF, by id or the newest of a kind, if the user may see the referral."""
    loaded = await _load(user, actor, referral_id)
    query = ReferralDocument.select().where(ReferralDocument.referral == referral_id)
    if document_id is not None:
        query = query.where(ReferralDocument.id == document_id)
    if kind is not None:
        query = query.where(ReferralDocument.kind == kind)
    row = await query.order_by(ReferralDocument.id, ascending=False).first()
    if row is None:
        raise NotFound("Dokumentet finnes ikke.")
    await audit.record(
        actor,
        AuditAction.READ,
        "referral_document",
        row["id"],
        purpose=loaded["access_purpose"] + f" ({row['title']})",
        patient_id=await patient_of(referral_id),
        referral_id=referral_id,
    )
    info = DocumentInfo(
        id=row["id"],
        referral_id=referral_id,
        kind=row["kind"],
        title=row["title"],
        created_at=row["created_at"],
        cancelled_at=row["cancelled_at"],
    )
    return info, bytes(row["content"])
