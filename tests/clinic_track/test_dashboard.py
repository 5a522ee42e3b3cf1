"""Dashboard figures checked against data seeded with known times."""

from __future__ import annotations

import codecs
import csv
import io
import statistics
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import httpx
import msgspec
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from helseiarbeid.clinic_track import services as clinic
from helseiarbeid.clinic_track.dashboard import stats_from_counts
from helseiarbeid.clinic_track.schemas import AssessmentCreate, Decision
from helseiarbeid.core.audit import Actor
from helseiarbeid.core.clock import OSLO, pinned, today_in_oslo
from helseiarbeid.core.tables import AuditEvent
from helseiarbeid.core.working_days import add_working_days
from helseiarbeid.referrals import services as referrals
from helseiarbeid.referrals.schemas import ReferralCreate
from tests.cast import Cast, bearer, sign_in
from tests.clinic_track.conftest import Pathway
from tests.referrals.factories import PATIENT_ID, referral_body


def test_median_and_p90() -> None:
    stats = stats_from_counts(Counter([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))
    assert stats.count == 10
    assert stats.median == 5.5
    assert stats.p90 == 9.1
    assert stats_from_counts(Counter([])).median is None
    assert stats_from_counts(Counter([4])).p90 == 4.0


async def _referral_assessed_after(
    cast: Cast, received: date, working_days: int, complaint: str
) -> int:
    data = msgspec.convert(
        referral_body(complaint=complaint, sick_leave_since="2025-01-06"), ReferralCreate
    )
    at = datetime.combine(received, datetime.min.time(), tzinfo=OSLO).replace(hour=9)
    with pinned(at):
        submission = await referrals.submit(cast["gp_anne"], data, key=None, source="api")
    assessed_day = add_working_days(received, working_days)
    assessed_at = datetime.combine(assessed_day, datetime.min.time(), tzinfo=OSLO).replace(hour=12)
    frida = cast["frida"]
    with pinned(assessed_at):
        await clinic.assess(
            frida,
            Actor(user_id=frida.id, role="physician"),
            submission.receipt.id,
            AssessmentCreate(decision=Decision.RETURNED, reason="Passer bedre hos fastlegen."),
        )
    return submission.receipt.id


async def test_dashboard_figures_match_the_seeded_referrals(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    today = today_in_oslo()
    # Five referrals received 20 days ago, assessed after 2, 4, 6, 8 and 10 working days.
    start = today - timedelta(days=20)
    for n, complaint in zip(
        (2, 4, 6, 8, 10), ("mental", "mental", "both", "both", "both"), strict=True
    ):
        await _referral_assessed_after(cast, start, n, complaint)
    # One waiting referral received 40 days ago (overdue), and one received today.
    for days in (40, 0):
        data = msgspec.convert(referral_body(sick_leave_since="2025-01-06"), ReferralCreate)
        with pinned(datetime.now(UTC) - timedelta(days=days)):
            await referrals.submit(cast["gp_anne"], data, key=None, source="api")
    response = await client.get("/api/v1/clinic/dashboard", headers=await bearer(cast["kari"]))
    assert response.status_code == 200
    figures = response.json()
    assert figures["counts_by_status"]["returned"] == 5
    assert figures["counts_by_status"]["received"] == 2
    assert figures["counts_by_status"]["completed"] == 0
    assert figures["overdue"] == 1
    assert figures["due_within_3_working_days"] == 0
    thirty = next(p for p in figures["periods"] if p["days"] == 30)
    assert thirty["to_assessment"] == {"count": 5, "median": 6.0, "p90": 9.2}
    assert thirty["to_first_consultation"]["count"] == 0
    months = figures["referrals_per_month"]
    assert len(months) == 12
    assert months[-1]["month"] == today.strftime("%Y-%m")
    total = sum(m["musculoskeletal"] + m["mental"] + m["both"] for m in months)
    assert total == 7
    assert sum(m["mental"] for m in months) == 2
    members = {member["name"] for member in figures["upcoming"]}
    assert members == {"Per Psykolog", "Frida Fysikalsk", "Nils NAV"}


async def test_the_dashboard_page_draws_svg_charts(client: httpx.AsyncClient, cast: Cast) -> None:
    await sign_in(client, cast["kari"])
    page = await client.get("/klinikk/oversikt")
    assert page.status_code == 200
    assert page.text.count("<svg") == 2
    assert 'role="img"' in page.text
    assert "over fristen for vurdering" in page.text


async def six_and_one(cast: Cast) -> None:
    """Six referrals with both complaints ten days ago, returned after 2–7 working days (median
    4.5), and one with mental complaints: a group of one, which must not show."""
    received = today_in_oslo() - timedelta(days=10)
    for working_days in (2, 3, 4, 5, 6, 7):
        await _referral_assessed_after(cast, received, working_days, "both")
    await _referral_assessed_after(cast, received, 3, "mental")


async def test_the_dashboard_charts_hide_counts_below_five_and_say_so(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    """Issue 11, item 8: the charts and their tables may leave the clinic; a group of one
    is neither drawn nor written, and the page states the rule."""
    await six_and_one(cast)
    await sign_in(client, cast["kari"])
    page = await client.get("/klinikk/oversikt")
    assert page.status_code == 200
    html = page.text
    assert "Tall fra 1 til 4 vises som «&lt;5»" in html
    month = (today_in_oslo() - timedelta(days=10)).strftime("%Y-%m")
    row = html[html.index(f'<th scope="row">{month}</th>') :].split("</tr>", 1)[0]
    assert row.endswith("<td>0</td><td>&lt;5</td><td>6</td>")
    assert f"<title>{month}, begge: 6</title>" in html
    assert f"{month}, psykisk" not in html  # a bar of 1 is not drawn
    assert '<th scope="row">Returnert til fastlege</th><td>7</td>' in html
    assert 'href="/api/v1/clinic/statistics.xlsx"' in html


async def test_the_csv_opens_in_columns_in_norwegian_excel(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    """Issue 11, items 7 and 8: BOM, «;», decimal comma, Norwegian headings, and the group of
    one suppressed; the export is in the access log."""
    await six_and_one(cast)
    response = await client.get("/api/v1/clinic/statistics.csv", headers=await bearer(cast["kari"]))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "helseiarbeid-statistikk.csv" in response.headers["content-disposition"]
    body = response.content
    assert body.startswith(codecs.BOM_UTF8)
    text = body.decode("utf-8-sig")
    for secret in (PATIENT_ID, "Lise", "Lyngstad", "Smerter", "Anne", "Bodø"):
        assert secret not in text
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    assert list(rows[0]) == [
        "År",
        "Måned",
        "Plager",
        "Henvisninger",
        "Hastehenvisninger",
        "Akseptert",
        "Returnert",
        "Trukket",
        "Avsluttet",
        "Median virkedager til vurdering",
        "Median virkedager til første konsultasjon",
        "Videre henvisninger",
    ]
    by_complaint = {row["Plager"]: row for row in rows}
    assert len(rows) == 2
    both = by_complaint["Både muskel- og skjelettplager og psykiske plager"]
    assert both["Henvisninger"] == "6"
    assert both["Returnert"] == "6"
    assert both["Median virkedager til vurdering"] == "4,5"
    assert both["Hastehenvisninger"] == "0"
    assert both["Måned"] == str((today_in_oslo() - timedelta(days=10)).month)
    mental = by_complaint["Psykiske plager"]
    assert mental["Henvisninger"] == "<5"
    assert mental["Returnert"] == "<5"
    assert mental["Median virkedager til vurdering"] == ""
    assert "1" not in [mental[key] for key in ("Henvisninger", "Returnert")]

    exports = await AuditEvent.select().where(AuditEvent.action == "export")
    assert [(e["actor"], e["resource_type"], e["resource_id"]) for e in exports] == [
        (cast["kari"].id, "statistics", "csv")
    ]
    assert exports[0]["patient_id"] is None


async def test_the_statistics_also_come_as_an_excel_workbook(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await six_and_one(cast)
    response = await client.get(
        "/api/v1/clinic/statistics.xlsx", headers=await bearer(cast["kari"])
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("År", "Måned", "Plager", "Henvisninger")
    by_complaint = {row[2]: row for row in rows[1:]}
    both = by_complaint["Både muskel- og skjelettplager og psykiske plager"]
    assert both[3] == 6
    assert both[9] == 4.5
    assert by_complaint["Psykiske plager"][3] == "<5"
    assert (
        await AuditEvent.count().where(
            (AuditEvent.action == "export") & (AuditEvent.resource_id == "xlsx")
        )
        == 1
    )


async def test_cancelling_the_first_consultation_makes_the_next_one_count(
    pathway: Pathway, cast: Cast
) -> None:
    assert (await pathway.accept()).status_code == 201
    first_day = add_working_days(today_in_oslo(), 5)
    later_day = add_working_days(today_in_oslo(), 9)
    first = await pathway.book(["per"], datetime.combine(first_day, time(10), tzinfo=OSLO))
    await pathway.book(["per"], datetime.combine(later_day, time(10), tzinfo=OSLO))
    headers = await bearer(cast["kari"])

    async def median_to_first_consultation() -> float | None:
        figures = (await pathway.client.get("/api/v1/clinic/dashboard", headers=headers)).json()
        thirty = next(p for p in figures["periods"] if p["days"] == 30)
        return thirty["to_first_consultation"]["median"]  # type: ignore[no-any-return]

    assert await median_to_first_consultation() == 5.0
    cancel = await pathway.client.post(
        f"/api/v1/referrals/{pathway.id}/consultations/{first.json()['id']}/cancel",
        json={"reason": "Pasienten ba om ny time."},
        headers=headers,
    )
    assert cancel.status_code == 204
    assert await median_to_first_consultation() == 9.0


@given(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=300))
def test_counted_medians_agree_with_the_statistics_module(values: list[int]) -> None:
    stats = stats_from_counts(Counter(values))
    assert stats.count == len(values)
    assert stats.median == statistics.median(values)
    expected_p90 = (
        values[0] if len(values) == 1 else statistics.quantiles(values, n=10, method="inclusive")[8]
    )
    assert stats.p90 == round(expected_p90, 1)
