"""Valid referral bodies for tests, with synthetic identities only."""

from __future__ import annotations

from datetime import date
from typing import Any

from helseiarbeid.core.identifiers import synthetic_national_id, synthetic_org_number

# A fictitious woman born 14 March 1985, and a D-number for a fictitious man.
PATIENT_ID = synthetic_national_id(date(1985, 3, 14), 123)
OTHER_PATIENT_ID = synthetic_national_id(date(1972, 10, 2), 77, d_number=True)
EMPLOYER_ORG = synthetic_org_number(5)


def referral_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "patient": {
            "national_id": PATIENT_ID,
            "name": "Lise Lyngstad",
            "address": "Fjellveien 3, 8006 Bodø",
            "phone": "912 34 567",
        },
        "employer": {"name": "Bodø Havnelager AS", "org_number": EMPLOYER_ORG},
        "occupation": "Lagermedarbeider",
        "work_status": "sick_leave_graded",
        "sick_leave_percent": 50,
        "sick_leave_since": "2026-10-01",
        "complaint": "both",
        "description": "Smerter i korsrygg og nakke, søvnvansker og nedstemthet siste halvår.",
        "complaint_duration": "6 måneder",
        "question": "Vurdering av arbeidsevne og videre tiltak?",
        "history": "Tidligere frisk.",
        "medication": "Paracet ved behov.",
        "urgency": "routine",
        "consent_nav_participation": True,
    }
    for key, value in overrides.items():
        if "." in key:
            outer, inner = key.split(".", 1)
            body[outer] = {**body[outer], inner: value}
        elif value is _REMOVE:
            body.pop(key, None)
        else:
            body[key] = value
    return body


class _Remove:
    pass


_REMOVE = _Remove()
REMOVE: Any = _REMOVE
