"""Sick-leave figures per quarter (sykefravær), in NAV's terms and by NAV's rules.

A quarter's figures are *tapte dagsverk* (working days lost to sick leave), *mulige dagsverk*
(working days that could have been worked) and *antall personer*; the percentage is
tapte / mulige × 100 with one decimal, rounded half up (NAV's "source of truth",
``StatistikkUtils.kalkulerSykefraværsprosent`` in navikt/sykefravarsstatistikk-api and
navikt/lydia-api: tapte ÷ mulige to 3 decimals HALF_UP, × 100). "The last four quarters" is
Σ tapte / Σ mulige over the four quarters ending with the latest one (NAV's
``SykefraværFlereKvartalerForEksport`` / «siste 4 kvartaler»), never the mean of the four
percentages. The trend is the latest quarter's percentage minus the same quarter's a year
earlier (NAV's «trend»).

Masking: a figure from fewer than 5 people is personal data to NAV
(``MIN_ANTALL_PERS_FOR_AT_STATISTIKKEN_IKKE_ER_PERSONOPPLYSNINGER`` = 5, ``erMaskert``); it is
shown as «Skjermet» and its number of people as «<5» (``core.small_counts``). NAV masks a
four-quarter figure only when every quarter in it is masked; here it is masked when *any*
quarter is, since its sums minus the other quarters' would give the masked quarter away.

The figures are counts of days for a whole enterprise, industry or sector: no person's data.
Enterprise figures are seen by the team and by the enterprise's own contact only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec
from piccolo.columns import Column

from helseiarbeid.company_track.schemas import FigureCategory, FigureIn
from helseiarbeid.company_track.services.enterprises import _check_enterprise_access
from helseiarbeid.company_track.services.scope import EnterpriseScope, enterprise_scope
from helseiarbeid.company_track.tables import Enterprise, SickLeaveFigure, SickLeaveSnapshot
from helseiarbeid.core import small_counts
from helseiarbeid.core.clock import today_in_oslo, utcnow
from helseiarbeid.core.database import write_transaction
from helseiarbeid.core.errors import InvalidInput, NotFound
from helseiarbeid.core.identifiers import IdentifierError, validate_org_number
from helseiarbeid.core.users import CurrentUser

MASKED = "Skjermet"
MASK_RULE = (
    "Tall fra færre enn 5 personer vises ikke («Skjermet»), slik NAV gjør i sin "
    "sykefraværsstatistikk, så ingen enkeltperson kan kjennes igjen."
)
CSV_COLUMNS = ("kategori", "kode", "arstall", "kvartal", "antpers", "taptedv", "muligedv")
MAX_IMPORT_ROWS = 5000


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.number}. kvartal {self.year}"

    @property
    def short(self) -> str:
        return f"K{self.number} {self.year}"

    @property
    def starts(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def over(self) -> date:
        """The first day after the quarter."""
        return (
            date(self.year + 1, 1, 1)
            if self.number == 4
            else date(self.year, 3 * self.number + 1, 1)
        )

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    def back(self, quarters: int) -> Quarter:
        """The quarter ``quarters`` before this one (4: the same quarter a year earlier)."""
        index = self.year * 4 + self.number - 1 - quarters
        return Quarter(index // 4, index % 4 + 1)


def percentage(lost: Decimal, possible: Decimal) -> Decimal | None:
    """tapte / mulige × 100, one decimal, half up (NAV's rule, see the module). Exact: integer
    arithmetic on hundredths of a day, so no float and no rounding before the last step.
    None when there were no possible days."""
    lost_h, possible_h = _hundredths(lost), _hundredths(possible)
    if possible_h <= 0:
        return None
    tenths = (2 * 1000 * lost_h + possible_h) // (2 * possible_h)
    return Decimal(tenths).scaleb(-1)


def _hundredths(days: Decimal) -> int:
    return int((days * 100).to_integral_value())


def percent_text(value: Decimal | None) -> str:
    """8,2 — always one decimal, decimal comma; «–» when there is no figure."""
    if value is None:
        return "–"
    return f"{value:.1f}".replace(".", ",").replace("-", "−")


def days_text(value: Decimal) -> str:
    whole, _, decimals = f"{value:,.2f}".partition(".")
    decimals = decimals.rstrip("0")
    text = whole.replace(",", "\u00a0")
    return f"{text},{decimals}" if decimals else text


@dataclass(frozen=True)
class QuarterFigure:
    quarter: Quarter
    people: int
    lost: Decimal
    possible: Decimal

    @property
    def masked(self) -> bool:
        return self.people < small_counts.LIMIT

    @property
    def percent(self) -> Decimal | None:
        return None if self.masked else percentage(self.lost, self.possible)

    @property
    def shown_people(self) -> str:
        return small_counts.SUPPRESSED if self.masked else days_text(Decimal(self.people))

    @property
    def shown_percent(self) -> str:
        return MASKED if self.masked else percent_text(self.percent)

    @property
    def shown_lost(self) -> str:
        return MASKED if self.masked else days_text(self.lost)

    @property
    def shown_possible(self) -> str:
        return MASKED if self.masked else days_text(self.possible)


@dataclass(frozen=True)
class FourQuarters:
    """The last four quarters together: Σ tapte / Σ mulige over those of the four quarters
    ending with the latest that have figures (``quarters``)."""

    quarters: list[Quarter]
    masked: bool
    percent: Decimal | None

    @property
    def complete(self) -> bool:
        return len(self.quarters) == 4

    @property
    def shown_percent(self) -> str:
        return MASKED if self.masked else percent_text(self.percent)

    @property
    def span(self) -> str:
        if not self.quarters:
            return ""
        return f"{self.quarters[0].short}–{self.quarters[-1].short}"


@dataclass(frozen=True)
class Series:
    """One enterprise's, industry's or sector's figures, newest quarter first."""

    category: FigureCategory
    code: str
    figures: list[QuarterFigure]

    @property
    def latest(self) -> QuarterFigure | None:
        return self.figures[0] if self.figures else None

    @property
    def four_quarters(self) -> FourQuarters | None:
        latest = self.latest
        if latest is None:
            return None
        window = {latest.quarter.back(n) for n in range(4)}
        chosen = sorted(
            (figure for figure in self.figures if figure.quarter in window),
            key=lambda figure: figure.quarter,
        )
        masked = any(figure.masked for figure in chosen)
        lost = sum((figure.lost for figure in chosen), Decimal(0))
        possible = sum((figure.possible for figure in chosen), Decimal(0))
        return FourQuarters(
            [figure.quarter for figure in chosen],
            masked,
            None if masked else percentage(lost, possible),
        )

    @property
    def year_before(self) -> QuarterFigure | None:
        latest = self.latest
        if latest is None:
            return None
        wanted = latest.quarter.back(4)
        return next((f for f in self.figures if f.quarter == wanted), None)

    @property
    def trend(self) -> Decimal | None:
        """Latest quarter's percentage minus the same quarter's a year earlier (percentage
        points); None when either is missing or masked."""
        latest, before = self.latest, self.year_before
        if latest is None or before is None or latest.percent is None or before.percent is None:
            return None
        return latest.percent - before.percent

    @property
    def shown_trend(self) -> str:
        trend = self.trend
        if trend is None:
            return "–"
        sign = "+" if trend > 0 else ""
        return f"{sign}{percent_text(trend)} prosentpoeng"

    def recent(self, quarters: int = 8) -> list[QuarterFigure]:
        return self.figures[:quarters]


@dataclass(frozen=True)
class Figures:
    """An enterprise's figures with its industry's and sector's beside them."""

    enterprise: Series
    industry: Series | None
    sector: Series | None

    @property
    def all(self) -> list[Series]:
        return [s for s in (self.enterprise, self.industry, self.sector) if s is not None]


def _figure(row: dict[str, Any]) -> QuarterFigure:
    return QuarterFigure(
        Quarter(int(row["year"]), int(row["quarter"])),
        int(row["people"]),
        Decimal(int(row["lost_hundredths"])).scaleb(-2),
        Decimal(int(row["possible_hundredths"])).scaleb(-2),
    )


def series_from_rows(category: FigureCategory, code: str, rows: Iterable[dict[str, Any]]) -> Series:
    """A series from stored (or snapshotted) figure rows of one category and code."""
    figures = sorted((_figure(row) for row in rows), key=lambda f: f.quarter, reverse=True)
    return Series(category, code, figures)


def _figures_from_rows(enterprise: dict[str, Any], rows: list[dict[str, Any]]) -> Figures:
    def series(category: FigureCategory, code: str) -> Series:
        mine = [r for r in rows if r["category"] == category.value and r["code"] == code]
        return series_from_rows(category, code, mine)

    return Figures(
        series(FigureCategory.ENTERPRISE, enterprise["org_number"]),
        series(FigureCategory.INDUSTRY, enterprise["industry"]) if enterprise["industry"] else None,
        series(FigureCategory.SECTOR, enterprise["sector"]) if enterprise["sector"] else None,
    )


async def _enterprise_row(enterprise_id: int) -> dict[str, Any]:
    row = await (
        Enterprise.select(Enterprise.org_number, Enterprise.industry, Enterprise.sector)
        .where(Enterprise.id == enterprise_id)
        .first()
    )
    if row is None:
        raise NotFound("Virksomheten finnes ikke.")
    return row


async def _stored_rows(enterprise: dict[str, Any]) -> list[dict[str, Any]]:
    wanted = [(FigureCategory.ENTERPRISE.value, enterprise["org_number"])]
    if enterprise["industry"]:
        wanted.append((FigureCategory.INDUSTRY.value, enterprise["industry"]))
    if enterprise["sector"]:
        wanted.append((FigureCategory.SECTOR.value, enterprise["sector"]))
    rows: list[dict[str, Any]] = []
    for category, code in wanted:
        rows.extend(
            await SickLeaveFigure.select(
                SickLeaveFigure.category,
                SickLeaveFigure.code,
                SickLeaveFigure.year,
                SickLeaveFigure.quarter,
                SickLeaveFigure.people,
                SickLeaveFigure.lost_hundredths,
                SickLeaveFigure.possible_hundredths,
            ).where((SickLeaveFigure.category == category) & (SickLeaveFigure.code == code))
        )
    return rows


async def enterprise_figures(user: CurrentUser, enterprise_id: int) -> Figures:
    """The enterprise's figures per quarter with its industry's and sector's. An enterprise
    contact sees only their own enterprise's (another's answers 404)."""
    await _check_enterprise_access(user, enterprise_id)
    enterprise = await _enterprise_row(enterprise_id)
    return _figures_from_rows(enterprise, await _stored_rows(enterprise))


def parse_days(text: str) -> Decimal:
    """Days as typed or imported: decimal comma or point, at most two decimals, not negative.
    Raises ValueError with a Norwegian message."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("må være et tall, f.eks. 123,5") from None
    if not value.is_finite():
        raise ValueError("må være et tall, f.eks. 123,5")
    if value < 0:
        raise ValueError("kan ikke være negativt")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("kan ha høyst to desimaler")
    if value >= Decimal("10000000000"):
        raise ValueError("er for stort")
    return value


@dataclass(frozen=True)
class _Row:
    category: FigureCategory
    code: str
    year: int
    quarter: int
    people: int
    lost: Decimal
    possible: Decimal
    line: int = 0  # the CSV line it came from (0: typed on the figures page)


def quarter_not_over(year: int, number: int) -> str | None:
    """Why a quarter cannot have figures yet, or None. NAV publishes a quarter's figures after
    it is over; a figure for a quarter still running (or to come) is not a figure, and would
    count in «siste fire kvartaler» as if it were one. Today is Oslo's date."""
    if Quarter(year, number).over > today_in_oslo():
        return f"{Quarter(year, number).label} er ikke over ennå, så det finnes ingen tall for det"
    return None


def _check_days(lost: Decimal, possible: Decimal) -> str | None:
    if possible == 0:
        return "Mulige dagsverk må være større enn 0."
    if lost > possible:
        return "Tapte dagsverk kan ikke være flere enn mulige dagsverk."
    return None


async def record_figure(user: CurrentUser, enterprise_id: int, data: FigureIn) -> None:
    """The coordinator types one quarter's figures for the enterprise, or for its industry or
    sector (the codes on the enterprise). An existing quarter is corrected. InvalidInput names
    the field."""
    await _check_enterprise_access(user, enterprise_id)
    enterprise = await _enterprise_row(enterprise_id)
    code = {
        FigureCategory.ENTERPRISE: enterprise["org_number"],
        FigureCategory.INDUSTRY: enterprise["industry"],
        FigureCategory.SECTOR: enterprise["sector"],
    }[data.category]
    problems: dict[str, str] = {}
    not_over = quarter_not_over(data.year, data.quarter)
    if not_over:
        problems["quarter"] = f"{not_over[0].upper()}{not_over[1:]}."
    if not code:
        problems["category"] = (
            "Virksomheten har ingen bransje."
            if data.category is FigureCategory.INDUSTRY
            else "Virksomheten har ingen sektor."
        )
    values: dict[str, Decimal] = {}
    for field, label in (("lost_days", "Tapte dagsverk"), ("possible_days", "Mulige dagsverk")):
        try:
            values[field] = parse_days(getattr(data, field))
        except ValueError as exc:
            problems[field] = f"{label} {exc}."
    if not problems:
        wrong = _check_days(values["lost_days"], values["possible_days"])
        if wrong:
            problems["lost_days" if "Tapte" in wrong else "possible_days"] = wrong
    if problems:
        raise InvalidInput(problems)
    row = _Row(
        data.category,
        code,
        data.year,
        data.quarter,
        data.people,
        values["lost_days"],
        values["possible_days"],
    )
    async with write_transaction():
        await _store(user, [row])


async def _store(user: CurrentUser, rows: list[_Row]) -> None:
    now = utcnow()
    for row in rows:
        key = (
            (SickLeaveFigure.category == row.category.value)
            & (SickLeaveFigure.code == row.code)
            & (SickLeaveFigure.year == row.year)
            & (SickLeaveFigure.quarter == row.quarter)
        )
        values: dict[Column | str, Any] = {
            SickLeaveFigure.people: row.people,
            SickLeaveFigure.lost_hundredths: _hundredths(row.lost),
            SickLeaveFigure.possible_hundredths: _hundredths(row.possible),
            SickLeaveFigure.updated_by: user.id,
            SickLeaveFigure.updated_at: now,
        }
        if await SickLeaveFigure.exists().where(key):
            await SickLeaveFigure.update(values).where(key)
        else:
            await SickLeaveFigure.insert(
                SickLeaveFigure(
                    category=row.category.value,
                    code=row.code,
                    year=row.year,
                    quarter=row.quarter,
                    people=row.people,
                    lost_hundredths=_hundredths(row.lost),
                    possible_hundredths=_hundredths(row.possible),
                    updated_by=user.id,
                    updated_at=now,
                )
            )


class ImportErrors(InvalidInput):
    """The CSV had errors: ``lines`` holds one Norwegian message per error, each naming its
    line and column. Nothing was stored."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__({"file": f"Filen har {len(lines)} feil. Ingenting ble lagret."})
        self.lines = lines


def _parse_csv(text: str) -> tuple[list[_Row], list[str]]:
    """Rows and errors of a CSV in the shape NAV publishes its figures: a header line
    ``kategori;kode;arstall;kvartal;antpers;taptedv;muligedv`` (NAV's field names; comma also
    accepted as separator), then one quarter per line."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or not lines[0].strip():
        return [], ["Filen er tom."]
    delimiter = ";" if ";" in lines[0] else ","
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader)]
    missing = [name for name in CSV_COLUMNS if name not in header]
    if missing:
        return [], [
            "Linje 1: kolonnene " + ", ".join(f"«{name}»" for name in missing) + " mangler. "
            "Første linje må være " + ";".join(CSV_COLUMNS) + "."
        ]
    position = {name: header.index(name) for name in CSV_COLUMNS}
    rows: list[_Row] = []
    errors: list[str] = []
    seen: dict[tuple[str, str, int, int], int] = {}
    for number, fields in enumerate(reader, start=2):
        if not any(field.strip() for field in fields):
            continue
        if len(rows) + len(errors) >= MAX_IMPORT_ROWS:
            errors.append(f"Linje {number}: filen har flere enn {MAX_IMPORT_ROWS} rader.")
            break
        if len(fields) != len(header):
            errors.append(
                f"Linje {number}: har {len(fields)} kolonner, men overskriften har {len(header)}."
            )
            continue

        def cell(name: str, fields: list[str] = fields) -> str:
            return fields[position[name]].strip()

        problems: list[str] = []
        category: FigureCategory | None = None
        try:
            category = FigureCategory(cell("kategori").upper())
        except ValueError:
            problems.append("kolonne «kategori» må være VIRKSOMHET, BRANSJE eller SEKTOR")
        code = cell("kode")
        if not code:
            problems.append("kolonne «kode» må fylles ut")
        elif len(code) > 200:
            problems.append("kolonne «kode» er for lang")
        elif category is FigureCategory.ENTERPRISE:
            try:
                code = validate_org_number(code)
            except IdentifierError as exc:
                problems.append(f"kolonne «kode»: {str(exc)[0].lower()}{str(exc)[1:-1]}")
        numbers: dict[str, int] = {}
        for name, low, high in (
            ("arstall", 2000, 2100),
            ("kvartal", 1, 4),
            ("antpers", 0, 10_000_000),
        ):
            try:
                number_in_cell = int(cell(name))
                if not low <= number_in_cell <= high:
                    raise ValueError
                numbers[name] = number_in_cell
            except ValueError:
                problems.append(f"kolonne «{name}» må være et heltall fra {low} til {high}")
        if "arstall" in numbers and "kvartal" in numbers:
            not_over = quarter_not_over(numbers["arstall"], numbers["kvartal"])
            if not_over:
                problems.append(f"kolonne «kvartal»: {not_over[0].lower()}{not_over[1:]}")
        days: dict[str, Decimal] = {}
        for name in ("taptedv", "muligedv"):
            try:
                days[name] = parse_days(cell(name))
            except ValueError as exc:
                problems.append(f"kolonne «{name}» {exc}")
        if len(days) == 2:
            wrong = _check_days(days["taptedv"], days["muligedv"])
            if wrong:
                column = "taptedv" if "Tapte" in wrong else "muligedv"
                problems.append(f"kolonne «{column}»: {wrong[0].lower()}{wrong[1:-1]}")
        if problems or category is None:
            errors.append(f"Linje {number}: " + "; ".join(problems) + ".")
            continue
        key = (category.value, code, numbers["arstall"], numbers["kvartal"])
        if key in seen:
            errors.append(f"Linje {number}: samme kategori, kode og kvartal som linje {seen[key]}.")
            continue
        seen[key] = number
        rows.append(
            _Row(
                category,
                code,
                numbers["arstall"],
                numbers["kvartal"],
                numbers["antpers"],
                days["taptedv"],
                days["muligedv"],
                number,
            )
        )
    if not rows and not errors:
        errors.append("Filen har ingen rader med tall.")
    return rows, errors


async def import_figures(user: CurrentUser, text: str) -> int:
    """Stores every quarter of a CSV (see ``_parse_csv``), correcting quarters already stored;
    returns how many rows were stored. A quarter must be over (``quarter_not_over``);
    enterprise rows must name a known enterprise's organisation number, industry and sector
    rows an industry or sector some enterprise has (figures nobody can see are a typo, and
    would sit unseen until an enterprise got that code). Any error anywhere: ImportErrors,
    each line named, and nothing is stored."""
    rows, errors = _parse_csv(text)
    known = await _known_codes(rows, await enterprise_scope(user))
    what = {
        FigureCategory.ENTERPRISE: "ingen virksomhet har organisasjonsnummer {}",
        FigureCategory.INDUSTRY: "ingen virksomhet har bransjen «{}»",
        FigureCategory.SECTOR: "ingen virksomhet har sektoren «{}»",
    }
    for row in rows:
        if row.code not in known[row.category]:
            errors.append(
                f"Linje {row.line}: kolonne «kode»: {what[row.category].format(row.code)}."
            )
    if errors:
        errors.sort(key=_line_number)
        raise ImportErrors(errors)
    async with write_transaction():
        await _store(user, rows)
    return len(rows)


def _line_number(message: str) -> int:
    head = message.removeprefix("Linje ").split(":", 1)[0]
    return int(head) if head.isdigit() else 0


async def _known_codes(rows: list[_Row], scope: EnterpriseScope) -> dict[FigureCategory, set[str]]:
    """Of the rows' codes, those some enterprise the importer sees has, per category: another
    region's enterprise reads as unknown (``scope``), so the import reveals nothing of it."""
    known: dict[FigureCategory, set[str]] = {category: set() for category in FigureCategory}
    for category, column in (
        (FigureCategory.ENTERPRISE, Enterprise.org_number),
        (FigureCategory.INDUSTRY, Enterprise.industry),
        (FigureCategory.SECTOR, Enterprise.sector),
    ):
        wanted = sorted({row.code for row in rows if row.category is category})
        if not wanted:
            continue
        query = Enterprise.select(column).where(column.is_in(wanted)).distinct()
        condition = scope.condition(Enterprise.id, Enterprise.region)
        if condition is not None:
            query = query.where(condition)
        known[category] = {row[column._meta.name] for row in await query}
    return known


# Snapshots ---------------------------------------------------------------------------------

SNAPSHOT_MOMENTS = {"anchoring": "Forankringsmøtet", "evaluation": "Evalueringsmøtet"}


@dataclass(frozen=True)
class Snapshot:
    moment: str
    taken_at: Any
    figures: Figures

    @property
    def label(self) -> str:
        return SNAPSHOT_MOMENTS[self.moment]


_ROW_FIELDS = (
    "category",
    "code",
    "year",
    "quarter",
    "people",
    "lost_hundredths",
    "possible_hundredths",
)


async def take_snapshot(programme_id: int, enterprise_id: int, moment: str) -> None:
    """Freezes the enterprise's, industry's and sector's figures as they are now, once per
    programme and moment: taking it again keeps the first. Only quarters that are over count
    (a figure for a quarter still running is not a figure). Call inside the transaction that
    records the meeting."""
    if await SickLeaveSnapshot.exists().where(
        (SickLeaveSnapshot.programme == programme_id) & (SickLeaveSnapshot.moment == moment)
    ):
        return
    enterprise = await _enterprise_row(enterprise_id)
    today = today_in_oslo()
    rows = [
        row
        for row in await _stored_rows(enterprise)
        if Quarter(row["year"], row["quarter"]).over <= today
    ]
    frozen = {
        "enterprise": enterprise,
        "rows": [{field: row[field] for field in _ROW_FIELDS} for row in rows],
    }
    await SickLeaveSnapshot.insert(
        SickLeaveSnapshot(
            programme=programme_id,
            moment=moment,
            taken_at=utcnow(),
            figures=msgspec.json.encode(frozen).decode(),
        )
    )


def _thawed(text: str) -> Figures:
    frozen = msgspec.json.decode(text)
    return _figures_from_rows(frozen["enterprise"], frozen["rows"])


async def programme_snapshots(programme_id: int) -> dict[str, Snapshot]:
    """The programme's snapshots by moment ("anchoring", "evaluation"), with the figures (and
    the enterprise's industry and sector) as they were then. Callers have checked access to
    the programme."""
    rows = await SickLeaveSnapshot.select().where(SickLeaveSnapshot.programme == programme_id)
    return {
        row["moment"]: Snapshot(row["moment"], row["taken_at"], _thawed(row["figures"]))
        for row in rows
    }


async def current_figures(enterprise_id: int) -> Figures:
    """The enterprise's figures now, for a service that has checked access already."""
    enterprise = await _enterprise_row(enterprise_id)
    return _figures_from_rows(enterprise, await _stored_rows(enterprise))
