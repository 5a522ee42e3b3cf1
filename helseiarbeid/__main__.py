"""The ``helseiarbeid`` command: serve, migrate, seed-demo, create-user, create-token,
messages receive.

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
def create_user(
    email: str,
    name: str,
    role: str,
    hpr: str | None,
    workplace: str,
    password: str | None,
    no_password: bool,
    pid: bool,
) -> None:
    """Create a user and print its id."""
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
    user = _run(
        users.create_user(
            email=email,
            name=name,
            role=parsed_role,
            password=password,
            hpr_number=hpr,
            workplace_name=workplace,
        )
    )
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
    a message was rejected (AppRec status 2), with its file name and error codes on stderr."""
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
        click.echo(answer.apprec_xml.decode())
        if answer.status == 2:
            rejected = True
            click.echo(f"{name}: avvist (AppRec status 2)", err=True)
    if rejected:
        sys.exit(1)


def _add_groups() -> None:
    from helseiarbeid.regions.cli import regions_cli

    cli.add_command(regions_cli)


_add_groups()


def main() -> None:
    cli(prog_name="helseiarbeid")


if __name__ == "__main__":
    main()
