from tests.clinics.conftest import other_clinic  # noqa: F401 - a second clinic, for the per-clinic figures
