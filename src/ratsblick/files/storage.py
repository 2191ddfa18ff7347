"""Blobs on disk, content-addressed: RATSBLICK_HOME/blobs/ab/cd/abcd…"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings


def blob_path(sha256: str) -> Path:
    return Path(settings.HOME) / "blobs" / sha256[:2] / sha256[2:4] / sha256


def temporary_file() -> Path:
    """A file beside the blobs (same file system, so moving it in is atomic)."""
    folder = Path(settings.HOME) / "blobs" / "incoming"
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=folder)
    os.close(handle)
    return Path(name)


def store_file(path: Path) -> str:
    """Move a downloaded file into place under its sha256 (or drop it if known)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    sha256 = digest.hexdigest()
    target = blob_path(sha256)
    if target.exists():
        path.unlink()
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
    return sha256
