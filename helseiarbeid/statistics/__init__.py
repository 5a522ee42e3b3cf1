"""National statistics (issue 15 §5–6): aggregates of both tracks, per region and month, all
through ``core.small_counts``; above the domains, reading them through their services."""
