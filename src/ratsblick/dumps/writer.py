"""Bulk dumps: every object of a body as gzipped JSON Lines, written aside.

One line per object: `type`, our `pk`, the council's `oparlId`, `body`,
`deleted`, its OParl properties by OParl name, references as our pks
(`mainFile: 17`, `organization: [3, 5]`). A meeting carries its agenda
items, a paper its consultations, a file the text we read from it.

A dump is written to a temporary file beside the published one and renamed
over it when complete (`os.replace` is atomic): the web serves the previous
dump until then, and a dump that fails or is killed leaves it untouched
(what a killed one left behind is removed a day later by the next).
Objects are read a key-set page at a time and streamed through gzip, so
memory stays flat for a city of any size.

The instance's dump is the bodies' dumps one after another: gzip allows
members to follow each other, and every reader reads them as one stream.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings

from ratsblick.reader import records
from ratsblick.reader.records import Item

# The types a dump holds: (type, embedded property, its type, the embedded
# type's reference to its owner).
DUMPED: tuple[tuple[str, str, str | None, str | None], ...] = (
    ("LegislativeTerm", "", None, None),
    ("Location", "", None, None),
    ("Organization", "", None, None),
    ("Person", "", None, None),
    ("Membership", "", None, None),
    ("Meeting", "agendaItem", "AgendaItem", "meeting"),
    ("Paper", "consultation", "Consultation", "paper"),
    ("File", "", None, None),
)
INSTANCE = "ratsblick-alle"
STALE_SECONDS = 24 * 3600
SUFFIX = ".jsonl.gz"
CHUNK = 500


def folder() -> Path:
    return Path(settings.HOME) / "dumps"


def body_name(pk: int) -> str:
    return f"kommune-{pk}"


def _line(item: Item, embedded: Sequence[Item] = (), name: str = "") -> dict[str, Any]:
    refs = records.references(item.kind)
    obj: dict[str, Any] = {
        "type": item.kind,
        "pk": item.pk,
        "oparlId": item.oparl_id,
        "body": item.body,
        "deleted": item.deleted,
    }
    obj.update({key: records.json_value(value) for key, value in item.values.items()})
    for key, pks in item.refs.items():
        obj[key] = list(pks) if refs[key].many else pks[0]
    if item.kind == "File":
        obj["text"] = item.text
        obj["storedCopy"] = item.copy
    if name:
        obj[name] = [_line(child) for child in embedded]
    return obj


def lines(body: int) -> Iterator[dict[str, Any]]:
    """Every object of the body as its dump line, type by type, by pk."""
    for kind, name, child_kind, parent in DUMPED:
        for chunk in records.chunks(kind, body, size=CHUNK):
            children = (
                records.children(child_kind, parent, (i.pk for i in chunk))
                if child_kind and parent
                else {}
            )
            for item in chunk:
                yield _line(item, children.get(item.pk, []), name)


def exists(body: int) -> bool:
    return (folder() / f"{body_name(body)}{SUFFIX}").is_file()


@dataclass(frozen=True)
class Written:
    path: Path
    objects: int | None  # None for the instance's dump (the bodies' put together)
    size: int


def _sweep(target: Path) -> None:
    """Remove what killed dumps of `target` left: temporary files nobody has
    written to for a day (a dump still going writes to its own all the time)."""
    stale = time.time() - STALE_SECONDS
    for leftover in target.parent.glob(f".{target.name}.*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            if leftover.stat().st_mtime < stale:
                leftover.unlink()


def _publish(name: str, write: Callable[[IO[bytes]], int | None]) -> Written:
    """Write via `write(stream) -> count` to a temporary file, then rename it over `name`."""
    target = folder() / f"{name}{SUFFIX}"
    target.parent.mkdir(parents=True, exist_ok=True)
    _sweep(target)
    handle, path = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    temporary = Path(path)
    try:
        with os.fdopen(handle, "wb") as raw:
            count = write(raw)
            raw.flush()
            os.fsync(raw.fileno())
        temporary.chmod(0o644)  # mkstemp's 0600 would hide it from a static file server
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return Written(target, count, target.stat().st_size)


def dump_body(body: int) -> Written:
    """Write the body's dump; the previous one stays served until this one is whole."""

    def write(raw: IO[bytes]) -> int:
        count = 0
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as out:
            for line in lines(body):
                out.write(json.dumps(line, ensure_ascii=False).encode())
                out.write(b"\n")
                count += 1
        return count

    return _publish(body_name(body), write)


def dump_instance() -> Written:
    """The instance's dump: the published bodies' dumps, one gzip member after another."""
    parts = [folder() / f"{body_name(b.pk)}{SUFFIX}" for b in records.published()]

    def write(raw: IO[bytes]) -> None:
        for part in parts:
            if part.is_file():
                with part.open("rb") as source:
                    shutil.copyfileobj(source, raw, 1 << 20)

    return _publish(INSTANCE, write)


def dump(bodies: Sequence[int] | None = None) -> list[Written]:
    """Dump the given bodies (every published one by default), then the instance."""
    chosen = [b.pk for b in records.published()] if bodies is None else list(bodies)
    written = [dump_body(pk) for pk in chosen]
    return [*written, dump_instance()]


@dataclass(frozen=True)
class Published:
    """A dump as the data page lists it."""

    file_name: str
    size: int
    written: datetime
    body: records.PublishedBody | None  # None: the whole instance


def published() -> list[Published]:
    """The dumps there are: the instance's first, then each body's."""
    out: list[Published] = []
    candidates: list[tuple[str, records.PublishedBody | None]] = [(INSTANCE, None)]
    candidates += [(body_name(b.pk), b) for b in records.published()]
    for name, body in candidates:
        path = folder() / f"{name}{SUFFIX}"
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        out.append(
            Published(path.name, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC), body)
        )
    return out


def path_of(file_name: str) -> Path | None:
    """The file behind a listed name; None for any other name."""
    for dump in published():
        if dump.file_name == file_name:
            return folder() / dump.file_name
    return None
