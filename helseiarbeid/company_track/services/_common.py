"""Names shared by the company track's service modules: the busy-time kind for a company session,
the roles that count as health facilitators, and the session states that hold time.
"""

from __future__ import annotations

from helseiarbeid.company_track.schemas import SessionState
from helseiarbeid.core.roles import Role

COMPANY_SESSION = "company_session"
HEALTH_FACILITATORS = frozenset({Role.PSYCHOLOGIST, Role.PHYSICIAN})
ACTIVE_STATES = (SessionState.REQUESTED.value, SessionState.CONFIRMED.value)
