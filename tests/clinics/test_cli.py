"""`helseiarbeid clinics ...` and `create-user --clinic`: the admin pages' changes for
scripts; bad input exits 2 with one line and writes nothing."""

from __future__ import annotations

from helseiarbeid.clinics import services as clinics
from helseiarbeid.clinics.tables import Clinic, ClinicHerId, ClinicMembership
from helseiarbeid.core.tables import AuditEvent, User
from tests.cast import Cast, default_clinic
from tests.core.test_cli import _run


async def test_clinics_are_made_and_filled_from_the_command_line(database: str, cast: Cast) -> None:
    steps = [
        ("clinics", "create", "--name", "HelseIArbeid Troms", "--slug", "troms"),
        ("clinics", "add-her-id", "troms", "8765432"),
        ("clinics", "add-municipality", "troms", "5501", "Tromsø"),
        ("clinics", "add-member", "troms", "--email", "per@test.example"),
        (
            "create-user",
            *("--email", "tove@test.example", "--name", "Tove Troms", "--role", "coordinator"),
            *("--no-password", "--clinic", "troms"),
        ),
    ]
    for step in steps:
        result = _run(database, *step)
        assert result.returncode == 0, (step, result.stderr)
    troms = await clinics.get_clinic("troms")
    assert troms.her_ids == ["8765432"]
    assert [(m.number, m.name) for m in troms.municipalities] == [("5501", "Tromsø")]
    assert sorted(member.email for member in troms.members) == [
        "per@test.example",
        "tove@test.example",
    ]
    listed = _run(database, "clinics", "list")
    assert "troms\tHelseIArbeid Troms\tHER-id: 8765432" in listed.stdout
    changes = await AuditEvent.count().where(AuditEvent.resource_type == "clinic")
    assert changes == 5


async def test_bad_clinic_input_exits_2_and_writes_nothing(database: str, cast: Cast) -> None:
    before = (await Clinic.count(), await ClinicHerId.count(), await ClinicMembership.count())
    for step, message in [
        (("clinics", "create", "--name", "X", "--slug", "troms"), "Navnet må ha 2–200 tegn"),
        (("clinics", "create", "--name", "Troms", "--slug", "Troms Øst"), "Kortnavnet"),
        (("clinics", "add-her-id", "nowhere", "123"), "Klinikken finnes ikke"),
        (("clinics", "add-her-id", "helseiarbeid", "12a"), "1–16 sifre"),
        (("clinics", "add-member", "helseiarbeid", "--email", "erik@test.example"), "Bare"),
        (
            (
                "create-user",
                *("--email", "x@test.example", "--name", "X Y", "--role", "coordinator"),
                *("--no-password", "--clinic", "nowhere"),
            ),
            "Klinikken finnes ikke",
        ),
    ]:
        result = _run(database, *step)
        assert result.returncode == 2, (step, result.stdout)
        assert message in result.stderr, (step, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1
    after = (await Clinic.count(), await ClinicHerId.count(), await ClinicMembership.count())
    assert after == before
    assert not await User.exists().where(User.email == "x@test.example")


async def test_new_clinic_staff_join_the_only_clinic(database: str, cast: Cast) -> None:
    args = ("--name", "Siri Single", "--role", "psychologist", "--hpr", "6789123")
    result = _run(database, "create-user", "--email", "siri@test.example", *args, "--no-password")
    assert result.returncode == 0, result.stderr
    user_id = int(result.stdout.strip())
    assert await clinics.is_member(user_id, await default_clinic())
