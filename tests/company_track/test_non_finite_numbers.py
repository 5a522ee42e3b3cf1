"""NaN and infinity are not numbers a result goal can have (issue 11, item 3: «inf» was saved and
read back as null, «nan» was a 500)."""

from __future__ import annotations

import httpx
import pytest

from helseiarbeid.company_track.tables import ResultGoal
from tests.cast import Cast, csrf_token, sign_in
from tests.company_track.conftest import Company


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("inf", "NaN eller uendelig"),
        ("-inf", "NaN eller uendelig"),
        ("nan", "NaN eller uendelig"),
        ("Infinity", "NaN eller uendelig"),
        ("1e400", "Tallet er for stort"),
    ],
)
async def test_a_result_goal_form_refuses_nan_and_infinity(
    client: httpx.AsyncClient, company: Company, cast: Cast, value: str, message: str
) -> None:
    programme_id = await company.programme()
    await sign_in(client, cast["kari"])
    response = await client.post(
        f"/program/{programme_id}/mal",
        data={
            "description": "Redusere sykefraværet",
            "indicator": "Sykefravær",
            "baseline": value,
            "target": "5",
            "unit": "%",
            "_csrf_token": await csrf_token(client),
        },
    )
    assert response.status_code == 422, response.text
    assert message in response.text
    assert "Expected" not in response.text
    assert await ResultGoal.count() == 0


@pytest.mark.parametrize(
    ("number", "status"), [(b"1e400", 400), (b"NaN", 400), (b"-Infinity", 400), (b"1e308", 201)]
)
async def test_the_api_refuses_numbers_json_cannot_carry(
    client: httpx.AsyncClient, company: Company, number: bytes, status: int
) -> None:
    programme_id = await company.programme()
    response = await client.post(
        f"/api/v1/programmes/{programme_id}/goals",
        content=b'{"description": "Mer trivsel", "indicator": "Skala", "baseline": '
        + number
        + b', "target": 3}',
        headers={**await company.headers("kari"), "Content-Type": "application/json"},
    )
    assert response.status_code == status, response.text
    assert await ResultGoal.count() == (1 if status == 201 else 0)
