"""What every `ratsblick` command shares: one base, body selection, the
configured HTTP client, progress bars and the index update after a write.

It lives in `council` (the lowest app) so that the commands of every app can
use it without an app depending on one above it.
"""

from __future__ import annotations

from typing import IO, Any, cast

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Q
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from ratsblick import config
from ratsblick.council.models import Body
from ratsblick.oparl.http import ClientConfig, HttpClient

_migrated: set[tuple[str, str]] = set()


def ensure_migrated(alias: str = DEFAULT_DB_ALIAS) -> None:
    """Apply pending migrations, once per database and process.

    Commands call each other (`demo` runs `index`, `sync` runs `index`); the
    check costs a migration graph load, so it is not repeated.
    """
    connection = connections[alias]
    key = (alias, str(connection.settings_dict["NAME"]))
    if key in _migrated:
        return
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", database=alias, verbosity=0)
    _migrated.add(key)


class RatsblickCommand(BaseCommand):
    """A command that works on a migrated database, whichever runs first."""

    def execute(self, *args: Any, **options: Any) -> str | None:
        ensure_migrated()
        return super().execute(*args, **options)

    def console(self) -> Console:
        # OutputWrapper is a TextIOBase at run time; its stub is not an IO[str].
        return Console(file=cast(IO[str], self.stdout), highlight=False)


def select_bodies(names: list[str]) -> list[Body]:
    """Subscribed bodies by pk, OParl id or name; all of them when none is named."""
    bodies = Body.objects.filter(subscribed=True).order_by("pk")
    if not names:
        return list(bodies)
    chosen: list[Body] = []
    for name in names:
        match = Q(oparl_id=name) | Q(name__iexact=name)
        if name.isdigit() and len(name) < 19:  # beyond that no bigint, no pk
            match |= Q(pk=int(name))
        found = list(bodies.filter(match))
        if not found:
            raise CommandError(f"no body {name!r}: see `ratsblick status`")
        chosen.extend(found)
    return chosen


def http_client(*, allow_private: bool | None = None) -> HttpClient:
    """The HTTP client as configured by the environment."""
    return HttpClient(
        ClientConfig(
            timeout=config.HTTP_TIMEOUT.get(),
            retries=config.HTTP_RETRIES.get(),
            backoff=config.HTTP_BACKOFF.get(),
            per_host=config.HTTP_PER_HOST.get(),
            allow_private=(
                config.ALLOW_PRIVATE_HOSTS.get() if allow_private is None else allow_private
            ),
        )
    )


class Bars(Progress):
    """`bars.update_named("Hürtgenwald: paper", 3, 85)` adds the bar on first use."""

    def __init__(self, console: Console) -> None:
        super().__init__(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._named: dict[str, TaskID] = {}

    def update_named(self, name: str, done: int, total: int | None) -> None:
        if name not in self._named:
            self._named[name] = self.add_task(name, total=total)
        self.update(self._named[name], completed=done, total=total)


def update_search_index(command: BaseCommand, console: Console) -> None:
    """Index what changed (embedded mode has no worker to do it later).

    By command name, so that `council` does not depend on the search app; a
    busy index is no failure of the write that came before: the changes stay
    queued.
    """
    try:
        call_command("index", stdout=command.stdout)
    except CommandError as error:
        console.print(f"[yellow]{error}")
