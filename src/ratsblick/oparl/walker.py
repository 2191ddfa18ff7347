"""Walk OParl lists page by page, noticing the ways servers break paging.

A walk yields one `Page` at a time so that the caller can store it before
the next is fetched (memory stays flat for lists of any length). It ends at
the last page, at a pagination loop (a `next` link or a page content seen
before), or with a `FetchError` for a page that cannot be had.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ratsblick.oparl.http import FetchError, HttpClient, NotFound
from ratsblick.oparl.quirks import Quirks
from ratsblick.oparl.records import InvalidObject, Record, flatten
from ratsblick.oparl.schema import ObjectType

MODIFIED_SINCE = "modified_since"


def format_since(moment: datetime) -> str:
    """UTC with `Z`: no `+` that a server could read as a space."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass
class Page:
    """One list page: `top` are its entries, `records` those plus all they embed."""

    url: str
    total_pages: int | None = None
    top: list[Record] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class WalkReport:
    """What the server got wrong during one walk (the sync still ends correct)."""

    pages: int = 0
    loop_detected: bool = False
    filter_ignored: bool = False
    filter_dropped: bool = False
    notes: list[str] = field(default_factory=list)


class ListWalker:
    def __init__(self, client: HttpClient, quirks: Quirks, *, max_pages: int = 1_000_000) -> None:
        self.client = client
        self.quirks = quirks
        self.max_pages = max_pages

    def fetch_object(self, url: str, expected: ObjectType) -> list[Record]:
        """One object and everything embedded in it, with vendor fix-ups."""
        payload = self.client.get_json(url)
        try:
            records = flatten(payload, expected)
        except InvalidObject as exc:
            raise FetchError(url, f"not an OParl object: {exc}") from exc
        for record in records:
            self.quirks.fix(record)
        return records

    def walk(
        self,
        url: str,
        expected: ObjectType,
        report: WalkReport,
        modified_since: datetime | None = None,
    ) -> Iterator[Page]:
        since = format_since(modified_since) if modified_since else None
        next_url: str | None = (
            self.quirks.with_params(url, {MODIFIED_SINCE: since}) if since else url
        )
        seen_urls: set[str] = set()
        seen_contents: set[tuple[str, ...]] = set()
        while next_url:
            if next_url in seen_urls or report.pages >= self.max_pages:
                report.loop_detected = True
                report.notes.append(f"pagination loop at {next_url}: walk ended there")
                return
            seen_urls.add(next_url)
            current = next_url
            try:
                payload = self.client.get_json(current)
            except NotFound:
                if self.quirks.list_404_is_empty:
                    return
                raise
            entries, next_url = self._entries(current, payload)
            page = self._page(current, entries, expected)
            page.total_pages = self._total_pages(payload)
            fingerprint = tuple(r.id for r in page.top)
            if fingerprint and fingerprint in seen_contents:
                report.loop_detected = True
                report.notes.append(f"pagination loop at {current}: page repeats an earlier one")
                return
            seen_contents.add(fingerprint)
            report.pages += 1
            if modified_since is not None:
                self._check_filter(page, modified_since, report)
                if next_url and since and MODIFIED_SINCE not in parse_qs(urlsplit(next_url).query):
                    if not report.filter_dropped:
                        report.notes.append("server dropped modified_since from its next links")
                    report.filter_dropped = True
                    next_url = self.quirks.with_params(next_url, {MODIFIED_SINCE: since})
            yield page

    @staticmethod
    def _entries(url: str, payload: Any) -> tuple[list[Any], str | None]:
        if isinstance(payload, dict) and "data" not in payload and "id" in payload:
            return [payload], None  # a single object where a list was expected
        if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
            raise FetchError(url, "not an OParl list (no `data` array)")
        links = payload.get("links")
        next_url = links.get("next") if isinstance(links, dict) else None
        return payload["data"], next_url if isinstance(next_url, str) and next_url else None

    @staticmethod
    def _total_pages(payload: Any) -> int | None:
        pagination = payload.get("pagination") if isinstance(payload, dict) else None
        total = pagination.get("totalPages") if isinstance(pagination, dict) else None
        return total if isinstance(total, int) else None

    def _page(self, url: str, entries: list[Any], expected: ObjectType) -> Page:
        page = Page(url)
        for index, entry in enumerate(entries):
            try:
                records = flatten(entry, expected)
            except InvalidObject as exc:
                page.problems.append(f"{url} entry {index}: {exc}")
                continue
            for record in records:
                self.quirks.fix(record)
            page.top.append(records[0])
            page.records.extend(records)
        return page

    @staticmethod
    def _check_filter(page: Page, since: datetime, report: WalkReport) -> None:
        if report.filter_ignored:
            return
        for record in page.top:
            modified = parse_datetime(record.data.get("modified"))
            if modified is not None and modified < since:
                report.filter_ignored = True
                report.notes.append(
                    "server ignored modified_since (sent older objects): processed all"
                )
                return
