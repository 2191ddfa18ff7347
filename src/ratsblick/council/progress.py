"""Progress bars for long commands: one bar per named piece of work."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
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
