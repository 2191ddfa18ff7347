"""Council data a replay server can serve: a recorded crawl, editable.

URLs inside the data keep the original address; the server rewrites those
below the API root (`api_root`: the System's folder, so also file URLs) to its
own address and leaves others (`web` links to the council's site) alone.
"""

from __future__ import annotations

import io
import json
import re
import tarfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import zstandard

HUERTGENWALD = Path(__file__).with_name("data") / "huertgenwald-oparl-1.0.tar.zst"
_PAGE_FILE = re.compile(r"^(?P<dir>.*/)?(?P<list>[A-Za-z]+)(?:\?page=(?P<page>\d+))?\.json$")


def parse_time(value: object) -> datetime:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except ValueError:
            pass
    return datetime.min.replace(tzinfo=UTC)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class ListSlice:
    items: list[dict[str, Any]]
    total: int


class Dataset(Protocol):
    api_root: str

    def system_url(self) -> str: ...

    def lookup(self, url: str) -> dict[str, Any] | None:
        """The object at `url` (no query), or None."""

    def is_list(self, url: str) -> bool: ...

    def list_slice(self, url: str, start: int, stop: int, since: datetime | None) -> ListSlice: ...

    def file_bytes(self, url: str) -> bytes | None:
        """The content behind a file download URL, or None."""


def _embedded(obj: Any) -> Iterator[dict[str, Any]]:
    """Every object with an id inside `obj`, `obj` included."""
    if isinstance(obj, dict):
        if isinstance(obj.get("id"), str):
            yield obj
        for value in obj.values():
            yield from _embedded(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from _embedded(value)


class RecordedDataset:
    """A crawl as written by the OParl validator's cache: one JSON per page.

    Lists are kept in the recorded order; entries can be changed, deleted
    and added while a server serves them (thread-safe).
    """

    def __init__(
        self,
        system: dict[str, Any],
        lists: dict[str, list[dict[str, Any]]],
        missing: set[str],
        files: dict[str, Path] | None = None,
    ) -> None:
        self.system = system
        self.files = files or {}
        self.api_root = str(system["id"]).rsplit("/", 1)[0]
        self.lists = lists
        self.missing = missing
        self._lock = threading.Lock()
        self._index: dict[str, dict[str, Any]] = {}
        self._where: dict[str, str] = {}
        for list_url, items in lists.items():
            for item in items:
                self._add_to_index(list_url, item)

    @classmethod
    def load(cls, archive: Path = HUERTGENWALD) -> RecordedDataset:
        raw = zstandard.ZstdDecompressor().decompress(archive.read_bytes(), max_output_size=1 << 30)
        pages: dict[str, dict[int, Any]] = {}
        system: dict[str, Any] = {}
        missing: dict[str, bool] = {}  # URL -> whether an object (else a list) is missing
        with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
            for member in tar.getmembers():
                if not member.isfile():
                    continue
                name = member.name.removeprefix("./")
                handle = tar.extractfile(member)
                assert handle is not None
                content = json.loads(handle.read())
                if name == "system.json":
                    system = content
                elif name == "missing_ids.json":
                    missing = content
                else:
                    match = _PAGE_FILE.match(name)
                    if match:
                        key = (match["dir"] or "") + match["list"]
                        pages.setdefault(key, {})[int(match["page"] or 1)] = content
        base = system["body"].rsplit("/", 1)[0] + "/"
        lists = {
            base + key: [item for n in sorted(by_page) for item in by_page[n]["data"]]
            for key, by_page in pages.items()
        }
        return cls(system, lists, set(missing))

    def _add_to_index(self, list_url: str, item: dict[str, Any]) -> None:
        for obj in _embedded(item):
            self._index[obj["id"]] = obj
        self._where[item["id"]] = list_url

    def system_url(self) -> str:
        return str(self.system["id"])

    def lookup(self, url: str) -> dict[str, Any] | None:
        if url == self.system_url():
            return self.system
        with self._lock:
            return None if url in self.missing else self._index.get(url)

    def is_list(self, url: str) -> bool:
        return url in self.lists

    def file_bytes(self, url: str) -> bytes | None:
        path = self.files.get(url)
        return path.read_bytes() if path else None

    def list_slice(self, url: str, start: int, stop: int, since: datetime | None) -> ListSlice:
        with self._lock:
            items = self.lists[url]
            if since is not None:
                items = [i for i in items if parse_time(i.get("modified")) >= since]
            return ListSlice(items[start:stop], len(items))

    # -- edits, for incremental-sync tests -------------------------------

    def list_url(self, name: str) -> str:
        return next(url for url in self.lists if url.rsplit("/", 1)[-1] == name)

    def change(self, object_id: str, **fields: Any) -> dict[str, Any]:
        """Change a listed object's fields and bump its `modified`."""
        with self._lock:
            items = self.lists[self._where[object_id]]
            index = next(i for i, item in enumerate(items) if item["id"] == object_id)
            updated = {**items[index], **fields, "modified": now_iso()}
            items[index] = updated
            self._add_to_index(self._where[object_id], updated)
            return updated

    def delete(self, object_id: str) -> None:
        """Replace a listed object by a typeless deleted entry, as Sternberg does."""
        with self._lock:
            items = self.lists[self._where[object_id]]
            index = next(i for i, item in enumerate(items) if item["id"] == object_id)
            old = items[index]
            items[index] = {
                "id": object_id,
                "created": old.get("created"),
                "modified": now_iso(),
                "deleted": True,
            }
            self._index[object_id] = items[index]

    def add(self, list_name: str, item: dict[str, Any]) -> dict[str, Any]:
        """Append a new object to a list, stamped `modified` now like `change`."""
        with self._lock:
            url = self.list_url(list_name)
            item = {**item, "modified": now_iso()}
            self.lists[url].append(item)
            self._add_to_index(url, item)
            return item
