"""Core routes: login, start page, health, administration, and the caller's own identity."""
