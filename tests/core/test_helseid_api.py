"""HelseID access tokens on the JSON API (issue 14 § 5–7): DPoP-bound tokens from a real OpenID
provider (oidc-provider, tests/oidc), proofs built with core/dpop.py, and every way a record
system can get it wrong refused with the error RFC 6750/9449 names."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from joserfc import jws

from helseiarbeid.core import dpop
from helseiarbeid.core.clock import pinned, utcnow
from helseiarbeid.core.oidc import KEY_REFETCH_SECONDS, client_assertion
from helseiarbeid.core.tables import AuditEvent, User
from helseiarbeid.settings import get_settings
from tests.cast import Cast
from tests.live_server import free_port
from tests.oidc.harness import (
    API_AUDIENCE,
    SCOPE_PREFIX,
    RegisteredClient,
    client_key,
    provider_process,
    running_provider,
    signing_key,
)
from tests.referrals.factories import referral_body

ANNE_HPR = "1234567"
ORGNR = "999888777"
READ, WRITE = SCOPE_PREFIX + "referrals.read", SCOPE_PREFIX + "referrals.write"
SUBMIT_URL = "http://testserver/api/v1/referrals"
RECORD_SYSTEM = RegisteredClient("epj-anne", claims={"hpr_number": ANNE_HPR, "orgnr_parent": ORGNR})
NEW_GP_SYSTEM = RegisteredClient("epj-ny", claims={"hpr_number": "9876543", "orgnr_parent": ORGNR})
# Tokens that outlive two nonce windows, to see a nonce age out.
LONG_LIVED = RegisteredClient(
    "epj-lang", claims={"hpr_number": ANNE_HPR, "orgnr_parent": ORGNR}, token_ttl=1800
)


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with running_provider([RECORD_SYSTEM, NEW_GP_SYSTEM, LONG_LIVED]) as url:
        yield url


@pytest.fixture(autouse=True)
def accept_helseid(issuer: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HELSEIARBEID_API_TOKEN_ISSUER", issuer)
    monkeypatch.setenv("HELSEIARBEID_API_AUDIENCE", API_AUDIENCE)
    monkeypatch.setenv("HELSEIARBEID_DPOP_NONCE_REQUIRED", "true")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


async def token_for(
    issuer: str,
    client: RegisteredClient = RECORD_SYSTEM,
    *,
    scope: str = f"{READ} {WRITE}",
    resource: str = API_AUDIENCE,
) -> str:
    """A DPoP-bound access token by client credentials, private_key_jwt, as HelseID gives."""
    endpoint = f"{issuer}/token"
    private = client.key.as_dict(private=True)
    form = {
        "grant_type": "client_credentials",
        "scope": scope,
        "resource": resource,
        "client_id": client.client_id,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": client_assertion(client.client_id, dict(private), issuer),
    }
    headers = {"DPoP": dpop.make_proof(client.key, "POST", endpoint)}
    async with httpx.AsyncClient() as http:
        answer = await http.post(endpoint, data=form, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["token_type"] == "DPoP"
    return str(answer.json()["access_token"])


def dpop_headers(
    token: str,
    method: str = "POST",
    url: str = SUBMIT_URL,
    client: RegisteredClient = RECORD_SYSTEM,
    nonce: str | None = None,
) -> dict[str, str]:
    proof = dpop.make_proof(client.key, method, url, access_token=token, nonce=nonce)
    return {"Authorization": f"DPoP {token}", "DPoP": proof}


def challenge(response: httpx.Response) -> str:
    return response.headers.get("www-authenticate", "")


async def learn_nonce(
    client: httpx.AsyncClient, token: str, system: RegisteredClient = RECORD_SYSTEM
) -> str:
    """What a record system does first: a call without a nonce, answered with the nonce to use
    (RFC 9449 § 9)."""
    response = await client.get(SUBMIT_URL, headers=dpop_headers(token, "GET", client=system))
    assert response.status_code == 401, response.text
    assert 'DPoP error="use_dpop_nonce"' in challenge(response)
    return response.headers["DPoP-Nonce"]


@pytest.fixture
async def nonce(client: httpx.AsyncClient, cast: Cast, issuer: str) -> str:
    """A server nonce, learned from the API as a record system learns it."""
    return await learn_nonce(client, await token_for(issuer))


async def test_a_record_system_submits_for_its_gp_with_a_dpop_bound_token(
    client: httpx.AsyncClient, cast: Cast, issuer: str, nonce: str
) -> None:
    token = await token_for(issuer)
    response = await client.post(
        SUBMIT_URL, json=referral_body(), headers=dpop_headers(token, nonce=nonce)
    )
    assert response.status_code == 201, response.text
    listed = await client.get(SUBMIT_URL, headers=dpop_headers(token, "GET", nonce=nonce))
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["items"]] == [response.json()["id"]]
    rows = await AuditEvent.select(AuditEvent.actor, AuditEvent.action, AuditEvent.client).where(
        AuditEvent.resource_type == "referral"
    )
    # Logged as Anne's, both the submission and the list read as through HelseID.
    assert {(row["actor"], row["action"], row["client"]) for row in rows} == {
        (cast["gp_anne"].id, "create", "api-helseid"),
        (cast["gp_anne"].id, "read", "api-helseid"),
    }


async def test_a_gp_never_seen_before_gets_an_account_from_the_token(
    client: httpx.AsyncClient, cast: Cast, issuer: str, nonce: str
) -> None:
    token = await token_for(issuer, NEW_GP_SYSTEM)
    response = await client.post(
        SUBMIT_URL,
        json=referral_body(),
        headers=dpop_headers(token, client=NEW_GP_SYSTEM, nonce=nonce),
    )
    assert response.status_code == 201, response.text
    assert await User.exists().where((User.hpr_number == "9876543") & (User.role == "gp"))


async def test_a_replayed_proof_is_refused(
    client: httpx.AsyncClient, cast: Cast, issuer: str, nonce: str
) -> None:
    token = await token_for(issuer)
    headers = dpop_headers(token, "GET", nonce=nonce)
    assert (await client.get(SUBMIT_URL, headers=headers)).status_code == 200
    again = await client.get(SUBMIT_URL, headers=headers)
    assert again.status_code == 401
    assert 'error="invalid_dpop_proof"' in challenge(again)
    assert again.json()["detail"] == "DPoP-beviset er brukt før."


async def test_a_proof_for_another_url_or_method_is_refused(
    client: httpx.AsyncClient, cast: Cast, issuer: str, nonce: str
) -> None:
    token = await token_for(issuer)
    elsewhere = dpop_headers(token, "POST", "http://testserver/api/v1/other", nonce=nonce)
    response = await client.post(SUBMIT_URL, json=referral_body(), headers=elsewhere)
    assert response.status_code == 401
    assert 'error="invalid_dpop_proof"' in challenge(response)
    assert "htu" in response.json()["detail"]
    other_method = await client.post(
        SUBMIT_URL, json=referral_body(), headers=dpop_headers(token, "GET", nonce=nonce)
    )
    assert other_method.status_code == 401
    assert "htm" in other_method.json()["detail"]
    assert not await AuditEvent.exists().where(AuditEvent.resource_type == "referral")


async def test_a_proof_signed_with_another_key_is_refused(
    client: httpx.AsyncClient, cast: Cast, issuer: str, nonce: str
) -> None:
    token = await token_for(issuer)
    thief = RegisteredClient("tyv", key=client_key())
    response = await client.get(
        SUBMIT_URL, headers=dpop_headers(token, "GET", client=thief, nonce=nonce)
    )
    assert response.status_code == 401
    assert 'error="invalid_dpop_proof"' in challenge(response)


async def test_a_token_for_another_audience_is_refused(
    client: httpx.AsyncClient, cast: Cast, issuer: str, nonce: str
) -> None:
    token = await token_for(issuer, resource="nhn:annen-tjeneste")
    response = await client.get(SUBMIT_URL, headers=dpop_headers(token, "GET", nonce=nonce))
    assert response.status_code == 401
    assert 'error="invalid_token"' in challenge(response)
    assert "aud" in response.json()["detail"]


async def test_an_expired_token_is_refused(
    client: httpx.AsyncClient, cast: Cast, issuer: str, nonce: str
) -> None:
    token = await token_for(issuer)
    later = utcnow() + timedelta(minutes=10)
    proof = dpop.make_proof(
        RECORD_SYSTEM.key, "GET", SUBMIT_URL, access_token=token, nonce=nonce, now=later
    )
    with pinned(later):
        response = await client.get(
            SUBMIT_URL, headers={"Authorization": f"DPoP {token}", "DPoP": proof}
        )
    assert response.status_code == 401
    assert 'error="invalid_token"' in challenge(response)
    assert response.json()["detail"] == "Tokenet er utløpt."


async def test_a_token_without_the_scope_is_refused_with_insufficient_scope(
    client: httpx.AsyncClient, cast: Cast, issuer: str, nonce: str
) -> None:
    token = await token_for(issuer, scope=READ)
    response = await client.post(
        SUBMIT_URL, json=referral_body(), headers=dpop_headers(token, nonce=nonce)
    )
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in challenge(response)
    assert "referrals.write" in response.json()["detail"]
    assert (
        await client.get(SUBMIT_URL, headers=dpop_headers(token, "GET", nonce=nonce))
    ).status_code == 200


async def test_a_dpop_bound_token_used_as_a_bearer_token_is_refused(
    client: httpx.AsyncClient, cast: Cast, issuer: str
) -> None:
    token = await token_for(issuer)
    response = await client.get(SUBMIT_URL, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert 'DPoP error="invalid_token"' in challenge(response)
    no_proof = await client.get(SUBMIT_URL, headers={"Authorization": f"DPoP {token}"})
    assert no_proof.status_code == 401
    assert 'error="invalid_dpop_proof"' in challenge(no_proof)


async def test_a_tampered_token_is_refused(
    client: httpx.AsyncClient, cast: Cast, issuer: str, nonce: str
) -> None:
    token = await token_for(issuer)
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"
    response = await client.get(SUBMIT_URL, headers=dpop_headers(forged, "GET", nonce=nonce))
    assert response.status_code == 401
    assert 'error="invalid_token"' in challenge(response)


async def test_a_proof_without_the_servers_nonce_gets_one_to_retry_with(
    client: httpx.AsyncClient, cast: Cast, issuer: str
) -> None:
    token = await token_for(issuer)
    first = await client.post(SUBMIT_URL, json=referral_body(), headers=dpop_headers(token))
    assert first.status_code == 401
    assert 'DPoP error="use_dpop_nonce"' in challenge(first)
    assert "DPoP-Nonce" in first.json()["detail"]
    assert not await AuditEvent.exists().where(AuditEvent.resource_type == "referral")
    nonce = first.headers["DPoP-Nonce"]
    retried = await client.post(
        SUBMIT_URL, json=referral_body(), headers=dpop_headers(token, nonce=nonce)
    )
    assert retried.status_code == 201, retried.text


async def test_a_forged_or_outdated_nonce_is_refused_with_a_fresh_one(
    client: httpx.AsyncClient, cast: Cast, issuer: str
) -> None:
    token = await token_for(issuer, LONG_LIVED)
    learned_at = utcnow()
    nonce = await learn_nonce(client, token, LONG_LIVED)
    forged = await client.get(
        SUBMIT_URL, headers=dpop_headers(token, "GET", client=LONG_LIVED, nonce="A" * 24)
    )
    assert forged.status_code == 401
    assert 'error="use_dpop_nonce"' in challenge(forged)
    assert forged.headers["DPoP-Nonce"] == nonce
    # In the next window the nonce still works (one handed out just before a window ends) ...
    with pinned(learned_at + timedelta(seconds=dpop.NONCE_WINDOW_SECONDS)):
        headers = dpop_headers(token, "GET", client=LONG_LIVED, nonce=nonce)
        assert (await client.get(SUBMIT_URL, headers=headers)).status_code == 200
    # ... but not in the one after: the client is told the new one.
    with pinned(learned_at + timedelta(seconds=2 * dpop.NONCE_WINDOW_SECONDS)):
        headers = dpop_headers(token, "GET", client=LONG_LIVED, nonce=nonce)
        outdated = await client.get(SUBMIT_URL, headers=headers)
    assert outdated.status_code == 401
    assert 'error="use_dpop_nonce"' in challenge(outdated)
    fresh = outdated.headers["DPoP-Nonce"]
    assert fresh != nonce
    with pinned(learned_at + timedelta(seconds=2 * dpop.NONCE_WINDOW_SECONDS)):
        headers = dpop_headers(token, "GET", client=LONG_LIVED, nonce=fresh)
        assert (await client.get(SUBMIT_URL, headers=headers)).status_code == 200


async def test_the_providers_new_signing_key_is_fetched_but_not_for_every_unknown_kid(
    client: httpx.AsyncClient, cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    system = RegisteredClient("epj-rotasjon", claims={"hpr_number": ANNE_HPR})
    old_key, new_key = signing_key(), signing_key()
    port = free_port()
    with provider_process([system], port=port, signing_keys=[old_key]) as provider:
        monkeypatch.setenv("HELSEIARBEID_API_TOKEN_ISSUER", provider.issuer)
        get_settings.cache_clear()
        token = await token_for(provider.issuer, system)
        nonce = await learn_nonce(client, token, system)
        headers = dpop_headers(token, "GET", client=system, nonce=nonce)
        assert (await client.get(SUBMIT_URL, headers=headers)).status_code == 200
    # The provider rotates: the same issuer now signs with a new key (and still publishes the old).
    with provider_process([system], port=port, signing_keys=[new_key, old_key]) as provider:
        rotated = await token_for(provider.issuer, system)
        assert jws.extract_compact(rotated.encode()).headers()["kid"] == new_key.kid
        # Within 30 s of the last fetch an unknown kid is refused from the cache, however often.
        for _ in range(3):
            headers = dpop_headers(rotated, "GET", client=system, nonce=nonce)
            refused = await client.get(SUBMIT_URL, headers=headers)
            assert refused.status_code == 401
            assert 'error="invalid_token"' in challenge(refused)
            assert refused.json()["detail"] == "Tokenet er signert med en ukjent nøkkel."
        assert provider.requests("/jwks") == 0
        # Later the keys are fetched again, once, and the new key's tokens are accepted.
        with pinned(utcnow() + timedelta(seconds=KEY_REFETCH_SECONDS + 1)):
            for _ in range(2):
                headers = dpop_headers(rotated, "GET", client=system, nonce=nonce)
                assert (await client.get(SUBMIT_URL, headers=headers)).status_code == 200
        assert provider.requests("/jwks") == 1
