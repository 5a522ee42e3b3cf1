"""Norwegian words for the codes the service stores: one table for every page that shows them.

The access log keeps codes (``read``, ``referral_status``, ``gp``, ``in_progress``) so that rows
stay comparable whatever the wording; people read them through these functions. Core holds the
referral statuses' words too (``referrals.status`` builds its labels from them), because the
log shows statuses and core imports no domain.
"""

from __future__ import annotations

import re

from helseiarbeid.core.roles import ROLE_LABELS

ACTION_LABELS = {
    "read": "Lest",
    "create": "Opprettet",
    "update": "Endret",
    "export": "Eksportert",
    "refused": "Nektet innsyn",
}

# What an access-log row is about (audit_event.resource_type).
RESOURCE_LABELS = {
    "referral": "Henvisning",
    "referral_status": "Status på henvisning",
    "referral_responsible": "Ansvarlig i teamet",
    "referral_clinic": "Henvisningens klinikk",
    "clinic": "Klinikk",
    "app_user": "Bruker",
    "referral_nav_consent": "Samtykke til at NAV deltar",
    "referral_reasoned_access": "Tjenstlig behov oppgitt",
    "referral_document": "Dokument",
    "referral_information": "Svar på spørsmål fra teamet",
    "triage_note": "Triasjenotat",
    "assessment": "Vurdering",
    "consultation": "Konsultasjon",
    "clarification": "Avklaring",
    "onward_referral": "Henvisning videre",
    "access_log": "Tilgangslogg",
    "patient": "Pasientens navn og fødselsnummer",
    "login": "Innlogging",
    "health_message": "Helsemelding",
}

REFERRAL_STATUS_LABELS = {
    "received": "Mottatt",
    "under_assessment": "Under vurdering",
    "accepted": "Tatt inn",
    "returned": "Returnert til fastlege",
    "in_progress": "Under utredning",
    "completed": "Avsluttet",
    "withdrawn": "Trukket tilbake",
}

# Actors that are not a role of a person.
_OTHER_ACTORS = {"system": "Systemet", "anonymous": "Ukjent person"}
_ROLE_WORDS = {role.value: label for role, label in ROLE_LABELS.items()} | _OTHER_ACTORS
_STATUS_IN_TEXT = re.compile(r"\b(" + "|".join(REFERRAL_STATUS_LABELS) + r")\b")


def role_label(code: str) -> str:
    """``"nav_counsellor"`` -> ``"NAV-veileder"``; an unknown code is shown as it is."""
    return _ROLE_WORDS.get(code, code)


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


def resource_label(code: str) -> str:
    return RESOURCE_LABELS.get(code, code)


def status_label(code: str) -> str:
    return REFERRAL_STATUS_LABELS.get(code, code)


def purpose_label(text: str) -> str:
    """A logged purpose with any status code in it said in words:
    ``"status endret til in_progress"`` -> ``"status endret til «under utredning»"``."""
    return _STATUS_IN_TEXT.sub(lambda match: f"«{status_label(match[1]).lower()}»", text)
