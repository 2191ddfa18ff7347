"""What a sync run reports, capped while it is collected.

A body whose every object carries the same bad value would otherwise hold
a note per object in memory and in the run's row.
"""

from __future__ import annotations

from collections.abc import Iterable

MAX_NOTES = 500  # a run against a badly broken server stays a readable row


class Notes:
    """The first `limit` notes, and how many more there were."""

    def __init__(self, limit: int = MAX_NOTES) -> None:
        self.limit = limit
        self.kept: list[str] = []
        self.dropped = 0

    def add(self, note: str) -> None:
        if len(self.kept) < self.limit:
            self.kept.append(note)
        else:
            self.dropped += 1

    def extend(self, notes: Iterable[str]) -> None:
        for note in notes:
            self.add(note)

    def as_list(self) -> list[str]:
        if not self.dropped:
            return list(self.kept)
        return [*self.kept, f"… and {self.dropped} more"]
