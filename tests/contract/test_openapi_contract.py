"""The JSON API honours the contract it publishes at /schema/openapi.json (issue 7).

Schemathesis generates requests for every /api/ operation from the published document, valid
ones and invalid ones, and sends them to the app in-process as the seeded callers (seed.py,
whose own happy-path calls are held to the contract too):

- as every role the operation is open to, random requests with every check schemathesis 4 has;
- as the operation's first role, schemathesis' coverage cases: boundaries, missing and
  mistyped parameters and fields, unknown fields, undeclared methods;
- as every role it refuses and anonymously, briefly: the policy guard answers before anything
  is read, so a couple of requests per operation show that the refusal is documented too.

No answer may be a 5xx, and every answer must match what is documented for its status. A
failure names the operation and the role's test, the check, and a curl line that reproduces it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.schemas import APIOperation

from helseiarbeid.core.roles import Role
from tests.contract.published import POLICIES, PUBLISHED, TOKEN_SCOPES, load, policy_for
from tests.contract.seed import Seeded

# Every check schemathesis 4 offers is on (its default), with these notes:
# - positive_data_acceptance also accepts 422 besides its defaults (a 5xx still fails
#   not_a_server_error): the schema describes the shape of a request, while rules JSON Schema
#   cannot state (national-ID and organisation-number check digits, dates relative to today,
#   working hours, a referral's status) are the services' to enforce, and they answer 422
#   with a Norwegian message per field, as documented.
# - use_after_free and ensure_resource_availability judge sequences of calls that follow
#   OpenAPI links; the schema publishes no links and these tests send single calls, so they
#   have nothing to judge. Sequences are covered by the flow tests of each domain.
# - object_level_authorization compares identities that schemathesis manages itself; here the
#   callers are the seeded roles, and one GP never seeing another's referral is asserted in
#   tests/referrals/test_access.py.
# - max_response_time has no limit set: latency is the benchmarks' business (bench/).
CHECKS = {
    "positive_data_acceptance": {
        "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
    }
}
# allow-extra-parameters is off: like most HTTP APIs this one ignores query parameters and
# headers it does not know (only unknown body fields are refused), so a request that is
# "invalid" only by carrying an undeclared parameter is answered 200, not rejected.
GENERATION = {"deterministic": True, "database": "none", "allow-extra-parameters": False}
# Kept small so the suite stays quick on both engines; raise it for a deeper hunt, e.g.
# HELSEIARBEID_CONTRACT_EXAMPLES=300 pytest tests/contract
EXAMPLES = int(os.environ.get("HELSEIARBEID_CONTRACT_EXAMPLES", "8"))


def _config(*, max_examples: int, coverage: bool, fuzzing: bool) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "checks": CHECKS,
            "generation": {**GENERATION, "max-examples": max_examples},
            "phases": {"coverage": {"enabled": coverage}, "fuzzing": {"enabled": fuzzing}},
        }
    )


# Random valid and invalid requests, as every role an operation is open to: the services
# answer differently per role (a contact's booking is a request, a GP sees only their own).
AS_ROLE = _config(max_examples=EXAMPLES, coverage=False, fuzzing=True)
# Schemathesis' coverage phase: each parameter and field at its boundaries, missing, of the
# wrong type; unknown fields, undeclared methods. The parsers answer these before any role
# matters, so one caller per operation (its first role, in the order of Role) sends them.
BOUNDARIES = _config(max_examples=1, coverage=True, fuzzing=False)
# Refused callers: the guard answers before parameters or body are read.
REFUSED = _config(max_examples=2, coverage=False, fuzzing=True)


def first_role(operation: APIOperation) -> Role:
    return next(role for role in Role if role in policy_for(operation).roles)


# Hypothesis' health checks judge generation speed and filtering; a request to the app is part
# of each example here, and some operations (PDFs) take a while by design.
QUIET = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _as(role: Role) -> Callable[..., None]:
    operations = load(AS_ROLE, lambda operation: role in policy_for(operation).roles)

    @operations.parametrize()
    @QUIET
    def test(case: Case, contract: Seeded) -> None:
        case.call_and_validate(headers=contract.headers[role])

    return test


test_as_gp = _as(Role.GP)
test_as_coordinator = _as(Role.COORDINATOR)
test_as_psychologist = _as(Role.PSYCHOLOGIST)
test_as_physician = _as(Role.PHYSICIAN)
test_as_nav_counsellor = _as(Role.NAV_COUNSELLOR)
test_as_enterprise_contact = _as(Role.ENTERPRISE_CONTACT)
test_as_admin = _as(Role.ADMIN)


@load(BOUNDARIES, lambda operation: True).parametrize()
@QUIET
def test_boundaries_and_invalid_requests(case: Case, contract: Seeded) -> None:
    case.call_and_validate(headers=contract.headers[first_role(case.operation)])


@load(REFUSED, lambda operation: True).parametrize()
@QUIET
def test_refused_and_anonymous_callers(case: Case, contract: Seeded) -> None:
    for role in sorted(set(Role) - policy_for(case.operation).roles):
        case.call_and_validate(headers=contract.headers[role])
    case.call_and_validate(headers={})


def _documented(operation: dict[str, Any]) -> set[int]:
    return {int(code) for code in operation["responses"] if code.isdigit()}


def test_every_operation_documents_its_refusals() -> None:
    """What the guard and the parsers answer is published for every operation, including the
    statuses the generated requests above may not happen to provoke."""
    problems = []
    for path, operations in PUBLISHED["paths"].items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            policy = POLICIES[(method.upper(), path)]
            documented = _documented(operation)
            parameters = operation.get("parameters", [])
            expected = {401}
            if policy.roles != set(Role):
                expected.add(403)
            if any(parameter["in"] == "path" for parameter in parameters):
                expected |= {404, 422}
            if parameters:
                expected.add(422)
            if "requestBody" in operation:
                expected |= {400, 413, 422}
            if missing := expected - documented:
                problems.append(f"{method.upper()} {path} does not document {sorted(missing)}")
            if operation.get("security", [])[:1] != [{"bearerToken": []}]:
                problems.append(f"{method.upper()} {path} does not declare the bearer token")
    assert problems == []


def test_the_operations_open_to_helseid_tokens_declare_dpop_with_their_scope() -> None:
    """A record system reads from the document which operations take a DPoP-bound HelseID
    token and with which scope: exactly those whose policy names one (``needs_scope``)."""
    scheme = PUBLISHED["components"]["securitySchemes"]["helseIdDpop"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "DPoP")
    assert "use_dpop_nonce" in scheme["description"]
    declared, expected = {}, {}
    for path, operations in PUBLISHED["paths"].items():
        for method, operation in operations.items():
            key = (method.upper(), path)
            for requirement in operation.get("security", []):
                if "helseIdDpop" in requirement:
                    declared[key] = requirement["helseIdDpop"]
            if key in TOKEN_SCOPES:
                expected[key] = [TOKEN_SCOPES[key]]
    assert expected[("POST", "/api/v1/referrals")] == ["referrals.write"]
    assert declared == expected
