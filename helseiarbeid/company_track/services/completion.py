"""What may stop or qualify completing a programme (recording the evaluation), asked of the
domains that build on the company track without the track importing them.

A domain above the track (e.g. ``surveys``) registers a check once, at import. Each check is
given the programme id inside the evaluation's write transaction and answers with findings:
a blocking one refuses the completion (409 with its message); a warning is shown on the
programme page before the evaluation is recorded. Source: issue 16 §10 (completing is refused
while a survey is open, and warns when the evaluation survey was not run).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    message: str  # Norwegian, shown to the coordinator as it is
    blocking: bool


CompletionCheck = Callable[[int], Awaitable[list[Finding]]]
_CHECKS: list[CompletionCheck] = []


def register_completion_check(check: CompletionCheck) -> None:
    """Add ``check`` (idempotent: registering the same function twice keeps one)."""
    if check not in _CHECKS:
        _CHECKS.append(check)


async def completion_findings(programme_id: int) -> list[Finding]:
    """Every registered check's findings for the programme, blocking ones first."""
    findings = [finding for check in _CHECKS for finding in await check(programme_id)]
    return sorted(findings, key=lambda finding: not finding.blocking)
