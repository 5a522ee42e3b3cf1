"""API bearer tokens: stored only as hashes, and revocable."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from helseiarbeid.core import tokens
from helseiarbeid.core.clock import pinned, utcnow
from helseiarbeid.core.errors import NotFound
from helseiarbeid.core.tables import ApiToken
from helseiarbeid.settings import get_settings
from tests.cast import Cast, bearer, csrf_token, sign_in


async def test_a_token_authenticates_its_owner(client: httpx.AsyncClient, cast: Cast) -> None:
    response = await client.get("/api/v1/me", headers=await bearer(cast["gp_anne"]))
    assert response.status_code == 200
    assert response.json() == {
        "id": cast["gp_anne"].id,
        "email": "gp_anne@test.example",
        "name": "Anne Allmennlege",
        "role": "gp",
        "hpr_number": "1234567",
    }


async def test_the_token_itself_is_never_stored(cast: Cast) -> None:
    token = await tokens.create_api_token(cast["gp_anne"].id, "journal")
    stored = await ApiToken.select().first()
    assert stored is not None
    assert token not in str(stored)
    assert stored["token_hash"] == tokens.digest(token)


async def test_missing_or_wrong_token_gives_401(client: httpx.AsyncClient, cast: Cast) -> None:
    assert (await client.get("/api/v1/me")).status_code == 401
    wrong = await client.get("/api/v1/me", headers={"Authorization": "Bearer hia_not-a-token"})
    assert wrong.status_code == 401
    assert wrong.json()["detail"] == "Du må logge inn."
    assert wrong.headers["www-authenticate"] == "Bearer"


async def test_a_revoked_token_stops_working(client: httpx.AsyncClient, cast: Cast) -> None:
    headers = await bearer(cast["gp_anne"])
    stored = await ApiToken.select(ApiToken.id).first()
    assert stored is not None
    token_id = stored["id"]
    await sign_in(client, cast["ada"])
    form_token = await csrf_token(client)
    unconfirmed = await client.post(
        f"/admin/tokens/{token_id}/revoke", data={"_csrf_token": form_token}
    )
    assert unconfirmed.status_code == 422
    assert "Kryss av for å bekrefte at nøkkelen skal trekkes tilbake." in unconfirmed.text
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    response = await client.post(
        f"/admin/tokens/{token_id}/revoke", data={"_csrf_token": form_token, "bekreft": "ja"}
    )
    assert response.status_code == 303
    client.cookies.clear()
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_admin_revokes_a_token_through_the_api(client: httpx.AsyncClient, cast: Cast) -> None:
    gp_headers = await bearer(cast["gp_anne"])
    gp_token = await ApiToken.select(ApiToken.id).where(ApiToken.user == cast["gp_anne"].id).first()
    assert gp_token is not None
    gp_token_id = gp_token["id"]
    admin_headers = await bearer(cast["ada"])
    response = await client.delete(f"/api/v1/tokens/{gp_token_id}", headers=admin_headers)
    assert response.status_code == 204
    assert (await client.get("/api/v1/me", headers=gp_headers)).status_code == 401
    again = await client.delete(f"/api/v1/tokens/{gp_token_id}", headers=admin_headers)
    assert again.status_code == 404


async def test_a_deactivated_users_token_stops_working(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    from helseiarbeid.core.tables import User

    headers = await bearer(cast["gp_anne"])
    await User.update({User.is_active: False}).where(User.id == cast["gp_anne"].id)
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_a_token_expires_after_the_maximum_lifetime(
    client: httpx.AsyncClient, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12 §6: tokens never expired."""
    monkeypatch.setenv("HELSEIARBEID_API_TOKEN_MAX_DAYS", "30")
    get_settings.cache_clear()
    try:
        issued = await tokens.issue_api_token(cast["gp_anne"].id, "journal")
    finally:
        get_settings.cache_clear()
    headers = {"Authorization": f"Bearer {issued.secret}"}
    assert issued.expires_at - utcnow() > timedelta(days=29, hours=23)
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    with pinned(issued.expires_at - timedelta(minutes=1)):
        assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    with pinned(issued.expires_at + timedelta(seconds=1)):
        assert (await client.get("/api/v1/me", headers=headers)).status_code == 401


async def test_rotation_gives_a_new_token_and_ends_the_old_after_the_grace_period(
    client: httpx.AsyncClient, cast: Cast
) -> None:
    old = await tokens.issue_api_token(cast["gp_anne"].id, "journal")
    stored = await ApiToken.select(ApiToken.id).where(ApiToken.name == "journal").first()
    assert stored is not None
    new = await tokens.rotate_api_token(stored["id"])
    assert new.secret != old.secret
    for secret in (old.secret, new.secret):
        me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
        assert me.json()["id"] == cast["gp_anne"].id
    with pinned(utcnow() + timedelta(days=8)):
        gone = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {old.secret}"})
        kept = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {new.secret}"})
    assert gone.status_code == 401
    assert kept.status_code == 200
    with pytest.raises(NotFound):
        await tokens.rotate_api_token(10_000)
