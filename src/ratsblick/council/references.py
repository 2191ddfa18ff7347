"""Drucksachen-Nummern: a supplement's reference is its paper's with a suffix."""

from __future__ import annotations

import re

# "159/2006 1. Ergänzung", "FB 02/0131/WP17-S", "12/2020-1".
_SUPPLEMENT = re.compile(
    r"(?:\s*-\s*[0-9A-Za-z]{1,3}|\s+\d+\.\s*(?:Ergänzung|Nachtrag|Änderung)\w*)$", re.IGNORECASE
)


def reference_stem(reference: str) -> str:
    """The reference without a supplement's suffix ("159/2006 1. Ergänzung" → "159/2006")."""
    return _SUPPLEMENT.sub("", reference.strip())
