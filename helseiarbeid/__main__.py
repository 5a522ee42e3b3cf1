"""The ``helseiarbeid`` command: serve, worker, migrate, seed-demo, create-user, create-token,
messages receive, clinics (list, create, update, add/remove HER-ids, municipalities and
members).

Bad input ends with a one-line message on stderr and exit code 2; nothing is written.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Coroutine
from typing import Any, NoReturn, TypeVar

import click

from helseiarbeid.core.database import DatabaseURLError, engine_from_url
from helseiarbeid.core.errors import ServiceError
from helseiarbeid.core.tokens import IssuedToken
from helseiarbeid.settings import SettingsError, get_settings

T = TypeVar("T")
USAGE_ERROR = 2


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(USAGE_ERROR)


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(coroutine)
    except ServiceError as exc:
        _fail(exc.message)


@click.group()
def cli() -> None:
    """HelseIArbeid coordination service."""
    try:
        engine_from_url(get_settings().database_url)
    except (DatabaseURLError, SettingsError) as exc:
        _fail(str(exc))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web app and API."""
    import uvicorn

    uvicorn.run(
        "helseiarbeid.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        proxy_headers=True,
    )


@cli.command()
def worker() -> None:
    """Deliver the outbox and, when the message server is configured, poll it for health
    messages, until SIGTERM or SIGINT (Ctrl-C)."""
    import signal

    from helseiarbeid.core import database, outbox
    from helseiarbeid.core.logs import configure_logging
    from helseiarbeid.messaging import message_server

    configure_logging(get_settings().log_level)

    async def work() -> None:
        engine = database.current_engine()
        await database.start(engine)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        tasks = [asyncio.create_task(outbox.run(stop))]
        if message_server.register():
            tasks.append(asyncio.create_task(message_server.run_poller(stop)))
        click.echo(
            "worker: outbox"
            + (", message server" if len(tasks) > 1 else " (message server not configured)"),
            err=True,
        )
        try:
            await asyncio.gather(*tasks)
        finally:
            await database.stop(engine)

    _run(work())


@cli.command()
def migrate() -> None:
    """Apply pending database migrations."""
    from helseiarbeid.core.migrations import MigrationError, apply_migrations

    try:
        asyncio.run(apply_migrations())
    except MigrationError as exc:
        _fail(f"migration failed: {exc}")


@cli.command("db-roles")
@click.option(
    "--role", required=True, help="The role the service connects as, e.g. helseiarbeid_app"
)
@click.option(
    "--password-env",
    metavar="VARIABLE",
    help="Set ROLE's password from this environment variable (never on the command line)",
)
def db_roles(role: str, password_env: str | None) -> None:
    """PostgreSQL: let ROLE read and write rows but not change tables or the access log.

    Run as the tables' owner after every migrate; then serve with a database URL of ROLE."""
    from helseiarbeid.core.db_roles import grant_service_role

    password = None
    if password_env is not None:
        password = os.environ.get(password_env)
        if not password:
            _fail(f"environment variable {password_env} is not set or empty")
    _run(grant_service_role(role, password))
    click.echo(f"Role {role} may now use the tables; it cannot truncate, alter or edit the log.")


@cli.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def seed_demo(if_empty: bool) -> None:
    """Load fictitious demo data (synthetic identities only)."""
    from helseiarbeid.demo import load_demo_data

    if not get_settings().accept_synthetic_ids:
        _fail(
            "demo data uses synthetic national IDs: set HELSEIARBEID_ACCEPT_SYNTHETIC_IDS=true "
            "(make run does); never load demo data into production"
        )
    loaded = _run(load_demo_data(only_if_empty=if_empty, progress=click.echo))
    if not loaded:
        click.echo("Database already has data; demo data skipped.")


@cli.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, help="gp, coordinator, psychologist, physician, ...")
@click.option("--hpr", default=None, help="HPR number (required for gp, psychologist, physician)")
@click.option("--workplace", default="", help="Office or workplace name shown on letters")
@click.option("--password", default=None, help="Prompted for when left out")
@click.option("--no-password", is_flag=True, help="A system client that only uses API tokens")
@click.option(
    "--pid",
    is_flag=True,
    help="Prompt for the national identity number an OpenID provider will give (stored hashed)",
)
@click.option(
    "--clinic",
    "clinic_slugs",
    multiple=True,
    help="Short name of a clinic the user works for (repeatable); clinic staff join the only "
    "clinic when there is one and none is given",
)
def create_user(
    email: str,
    name: str,
    role: str,
    hpr: str | None,
    workplace: str,
    password: str | None,
    no_password: bool,
    pid: bool,
    clinic_slugs: tuple[str, ...],
) -> None:
    """Create a user and print its id."""
    from helseiarbeid.clinics import services as clinics
    from helseiarbeid.core import external_identity, users
    from helseiarbeid.core.identifiers import IdentifierError, validate_national_id

    try:
        parsed_role = users.parse_role(role)
        users.validate_new_user(email=email, name=name, role=parsed_role, hpr_number=hpr)
    except ServiceError as exc:
        _fail(exc.message)
    national_id = None
    if pid:
        # Prompted, never an option: a national ID must not land in the shell's history.
        try:
            national_id = validate_national_id(click.prompt("National identity number"))
        except IdentifierError as exc:
            _fail(str(exc))
    if password is None and not no_password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)

    async def create() -> users.CurrentUser:
        joins = list(clinic_slugs) or await clinics.default_clinics_for(parsed_role)
        for slug in joins:
            await clinics.clinic_by_slug(slug)  # an unknown clinic stops before anything
        created = await users.create_user(
            email=email,
            name=name,
            role=parsed_role,
            password=password,
            hpr_number=hpr,
            workplace_name=workplace,
        )
        for slug in joins:
            await clinics.add_member(_actor(), slug, created.id)
        return created

    user = _run(create())
    if national_id is not None:
        _run(external_identity.link_pid(user.id, national_id))
    click.echo(user.id)


@cli.command("create-token")
@click.option("--email", required=True)
@click.option("--name", default="", help="What the token is for, e.g. the GP system's name")
def create_token(email: str, name: str) -> None:
    """Print a new API token for the user (shown once; stored only as a hash), and on stderr
    when it expires."""
    from helseiarbeid.core import tokens, users

    async def issue() -> IssuedToken:
        user = await users.get_active_user_by_email(email)
        return await tokens.issue_api_token(user.id, name)

    _print_issued(_run(issue()))


@cli.command("rotate-token")
@click.option("--id", "token_id", required=True, type=int)
def rotate_token(token_id: int) -> None:
    """Print a new token for the same user and purpose; the old one stops working after the
    grace period (HELSEIARBEID_API_TOKEN_ROTATION_GRACE_DAYS, default 7)."""
    from helseiarbeid.core import tokens

    _print_issued(_run(tokens.rotate_api_token(token_id)))


def _print_issued(issued: IssuedToken) -> None:
    from helseiarbeid.core.timefmt import format_datetime

    click.echo(issued.secret)
    click.echo(f"Nøkkelen utløper {format_datetime(issued.expires_at)}.", err=True)


@cli.command("totp-code")
@click.option("--email", required=True)
def totp_code(email: str) -> None:
    """Print the next second-factor code of a DEMO account (seed-demo enrols the team with
    published demo secrets). Refused for any other account, and unless
    HELSEIARBEID_ACCEPT_SYNTHETIC_IDS is on (demo and test environments only)."""
    from helseiarbeid.core import totp

    code = _run(totp.demo_code(email))
    click.echo(code.code)
    click.echo(f"Koden virker i minst {code.seconds_left} sekunder, én gang.", err=True)


@cli.command("revoke-token")
@click.option("--id", "token_id", required=True, type=int)
def revoke_token(token_id: int) -> None:
    """Revoke an API token by its id (see the admin page)."""
    from helseiarbeid.core import tokens

    _run(tokens.revoke_api_token(token_id))
    click.echo(f"Token {token_id} revoked.")


@cli.group()
def audit() -> None:
    """The access log."""


@audit.command("verify")
def audit_verify() -> None:
    """Walk the access log's hash chain; exit 1 naming the first row that was changed,
    removed or put in out of order, else print how many rows were checked."""
    from helseiarbeid.core import audit_chain

    verdict = _run(audit_chain.verify())
    if verdict.problem is None:
        click.echo(f"Tilgangsloggen er hel: {verdict.rows} rader kontrollert.")
        return
    where = f"rad med id {verdict.event_id}: " if verdict.event_id is not None else ""
    click.echo(
        f"Tilgangsloggen er endret: {where}{verdict.problem} "
        f"({verdict.rows} rader før bruddet er hele).",
        err=True,
    )
    sys.exit(1)


@cli.group()
def messages() -> None:
    """Health messages (Henvisning in, AppRec out)."""


@messages.command("receive")
@click.option(
    "--account", required=True, help="Email of the system account (role messaging) that acts"
)
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def messages_receive(account: str, files: tuple[str, ...]) -> None:
    """Receive each FILE as POST /api/v1/messages would, and print its AppRec XML. Exit 1 when
    a message was rejected (AppRec status 2), with its file name and error codes on stderr (and
    no AppRec when its sender could not be read, see ``messaging.services.receiving``)."""
    from pathlib import Path

    from helseiarbeid.core import users
    from helseiarbeid.core.audit import Actor
    from helseiarbeid.core.roles import Role
    from helseiarbeid.messaging import services

    bodies = [Path(name).read_bytes() for name in files]

    async def receive_all() -> list[services.Answer]:
        user = await users.get_active_user_by_email(account)
        if user.role is not Role.MESSAGING:
            _fail(f"{account} does not have the role messaging")
        actor = Actor(user_id=user.id, role=user.role.value, client="cli")
        return [await services.receive(body, actor) for body in bodies]

    answers = _run(receive_all())
    rejected = False
    for name, answer in zip(files, answers, strict=True):
        if answer.apprec_xml is not None:
            click.echo(answer.apprec_xml.decode())
        if answer.status == 2:
            rejected = True
            codes = ", ".join(f"{code} {text}" for code, text in answer.errors)
            click.echo(f"{name}: avvist (AppRec status 2): {codes}", err=True)
            if answer.apprec_xml is None:
                click.echo(f"{name}: {services.NO_SENDER}", err=True)
    if rejected:
        sys.exit(1)


def _add_groups() -> None:
    from helseiarbeid.regions.cli import regions_cli

    cli.add_command(regions_cli)


_add_groups()


@cli.group("clinics")
def clinics_group() -> None:
    """Clinics: their HER-ids, the municipalities they serve and their members."""


CLI_ACTOR_ROLE = "system"


def _actor() -> Any:
    from helseiarbeid.core.audit import Actor

    return Actor(user_id=None, role=CLI_ACTOR_ROLE, client="cli")


@clinics_group.command("list")
def clinics_list() -> None:
    """Print each clinic: short name, name, HER-ids, municipalities and members."""
    from helseiarbeid.clinics import services as clinics

    for clinic in _run(clinics.list_clinics()):
        places = ", ".join(f"{m.number} {m.name}" for m in clinic.municipalities) or "-"
        members = ", ".join(member.email for member in clinic.members) or "-"
        click.echo(
            f"{clinic.slug}\t{clinic.name}\tHER-id: {', '.join(clinic.her_ids) or '-'}\t"
            f"kommuner: {places}\tmedlemmer: {members}"
        )


@clinics_group.command("create")
@click.option("--name", required=True)
@click.option("--slug", required=True, help="Short name: a–z, 0–9 and -, 2–40 characters")
@click.option("--opening-hours", default="")
def clinics_create(name: str, slug: str, opening_hours: str) -> None:
    """Create a clinic and print its id."""
    from helseiarbeid.clinics import services as clinics

    click.echo(
        _run(clinics.create_clinic(_actor(), name=name, slug=slug, opening_hours=opening_hours))
    )


@clinics_group.command("update")
@click.argument("slug")
@click.option("--name", required=True)
@click.option("--opening-hours", default="")
def clinics_update(slug: str, name: str, opening_hours: str) -> None:
    """Rename a clinic or change its opening hours."""
    from helseiarbeid.clinics import services as clinics

    _run(clinics.update_clinic(_actor(), slug, name=name, opening_hours=opening_hours))


@clinics_group.command("add-her-id")
@click.argument("slug")
@click.argument("her_id")
def clinics_add_her_id(slug: str, her_id: str) -> None:
    """Messages to HER_ID go to the clinic SLUG (a HER-id reaches one clinic)."""
    from helseiarbeid.clinics import services as clinics

    _run(clinics.add_her_id(_actor(), slug, her_id))


@clinics_group.command("remove-her-id")
@click.argument("slug")
@click.argument("her_id")
def clinics_remove_her_id(slug: str, her_id: str) -> None:
    from helseiarbeid.clinics import services as clinics

    _run(clinics.remove_her_id(_actor(), slug, her_id))


@clinics_group.command("add-municipality")
@click.argument("slug")
@click.argument("number")
@click.argument("name")
def clinics_add_municipality(slug: str, number: str, name: str) -> None:
    """The clinic SLUG serves municipality NUMBER (kommunenummer) NAME."""
    from helseiarbeid.clinics import services as clinics

    _run(clinics.add_municipality(_actor(), slug, number=number, name=name))


@clinics_group.command("remove-municipality")
@click.argument("slug")
@click.argument("number")
def clinics_remove_municipality(slug: str, number: str) -> None:
    from helseiarbeid.clinics import services as clinics

    _run(clinics.remove_municipality(_actor(), slug, number))


def _user_id(email: str) -> Coroutine[Any, Any, int]:
    from helseiarbeid.core import users

    async def find() -> int:
        return (await users.get_active_user_by_email(email)).id

    return find()


@clinics_group.command("add-member")
@click.argument("slug")
@click.option("--email", required=True)
def clinics_add_member(slug: str, email: str) -> None:
    """The user with this e-mail works for the clinic SLUG from now on."""
    from helseiarbeid.clinics import services as clinics

    async def add() -> None:
        await clinics.add_member(_actor(), slug, await _user_id(email))

    _run(add())


@clinics_group.command("remove-member")
@click.argument("slug")
@click.option("--email", required=True)
def clinics_remove_member(slug: str, email: str) -> None:
    from helseiarbeid.clinics import services as clinics

    async def remove() -> None:
        await clinics.remove_member(_actor(), slug, await _user_id(email))

    _run(remove())


def main() -> None:
    cli(prog_name="helseiarbeid")


if __name__ == "__main__":
    main()
