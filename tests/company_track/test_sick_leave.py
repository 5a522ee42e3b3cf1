"""Quarterly sick-leave figures: NAV's percentage and four-quarter rule, masking below 5 people,
the trend, the CSV import, snapshots at anchoring and evaluation, goals filled from them, and
who may see an enterprise's figures."""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from helseiarbeid.company_track import services
from helseiarbeid.company_track.schemas import FigureCategory
from helseiarbeid.company_track.services.sick_leave import Quarter, QuarterFigure, Series
from helseiarbeid.company_track.tables import SickLeaveFigure, SickLeaveSnapshot
from helseiarbeid.core.clock import pinned, today_in_oslo
from helseiarbeid.core.errors import NotFound
from helseiarbeid.core.identifiers import synthetic_org_number
from helseiarbeid.core.users import CurrentUser
from tests.cast import csrf_token, sign_in
from tests.company_track.conftest import Company, working_day_at

HAVNELAGER = synthetic_org_number(11)  # the org number of the fixture's enterprise
HEADER = "kategori;kode;arstall;kvartal;antpers;taptedv;muligedv"

days = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False)
positive_days = st.decimals(min_value=Decimal("0.01"), max_value=10_000_000, places=2)


def reference(lost: Decimal, possible: Decimal) -> Decimal:
    """The straightforward computation: tapte / mulige × 100, one decimal, half up."""
    with localcontext() as context:
        context.prec = 60
        return (lost / possible * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@given(lost=days, possible=positive_days)
def test_the_percentage_is_lost_over_possible_days_with_one_decimal(
    lost: Decimal, possible: Decimal
) -> None:
    assert services.percentage(lost, possible) == reference(lost, possible)


def test_the_percentage_rounds_half_up_like_nav() -> None:
    assert services.percentage(Decimal("1"), Decimal("1")) == Decimal("100.0")
    assert services.percentage(Decimal("8.25"), Decimal("100")) == Decimal("8.3")
    assert services.percentage(Decimal("8.24"), Decimal("100")) == Decimal("8.2")
    assert services.percentage(Decimal("5"), Decimal("0")) is None


def _figure(year: int, number: int, lost: str, possible: str, people: int = 50) -> QuarterFigure:
    return QuarterFigure(Quarter(year, number), people, Decimal(lost), Decimal(possible))


@given(
    st.lists(
        st.tuples(days, positive_days).filter(lambda pair: pair[0] <= pair[1]),
        min_size=4,
        max_size=4,
    )
)
def test_four_quarters_is_the_sum_of_lost_over_the_sum_of_possible(
    quarters: list[tuple[Decimal, Decimal]],
) -> None:
    figures = [
        QuarterFigure(Quarter(2026, 4).back(n), 50, lost, possible)
        for n, (lost, possible) in enumerate(quarters)
    ]
    series = Series(FigureCategory.ENTERPRISE, HAVNELAGER, figures)
    total_lost = sum((lost for lost, _ in quarters), Decimal(0))
    total_possible = sum((possible for _, possible in quarters), Decimal(0))
    four = series.four_quarters
    assert four is not None
    assert four.complete
    assert four.percent == reference(total_lost, total_possible)


def test_four_quarters_is_not_the_mean_of_the_percentages() -> None:
    # A small quarter with a high percentage weighs by its days, not as one of four.
    series = Series(
        FigureCategory.ENTERPRISE,
        HAVNELAGER,
        [
            _figure(2026, 3, "100", "1000"),  # 10 %
            _figure(2026, 2, "10", "1000"),  # 1 %
            _figure(2026, 1, "10", "1000"),  # 1 %
            _figure(2025, 4, "10", "100"),  # 10 %
        ],
    )
    four = series.four_quarters
    assert four is not None
    assert four.percent == Decimal("4.2")  # 130 / 3100, not (10 + 1 + 1 + 10) / 4 = 5.5
    assert four.span == "K4 2025–K3 2026"


def test_the_trend_is_the_latest_quarter_minus_the_same_quarter_a_year_earlier() -> None:
    series = Series(
        FigureCategory.ENTERPRISE,
        HAVNELAGER,
        [
            _figure(2026, 3, "70", "1000"),  # 7.0
            _figure(2026, 2, "90", "1000"),
            _figure(2025, 3, "82", "1000"),  # 8.2
        ],
    )
    assert series.trend == Decimal("-1.2")
    assert series.shown_trend == "−1,2 prosentpoeng"
    no_year_before = Series(FigureCategory.ENTERPRISE, HAVNELAGER, series.figures[:2])
    assert no_year_before.trend is None
    assert no_year_before.shown_trend == "–"


def test_a_figure_from_fewer_than_5_people_is_masked() -> None:
    small = _figure(2026, 3, "12", "80", people=4)
    assert small.masked
    assert small.percent is None
    shown = (small.shown_percent, small.shown_people, small.shown_lost)
    assert shown == ("Skjermet", "<5", "Skjermet")
    five = _figure(2026, 3, "12", "80", people=5)
    assert five.shown_percent == "15,0"
    assert five.shown_people == "5"
    latest = _figure(2026, 3, "70", "1000")
    year_before_masked = Series(
        FigureCategory.ENTERPRISE, HAVNELAGER, [latest, _figure(2025, 3, "8", "100", people=3)]
    )
    # A masked quarter hides the trend, and the four quarters it is part of.
    assert year_before_masked.trend is None
    four = year_before_masked.four_quarters
    assert four is not None
    assert four.shown_percent == "7,0"
    masked_inside = Series(
        FigureCategory.ENTERPRISE, HAVNELAGER, [latest, _figure(2026, 2, "8", "100", people=4)]
    )
    assert masked_inside.four_quarters is not None
    assert masked_inside.four_quarters.shown_percent == "Skjermet"


def _csv(*lines: str) -> str:
    return "\n".join((HEADER, *lines)) + "\n"


async def test_an_import_with_a_bad_line_names_it_and_stores_nothing(company: Company) -> None:
    kari = company.cast["kari"]
    text = _csv(
        f"VIRKSOMHET;{HAVNELAGER};2026;2;85;350,5;4820",
        f"VIRKSOMHET;{HAVNELAGER};2026;5;85;350,5;4820",
        "BRANSJE;Lager;2026;2;41250;abc;3125000",
        f"VIRKSOMHET;{HAVNELAGER};2026;3;85;5000;4820",
        "SEKTOR;;2026;2;10;1;10",
        f"VIRKSOMHET;{synthetic_org_number(99)};2026;2;10;1;10",
        "VIRKSOMHET;123456789;2026;2;10;1;10",
    )
    assert await _refused(kari, text) == [
        "Linje 3: kolonne «kvartal» må være et heltall fra 1 til 4.",
        "Linje 4: kolonne «taptedv» må være et tall, f.eks. 123,5.",
        "Linje 5: kolonne «taptedv»: tapte dagsverk kan ikke være flere enn mulige dagsverk.",
        "Linje 6: kolonne «kode» må fylles ut.",
        f"Linje 7: kolonne «kode»: ingen virksomhet har organisasjonsnummer "
        f"{synthetic_org_number(99)}.",
        "Linje 8: kolonne «kode»: organisasjonsnummeret har feil kontrollsiffer.",
    ]
    assert await SickLeaveFigure.count() == 0

    missing_column = await _refused(kari, "kategori;kode;arstall;kvartal;antpers;taptedv\n")
    assert missing_column == [
        "Linje 1: kolonnene «muligedv» mangler. Første linje må være "
        "kategori;kode;arstall;kvartal;antpers;taptedv;muligedv."
    ]
    duplicate = await _refused(
        kari,
        _csv(f"VIRKSOMHET;{HAVNELAGER};2026;2;85;1;10", f"virksomhet;{HAVNELAGER};2026;2;85;1;10"),
    )
    assert duplicate == ["Linje 3: samme kategori, kode og kvartal som linje 2."]
    assert await SickLeaveFigure.count() == 0


async def test_an_import_refuses_quarters_not_over_and_codes_no_enterprise_has(
    company: Company,
) -> None:
    # Found trying the service: a quarter still running was stored (and counted in «siste
    # fire kvartaler»), and so was an industry no enterprise has (figures nobody would see).
    kari = company.cast["kari"]
    running = Quarter.of(today_in_oslo())
    to_come = running.back(-1)
    over = running.back(1)
    text = _csv(
        f"VIRKSOMHET;{HAVNELAGER};{running.year};{running.number};85;1;10",
        f"BRANSJE;Lager;{to_come.year};{to_come.number};85;1;10",
        f"BRANSJE;Lagre;{over.year};{over.number};85;1;10",
        f"SEKTOR;Statlig;{over.year};{over.number};85;1;10",
        f"SEKTOR;<sektoren slik den står på virksomheten>;{over.year};{over.number};85;1;10",
        f"BRANSJE;Lager;{over.year};{over.number};85;1;10",
    )
    assert await _refused(kari, text) == [
        f"Linje 2: kolonne «kvartal»: {running.label} er ikke over ennå, så det finnes ingen "
        "tall for det.",
        f"Linje 3: kolonne «kvartal»: {to_come.label} er ikke over ennå, så det finnes ingen "
        "tall for det.",
        "Linje 4: kolonne «kode»: ingen virksomhet har bransjen «Lagre».",
        "Linje 5: kolonne «kode»: ingen virksomhet har sektoren «Statlig».",
        "Linje 6: kolonne «kode»: ingen virksomhet har sektoren «<sektoren slik den står på "
        "virksomheten>».",
    ]
    assert await SickLeaveFigure.count() == 0
    # Line 7 alone is fine: the fixture's enterprise is in the industry «Lager».
    assert await services.import_figures(kari, _csv(text.splitlines()[-1])) == 1


async def test_the_import_page_example_cannot_overwrite_an_enterprise(
    client: httpx.AsyncClient, company: Company
) -> None:
    # Found trying the service: importing the page's example rows as they stood overwrote a
    # demo enterprise's quarter (the example used a demo organisation number).
    await sign_in(client, company.cast["kari"])
    page = await client.get("/sykefravaer/import")
    example = html.unescape(page.text.split('<pre class="example">', 1)[1].split("</pre>", 1)[0])
    refused = await client.post(
        "/sykefravaer/import", data={"csv": example, "_csrf_token": await csrf_token(client)}
    )
    assert refused.status_code == 422
    assert "Ingenting ble lagret" in refused.text
    assert "Linje 2: kolonne «kode»: organisasjonsnummeret kan bare inneholde siffer." in (
        html.unescape(refused.text)
    )
    assert await SickLeaveFigure.count() == 0


async def _refused(user: CurrentUser, text: str) -> list[str]:
    with pytest.raises(services.ImportErrors) as refused:
        await services.import_figures(user, text)
    return refused.value.lines


async def test_an_import_stores_and_corrects_quarters(company: Company) -> None:
    kari = company.cast["kari"]
    stored = await services.import_figures(
        kari,
        _csv(
            f"VIRKSOMHET;{HAVNELAGER};2026;2;85;350,5;4820",
            "BRANSJE;Lager;2026;2;41250;180340.2;3125000",
        ),
    )
    assert stored == 2
    comma_separated = (
        "kategori,kode,arstall,kvartal,antpers,taptedv,muligedv\n"
        f"VIRKSOMHET,{HAVNELAGER},2026,2,85,300,4820\n"
    )
    again = await services.import_figures(kari, comma_separated)
    assert again == 1
    figures = await services.enterprise_figures(kari, company.enterprise_id)
    assert figures.enterprise.latest is not None
    assert figures.enterprise.latest.shown_lost == "300"
    assert figures.enterprise.latest.shown_percent == "6,2"
    assert figures.industry is not None
    assert figures.industry.latest is not None
    assert figures.industry.latest.shown_percent == "5,8"


async def test_a_contact_sees_only_their_own_figures(
    client: httpx.AsyncClient, company: Company
) -> None:
    kari = company.cast["kari"]
    other = synthetic_org_number(12)
    await services.import_figures(
        kari,
        _csv(
            f"VIRKSOMHET;{HAVNELAGER};2026;2;85;350,5;4820",
            f"VIRKSOMHET;{HAVNELAGER};2025;2;3;10;150",
            f"VIRKSOMHET;{other};2026;2;40;777;1000",
        ),
    )
    await sign_in(client, company.cast["erik"])
    own = await client.get("/bedrift/sykefravaer")
    assert own.status_code == 200
    assert "7,3" in own.text  # 350.5 / 4820
    assert "<td>&lt;5</td><td>Skjermet</td>" in own.text  # 2nd quarter 2025: 3 people
    assert "77,7" not in own.text
    for path in (
        f"/bedrifter/{company.other_enterprise_id}/sykefravaer",
        f"/bedrifter/{company.enterprise_id}/sykefravaer",
        "/sykefravaer/import",
    ):
        assert (await client.get(path)).status_code == 403, path
    with pytest.raises(NotFound):
        await services.enterprise_figures(company.cast["erik"], company.other_enterprise_id)
    others_programme = (
        await company.post("kari", f"/enterprises/{company.other_enterprise_id}/programmes")
    ).json()["id"]
    assert (await client.get(f"/program/{others_programme}/evalueringsrapport")).status_code == 404
    # Figures of days for a whole enterprise: nothing in them names or points at a person.
    for table in (SickLeaveFigure, SickLeaveSnapshot):
        fields = {column._meta.name for column in table._meta.columns}
        assert not fields & {"patient", "national_id", "name", "person", "referral"}


async def test_the_coordinator_types_a_quarter_with_norwegian_errors(
    client: httpx.AsyncClient, company: Company
) -> None:
    await sign_in(client, company.cast["kari"])
    token = await csrf_token(client)
    path = f"/bedrifter/{company.enterprise_id}/sykefravaer"
    form = {
        "category": "VIRKSOMHET",
        "year": "2026",
        "quarter": "3",
        "people": "85",
        "lost_days": "12,345",
        "possible_days": "0",
        "_csrf_token": token,
    }
    refused = await client.post(path, data=form)
    assert refused.status_code == 422
    assert "Tapte dagsverk kan ha høyst to desimaler." in refused.text
    assert await SickLeaveFigure.count() == 0
    saved = await client.post(path, data={**form, "lost_days": "350,5", "possible_days": "4820"})
    assert saved.status_code == 303
    page = await client.get(saved.headers["location"])
    assert "7,3 %" in page.text
    no_sector = await client.post(
        path, data={**form, "category": "SEKTOR", "lost_days": "1", "possible_days": "10"}
    )
    assert no_sector.status_code == 422
    assert "Virksomheten har ingen sektor." in no_sector.text
    running = Quarter.of(today_in_oslo())
    not_over = await client.post(
        path,
        data={
            **form,
            "year": str(running.year),
            "quarter": str(running.number),
            "lost_days": "1",
            "possible_days": "10",
        },
    )
    assert not_over.status_code == 422
    assert f"{running.label} er ikke over ennå" in not_over.text
    assert await SickLeaveFigure.count() == 1


async def _book_meetings(company: Company, programme_id: int) -> tuple[datetime, datetime]:
    """Anchoring, the three modules and the evaluation, booked; returns when the meetings are."""
    anchoring_at = working_day_at(10, 9)
    assert (await company.book(programme_id, "anchoring", anchoring_at)).status_code == 201
    for number in (1, 2, 3):
        when = working_day_at(10 + 10 * number, 9)
        booked = await company.book(programme_id, f"module_{number}", when)
        assert booked.status_code == 201, booked.text
    evaluation_at = working_day_at(54, 10)
    booked = await company.book(programme_id, "evaluation", evaluation_at)
    assert booked.status_code == 201, booked.text
    return anchoring_at, evaluation_at


async def test_snapshots_fix_before_and_after_and_fill_the_goal(company: Company) -> None:
    kari = company.cast["kari"]
    await services.import_figures(
        kari,
        _csv(
            *(
                f"VIRKSOMHET;{HAVNELAGER};{year};{quarter};85;{lost};1000"
                for year, quarter, lost in (
                    (2025, 3, 80),
                    (2025, 4, 84),
                    (2026, 1, 82),
                    (2026, 2, 82),
                )
            )
        ),
    )
    programme_id = await company.programme()
    anchoring_at, evaluation_at = await _book_meetings(company, programme_id)
    with pinned(anchoring_at + timedelta(hours=2)):
        recorded = await company.post(
            "kari", f"/programmes/{programme_id}/anchoring", {"participants": "Leder, verneombud"}
        )
        assert recorded.status_code == 200, recorded.text
        goal = await company.post(
            "kari",
            f"/programmes/{programme_id}/goals",
            {
                "description": "Ned med sykefraværet",
                "indicator": "Sykefravær siste fire kvartaler",
                "target": 7.5,
                "measure": "sick_leave_four_quarters",
                "due_year": 2027,
                "due_quarter": 4,
            },
        )
        assert goal.status_code == 201, goal.text
        assert goal.json()["baseline"] == 8.2  # (80 + 84 + 82 + 82) / 4000, from the snapshot
        assert goal.json()["unit"] == "%"
        assert goal.json()["due"] == "4. kvartal 2027"
        typed = await company.post(
            "kari",
            f"/programmes/{programme_id}/goals",
            {"description": "Trivsel", "indicator": "Trivsel", "target": 5},
        )
        assert typed.status_code == 422
        assert typed.json()["errors"]["baseline"] == "Oppgi utgangspunktet."

    # A correction of a quarter already snapshotted, and two new quarters (the last one over
    # by the evaluation).
    with pinned(evaluation_at + timedelta(hours=2)):
        await services.import_figures(
            kari,
            _csv(
                f"VIRKSOMHET;{HAVNELAGER};2026;2;85;90;1000",
                f"VIRKSOMHET;{HAVNELAGER};2026;3;85;70;1000",
                f"VIRKSOMHET;{HAVNELAGER};2026;4;85;68;1000",
            ),
        )
        evaluated = await company.post(
            "kari",
            f"/programmes/{programme_id}/evaluation",
            {"assessment": "Godt gjennomført.", "further_plans": "Ny runde."},
        )
        assert evaluated.status_code == 200, evaluated.text
    measured = evaluated.json()["goals"][0]
    assert measured["measured"] == 7.8  # (82 + 90 + 70 + 68) / 4000
    assert measured["met"] is False

    # Later corrections change neither snapshot.
    with pinned(evaluation_at + timedelta(days=1)):
        await services.import_figures(kari, _csv(f"VIRKSOMHET;{HAVNELAGER};2026;4;85;10;1000"))
    report = await services.evaluation_report(kari, programme_id)
    assert report.before is not None
    assert report.after is not None
    before, after = report.before.figures.enterprise, report.after.figures.enterprise
    assert before.four_quarters is not None
    assert after.four_quarters is not None
    assert before.four_quarters.shown_percent == "8,2"
    assert after.four_quarters.shown_percent == "7,8"
    assert after.shown_trend == "−1,6 prosentpoeng"  # 6.8 − 8.4 (4th quarter 2025)
    assert [bar.shown for bar in report.figures_chart.bars] == ["8,2", "7,8"]


async def test_a_goal_on_masked_figures_needs_a_typed_value(company: Company) -> None:
    kari = company.cast["kari"]
    await services.import_figures(kari, _csv(f"VIRKSOMHET;{HAVNELAGER};2026;2;4;8;100"))
    programme_id = await company.programme()
    anchoring_at, evaluation_at = await _book_meetings(company, programme_id)
    with pinned(anchoring_at + timedelta(hours=2)):
        await company.post("kari", f"/programmes/{programme_id}/anchoring", {"participants": "A"})
        no_baseline = await company.post(
            "kari",
            f"/programmes/{programme_id}/goals",
            {
                "description": "Ned",
                "indicator": "Sykefravær",
                "target": 6,
                "measure": "sick_leave_quarter",
            },
        )
        assert no_baseline.status_code == 422
        assert "mangler eller er skjermet" in no_baseline.json()["errors"]["baseline"]
        goal = await company.post(
            "kari",
            f"/programmes/{programme_id}/goals",
            {
                "description": "Ned",
                "indicator": "Sykefravær",
                "baseline": 8,
                "target": 6,
                "measure": "sick_leave_quarter",
            },
        )
        assert goal.status_code == 201
    with pinned(evaluation_at + timedelta(hours=2)):
        refused = await company.post(
            "kari", f"/programmes/{programme_id}/evaluation", {"assessment": "Greit."}
        )
        assert refused.status_code == 422
        assert "«Sykefravær» mangler eller er skjermet" in refused.json()["errors"]["measured"]
        accepted = await company.post(
            "kari",
            f"/programmes/{programme_id}/evaluation",
            {"assessment": "Greit.", "measured": {str(goal.json()["id"]): 5.5}},
        )
        assert accepted.status_code == 200
    assert accepted.json()["goals"][0]["measured"] == 5.5


async def test_the_plan_shows_each_part_with_its_status_and_the_parts_held(
    company: Company,
) -> None:
    programme_id = await company.programme()
    anchoring_at = working_day_at(10, 9)
    assert (await company.book(programme_id, "anchoring", anchoring_at)).status_code == 201
    module_at = working_day_at(20, 9)
    assert (await company.book(programme_id, "module_1", module_at)).status_code == 201
    night = module_at.replace(hour=13)
    assert (await company.book(programme_id, "module_1", night)).status_code == 201
    kari = company.cast["kari"]

    def statuses(parts: list[services.PlanPart]) -> list[str]:
        return [part.status.value for part in parts]

    programme = await services.get_programme(kari, programme_id)
    assert (
        statuses(services.plan_parts(programme, anchoring_at - timedelta(days=1)))
        == ["planlagt"] * 5
    )
    between = module_at + timedelta(hours=2)
    assert statuses(services.plan_parts(programme, between)) == [
        "fullført",
        "pågår",
        "planlagt",
        "planlagt",
        "planlagt",
    ]
    with pinned(between):
        held = await services.held_parts(kari, programme_id)
    assert [part.kind.value for part in held] == ["anchoring", "module_1"]
    assert len(held[1].live) == 2
    cancelled = await company.post(
        "kari", f"/programmes/{programme_id}/cancel", {"reason": "Omorganisering."}
    )
    assert cancelled.status_code == 200
    programme = await services.get_programme(kari, programme_id)
    # Cancelling the programme cancels every sitting not yet held; none is left to come.
    assert statuses(services.plan_parts(programme, between)) == ["avbrutt"] * 5


async def test_a_goal_is_met_by_its_direction_not_by_target_against_baseline(
    company: Company,
) -> None:
    # Found trying the service: a goal to keep sick leave at or below 7.5 % from 6.8 % was
    # shown as «Ikke nådd» at 6.5 %: the direction was guessed from target < baseline.
    kari = company.cast["kari"]
    await services.import_figures(
        kari,
        _csv(
            *(
                f"VIRKSOMHET;{HAVNELAGER};{year};{quarter};85;68;1000"
                for year, quarter in ((2025, 3), (2025, 4), (2026, 1), (2026, 2))
            )
        ),
    )
    programme_id = await company.programme()
    anchoring_at, evaluation_at = await _book_meetings(company, programme_id)
    path = f"/programmes/{programme_id}/goals"
    with pinned(anchoring_at + timedelta(hours=2)):
        await company.post("kari", f"/programmes/{programme_id}/anchoring", {"participants": "A"})
        sick_leave = await company.post(
            "kari",
            path,
            {
                "description": "Holde sykefraværet under 7,5 %",
                "indicator": "Sykefravær",
                "target": 7.5,
                "measure": "sick_leave_quarter",
            },
        )
        assert sick_leave.status_code == 201, sick_leave.text
        assert sick_leave.json()["baseline"] == 6.8
        assert sick_leave.json()["direction"] == "ned"
        raise_it = {"description": "Flere på kurs", "indicator": "Andel", "unit": "%"}
        up = await company.post("kari", path, {**raise_it, "baseline": 40, "target": 60})
        assert up.json()["direction"] == "opp"
        down = await company.post("kari", path, {**raise_it, "baseline": 60, "target": 40})
        assert down.json()["direction"] == "ned"
        hold = {**raise_it, "baseline": 50, "target": 50}
        unclear = await company.post("kari", path, hold)
        assert unclear.status_code == 422
        assert "velg om målet er å redusere eller å øke" in unclear.json()["errors"]["direction"]
        held = await company.post("kari", path, {**hold, "direction": "opp"})
        assert held.status_code == 201, held.text
    with pinned(evaluation_at + timedelta(hours=2)):
        await services.import_figures(kari, _csv(f"VIRKSOMHET;{HAVNELAGER};2026;3;85;65;1000"))
        evaluated = await company.post(
            "kari",
            f"/programmes/{programme_id}/evaluation",
            {
                "assessment": "Godt.",
                "measured": {
                    str(up.json()["id"]): 60,
                    str(down.json()["id"]): 40.5,
                    str(held.json()["id"]): 50,
                },
            },
        )
        assert evaluated.status_code == 200, evaluated.text
    met = {goal["id"]: (goal["measured"], goal["met"]) for goal in evaluated.json()["goals"]}
    assert met == {
        sick_leave.json()["id"]: (6.5, True),  # 6.5 <= 7.5: lower is better
        up.json()["id"]: (60, True),  # 60 >= 60
        down.json()["id"]: (40.5, False),  # 40.5 > 40
        held.json()["id"]: (50, True),  # held at 50, not below
    }
    report = await services.evaluation_report(kari, programme_id)
    assert [goal.direction.bound for goal in report.programme.goals] == [
        "høyst",
        "minst",
        "høyst",
        "minst",
    ]
