"""Individual track, part 2: the team's triage, assessment, consultations and report to the GP."""
