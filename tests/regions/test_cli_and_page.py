"""The regions' admin tools: the CLI and /admin/regioner do the same through one service."""

from __future__ import annotations

import httpx

from helseiarbeid.regions import services as regions
from tests.cast import Cast, csrf_token, sign_in
from tests.core.test_cli import _run


async def test_the_cli_manages_regions_municipalities_and_members(
    database: str, cast: Cast
) -> None:
    created = _run(database, "regions", "create", "NAV Arbeidslivssenter Nordland")
    assert created.returncode == 0, created.stderr
    region_id = int(created.stdout)
    moved = _run(
        database, "regions", "municipality", "Bodø", "--region", "NAV Arbeidslivssenter Nordland"
    )
    assert moved.returncode == 0, moved.stderr
    joined = _run(
        database,
        "regions",
        "add-member",
        "--email",
        "nils@test.example",
        "--region",
        "NAV Arbeidslivssenter Nordland",
    )
    assert joined.returncode == 0, joined.stderr
    assert region_id in await regions.regions_of(cast["nils"].id)
    assert await regions.region_for_municipality("bodø") == region_id
    listing = _run(database, "regions", "list")
    assert "NAV Arbeidslivssenter Nordland" in listing.stdout
    assert "Bodø" in listing.stdout
    # A GP works for no region; the message names why, and nothing is stored.
    refused = _run(
        database,
        "regions",
        "add-member",
        "--email",
        "gp_anne@test.example",
        "--region",
        "NAV Arbeidslivssenter Nordland",
    )
    assert refused.returncode == 2
    assert "koordinatorer" in refused.stderr
    assert await regions.regions_of(cast["gp_anne"].id) == frozenset()
    unknown = _run(database, "regions", "municipality", "Alta", "--region", "Finnes ikke")
    assert unknown.returncode == 2
    assert "Ingen region heter Finnes ikke" in unknown.stderr


async def test_the_admin_page_adds_a_region_and_a_municipality(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    await sign_in(client, cast["ada"])
    token = await csrf_token(client)
    made = await client.post(
        "/admin/regioner",
        data={"name": "NAV Arbeidslivssenter Troms og Finnmark", "_csrf_token": token},
    )
    assert made.status_code == 303
    region_id = await regions.region_id_by_name("NAV Arbeidslivssenter Troms og Finnmark")
    placed = await client.post(
        "/admin/regioner/kommuner",
        data={"municipality": "Tromsø", "region": str(region_id), "_csrf_token": token},
    )
    assert placed.status_code == 303
    page = await client.get("/admin/regioner")
    assert "Tromsø" in page.text
    empty = await client.post("/admin/regioner", data={"name": " ", "_csrf_token": token})
    assert empty.status_code == 422
    assert "Skriv regionens navn." in empty.text
    twice = await client.post(
        "/admin/regioner",
        data={"name": "NAV Arbeidslivssenter Troms og Finnmark", "_csrf_token": token},
    )
    assert twice.status_code == 409
    # Only the administrator.
    await sign_in(client, cast["kari"])
    assert (await client.get("/admin/regioner")).status_code == 403
