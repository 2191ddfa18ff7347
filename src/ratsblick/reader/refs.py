"""Small references to other pages: enough to link to them and name them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Ref:
    """An object with a page of its own (person, organization, meeting, body)."""

    pk: int
    name: str
