"""Blobs on disk, content-addressed: RATSBLICK_HOME/blobs/ab/cd/abcd…"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings


def blob_path(sha256: str) -> Path:
    return Path(settings.HOME) / "blobs" / sha256[:2] / sha256[2:4] / sha256


def store(data: bytes) -> str:
    """Write `data` once (atomically) and return its sha256."""
    sha256 = hashlib.sha256(data).hexdigest()
    path = blob_path(sha256)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, path)
    return sha256
