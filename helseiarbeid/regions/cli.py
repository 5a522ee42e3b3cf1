"""`helseiarbeid regions …`: the admin page's changes for scripts (list, create, municipality,
unlist, add-member, remove-member). Errors exit 2 with the service's Norwegian message."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine
from typing import Any, TypeVar

import click

from helseiarbeid.core.errors import ServiceError

T = TypeVar("T")


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(coroutine)
    except ServiceError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        sys.exit(2)


async def _user_id(email: str) -> int:
    from helseiarbeid.core import users

    return (await users.get_active_user_by_email(email)).id


@click.group("regions")
def regions_cli() -> None:
    """NAV regions, the municipalities they serve, and who works for them."""


@regions_cli.command("list")
def list_regions() -> None:
    """Each region with its municipalities and members."""
    from helseiarbeid.regions import services

    for region in _run(services.list_regions()):
        default = " (standard)" if region.is_default else ""
        click.echo(f"{region.id}\t{region.name}{default}")
        click.echo(f"\tkommuner: {', '.join(region.municipalities) or '–'}")
        click.echo(f"\tmedlemmer: {', '.join(m.name for m in region.members) or '–'}")


@regions_cli.command("create")
@click.argument("name")
def create(name: str) -> None:
    """A new region; prints its id."""
    from helseiarbeid.regions import services

    click.echo(_run(services.create_region(name)))


@regions_cli.command("municipality")
@click.argument("municipality")
@click.option("--region", required=True, help="The region's exact name")
def municipality(municipality: str, region: str) -> None:
    """Give MUNICIPALITY to the region (its enterprises move with it)."""
    from helseiarbeid.regions import services

    async def act() -> None:
        await services.assign_municipality(municipality, await services.region_id_by_name(region))

    _run(act())


@regions_cli.command("unlist")
@click.argument("municipality")
def unlist(municipality: str) -> None:
    """No region lists MUNICIPALITY any more: its enterprises go to the default region."""
    from helseiarbeid.regions import services

    _run(services.remove_municipality(municipality))


@regions_cli.command("add-member")
@click.option("--email", required=True)
@click.option("--region", required=True, help="The region's exact name")
def add_member(email: str, region: str) -> None:
    """The user (coordinator or team member) works for the region."""
    from helseiarbeid.regions import services

    async def act() -> None:
        await services.add_member(await _user_id(email), await services.region_id_by_name(region))

    _run(act())


@regions_cli.command("remove-member")
@click.option("--email", required=True)
@click.option("--region", required=True, help="The region's exact name")
def remove_member(email: str, region: str) -> None:
    from helseiarbeid.regions import services

    async def act() -> None:
        await services.remove_member(
            await _user_id(email), await services.region_id_by_name(region)
        )

    _run(act())
