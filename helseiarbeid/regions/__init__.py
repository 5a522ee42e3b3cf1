"""NAV regions: which NAV Arbeidslivssenter serves which municipality, and who works for it."""
