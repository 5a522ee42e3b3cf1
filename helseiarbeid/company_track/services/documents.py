"""The programme's documents as PDF files: the programme plan (once the anchoring meeting is
confirmed) with its parts' dates and status, and the evaluation report (after the evaluation),
rendered from what is booked and recorded now — the report from the same template part and
charts as its page.
"""

from __future__ import annotations

from helseiarbeid.company_track.schemas import SessionKind, SessionState
from helseiarbeid.company_track.services.enterprises import get_enterprise
from helseiarbeid.company_track.services.evaluation import evaluation_report, plan_parts
from helseiarbeid.company_track.services.programmes import _programme_row, _sessions, get_programme
from helseiarbeid.core.clock import today_in_oslo
from helseiarbeid.core.errors import NotFound
from helseiarbeid.core.pdf import render_pdf
from helseiarbeid.core.users import CurrentUser


async def programme_document(user: CurrentUser, programme_id: int, kind: str) -> bytes:
    """The programme plan (once the anchoring meeting is confirmed) or the evaluation report
    (after evaluation), rendered from what is booked and recorded now."""
    row = await _programme_row(user, programme_id)
    if kind == "evaluation":
        report = await evaluation_report(user, programme_id)
        return await render_pdf(
            "company_track/evaluation_pdf.html", {"report": report, "today": today_in_oslo()}
        )
    if not any(
        s["kind"] == SessionKind.ANCHORING.value and s["state"] == SessionState.CONFIRMED.value
        for s in await _sessions(programme_id)
    ):
        raise NotFound("Programplanen lages når forankringsmøtet er bekreftet.")
    programme = await get_programme(user, programme_id)
    enterprise = await get_enterprise(user, row["enterprise"])
    return await render_pdf(
        "company_track/plan_pdf.html",
        {
            "programme": programme,
            "enterprise": enterprise,
            "parts": plan_parts(programme),
            "sessions": [s for s in programme.sessions if s.state is not SessionState.CANCELLED],
            "today": today_in_oslo(),
        },
    )
