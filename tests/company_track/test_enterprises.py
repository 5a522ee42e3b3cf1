"""Enterprises: validated, unique organisation numbers; created by the coordinator."""

from __future__ import annotations

from typing import Any

from helseiarbeid.company_track.tables import Enterprise
from helseiarbeid.core.identifiers import synthetic_org_number
from tests.cast import csrf_token, sign_in
from tests.company_track.conftest import Company


def _body(company: Company, **overrides: Any) -> dict[str, Any]:
    body = {
        "org_number": synthetic_org_number(40),
        "name": "Bodø Bakeri AS",
        "address": "Storgata 2, 8006 Bodø",
        "municipality": "Bodø",
        "service_area_id": company.area_id,
        "employee_count": 25,
        "industry": "Næringsmiddel",
        "company_health_service_takes_part": True,
    }
    body.update(overrides)
    return body


async def test_the_coordinator_registers_an_enterprise(company: Company) -> None:
    response = await company.post("kari", "/enterprises", _body(company))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["name"] == "Bodø Bakeri AS"
    assert body["service_area"] == "Salten"
    assert body["county"] == "Nordland"
    assert body["company_health_service_takes_part"] is True


async def test_bad_and_duplicate_org_numbers_are_refused(company: Company) -> None:
    before = await Enterprise.count()
    wrong = synthetic_org_number(40)[:-1] + str((int(synthetic_org_number(40)[-1]) + 1) % 10)
    bad = await company.post("kari", "/enterprises", _body(company, org_number=wrong))
    assert bad.status_code == 422
    assert "kontrollsiffer" in bad.json()["errors"]["org_number"]
    assert (await company.post("kari", "/enterprises", _body(company))).status_code == 201
    again = await company.post("kari", "/enterprises", _body(company, name="Kopi AS"))
    assert again.status_code == 409
    assert "finnes allerede" in again.json()["detail"]
    assert await Enterprise.count() == before + 1


async def test_only_the_coordinator_and_admin_register(company: Company) -> None:
    for person in ("erik", "per", "gp_anne"):
        assert (await company.post(person, "/enterprises", _body(company))).status_code == 403


async def test_the_enterprise_form_keeps_input_on_error(company: Company) -> None:
    await sign_in(company.client, company.cast["kari"])
    token = await csrf_token(company.client)
    form = {k: str(v) for k, v in _body(company, org_number="123").items()}
    form.pop("company_health_service_takes_part")
    response = await company.client.post("/bedrifter", data={**form, "_csrf_token": token})
    assert response.status_code == 422
    assert "Organisasjonsnummeret må ha 9 siffer." in response.text
    assert 'value="Bodø Bakeri AS"' in response.text
    form["org_number"] = synthetic_org_number(41)
    created = await company.client.post(
        "/bedrifter", data={**form, "bht": "true", "_csrf_token": token}
    )
    assert created.status_code == 303
    page = await company.client.get(created.headers["location"])
    assert "Bodø Bakeri AS" in page.text
    assert "Deltar" in page.text
