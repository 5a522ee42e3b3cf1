"""Clinics: the outpatient teams one installation serves, their HER-ids, areas and staff."""
