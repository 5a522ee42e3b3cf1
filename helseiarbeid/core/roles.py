"""The roles of the service and who belongs to which group."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    GP = "gp"
    COORDINATOR = "coordinator"
    PSYCHOLOGIST = "psychologist"
    PHYSICIAN = "physician"
    NAV_COUNSELLOR = "nav_counsellor"
    ENTERPRISE_CONTACT = "enterprise_contact"
    ADMIN = "admin"
    # A system account that delivers health messages (the message server's poller, an
    # integration): POST /api/v1/messages only.
    MESSAGING = "messaging"
    # National statistics (issue 15 §5): the aggregated figures of every clinic and region,
    # suppressed by core/small_counts; never a case, an enterprise or a person.
    STATISTICS = "statistics"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.GP: "Fastlege",
    Role.COORDINATOR: "Koordinator",
    Role.PSYCHOLOGIST: "Psykolog",
    Role.PHYSICIAN: "Fysikalsk medisiner",
    Role.NAV_COUNSELLOR: "NAV-veileder",
    Role.ENTERPRISE_CONTACT: "Kontaktperson i virksomhet",
    Role.ADMIN: "Administrator",
    Role.MESSAGING: "Meldingstjeneste",
    Role.STATISTICS: "Nasjonal statistikk",
}

# The interdisciplinary team that assesses referrals and facilitates company sessions.
TEAM_ROLES = frozenset({Role.PSYCHOLOGIST, Role.PHYSICIAN, Role.NAV_COUNSELLOR})
CLINIC_STAFF = TEAM_ROLES | {Role.COORDINATOR}
# Roles that must carry an HPR number (registered health personnel).
HEALTH_PERSONNEL_ROLES = frozenset({Role.GP, Role.PSYCHOLOGIST, Role.PHYSICIAN})
ALL_ROLES = frozenset(Role)
