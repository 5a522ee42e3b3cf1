"""Errors reach users as friendly pages or clear JSON, never as a traceback."""

from __future__ import annotations

import httpx
import pytest
from litestar import get

from helseiarbeid.app import create_app
from helseiarbeid.core.policy import PUBLIC
from tests.cast import Cast, csrf_token, sign_in


async def test_unknown_page_is_a_norwegian_404_page(client: httpx.AsyncClient, cast: Cast) -> None:
    await sign_in(client, cast["kari"])
    response = await client.get("/finnes-ikke")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "Fant ikke siden" in response.text
    assert 'lang="nb"' in response.text


async def test_forbidden_page_is_a_norwegian_403_page(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await sign_in(client, cast["gp_anne"])
    response = await client.get("/admin/audit")
    assert response.status_code == 403
    assert "Ingen tilgang" in response.text
    assert "Du har ikke tilgang til denne siden." in response.text


async def test_unknown_api_route_is_json(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/finnes-ikke")
    assert response.status_code == 404
    assert response.json()["status_code"] == 404


@pytest.fixture
async def crashing_client(database: str) -> httpx.AsyncClient:
    app = create_app()

    @get("/crash", opt=PUBLIC, include_in_schema=False)
    async def crash() -> None:
        raise RuntimeError("secret detail 01018012345 from deep inside")

    @get("/api/v1/crash", opt=PUBLIC, include_in_schema=False)
    async def crash_api() -> None:
        raise RuntimeError("secret detail from deep inside")

    app.register(crash)
    app.register(crash_api)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def test_a_crash_shows_a_reference_and_no_traceback(
    capfd: pytest.CaptureFixture[str], crashing_client: httpx.AsyncClient
) -> None:
    async with crashing_client as http:
        page = await http.get("/crash")
        api = await http.get("/api/v1/crash")
    for response in (page, api):
        assert response.status_code == 500
        assert "secret detail" not in response.text
        assert "Traceback" not in response.text
        assert "Oppgi referanse" in response.text
    assert "Noe gikk galt" in page.text
    logged = capfd.readouterr().err
    assert '"exception": "RuntimeError"' in logged
    assert "secret detail" not in logged
    assert "01018012345" not in logged


async def test_a_body_over_256_kib_is_refused_with_413(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    token = await csrf_token(client)
    response = await client.post(
        "/login",
        data={"email": "kari@test.example", "password": "x" * (256 * 1024), "_csrf_token": token},
    )
    assert response.status_code == 413
    assert "For stor forespørsel" in response.text
