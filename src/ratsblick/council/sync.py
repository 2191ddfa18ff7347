"""Sync bodies from their OParl endpoints into the database.

Pages are fetched by one thread per list (bounded by the HTTP client's
per-host limit) and written by the calling thread only, so SQLite sees a
single writer. A sync is incremental when an earlier one of the same body
ended well: it asks for objects modified since that sync started, minus a
safety margin for clock skew.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from ratsblick.council.models import OPARL_MODELS, Body, OParlObject, SyncRun
from ratsblick.council.notes import Notes
from ratsblick.council.upsert import Upserter
from ratsblick.oparl.http import FetchError, HttpClient
from ratsblick.oparl.quirks import quirks_for
from ratsblick.oparl.records import InvalidObject, Record, flatten
from ratsblick.oparl.schema import BODY_LISTS, ObjectType
from ratsblick.oparl.walker import ListWalker, Page, WalkReport

log = logging.getLogger(__name__)

# (body name, list name, pages done, pages in all if known)
PageCallback = Callable[[str, str, int, int | None], None]
_STUB_ROUNDS = 3


class SyncError(Exception):
    """The sync could not start, e.g. a URL that is no OParl System or Body."""


@dataclass
class _Finished:
    name: str
    report: WalkReport
    error: BaseException | None = None


def add_body(url: str, client: HttpClient) -> list[Body]:
    """Register the bodies behind a System or Body URL for syncing."""
    try:
        payload = client.get_json(url)
    except FetchError as exc:
        raise SyncError(f"cannot read {url}: {exc.reason}") from exc
    kind = ObjectType.from_type_url(payload.get("type") if isinstance(payload, dict) else None)
    if kind is ObjectType.SYSTEM:
        system: dict[str, Any] | None = payload
        bodies = _system_bodies(payload, client)
    elif kind is ObjectType.BODY:
        system = _fetch_optional(payload.get("system"), client)
        bodies = [payload]
    else:
        raise SyncError(f"{url} is neither an OParl System nor a Body")
    quirks = quirks_for(system)
    records: list[Record] = []
    for obj, expected in [(system, ObjectType.SYSTEM)] + [(b, ObjectType.BODY) for b in bodies]:
        if obj is None:
            continue
        try:
            records.extend(flatten(obj, expected))
        except InvalidObject as exc:
            raise SyncError(f"{url}: {exc}") from exc
    for record in records:
        quirks.fix(record)
    upserter = Upserter(None)
    upserter.write(records)
    for note in upserter.notes.as_list():
        log.warning("%s: %s", url, note)
    ids = [r.id for r in records if r.type is ObjectType.BODY and not r.deleted]
    Body.objects.filter(oparl_id__in=ids).update(subscribed=True)
    added = list(Body.objects.filter(oparl_id__in=ids))
    if len(added) < len(ids):
        raise SyncError(f"{url}: body not stored: {'; '.join(upserter.notes.as_list())}")
    return added


def _fetch_optional(url: object, client: HttpClient) -> dict[str, Any] | None:
    if not isinstance(url, str):
        return None
    try:
        payload = client.get_json(url)
    except FetchError as exc:
        log.warning("system %s not readable (%s): using generic behaviour", url, exc.reason)
        return None
    return payload if isinstance(payload, dict) else None


def _system_bodies(system: dict[str, Any], client: HttpClient) -> list[dict[str, Any]]:
    url = system.get("body")
    if not isinstance(url, str):
        raise SyncError(f"System {system.get('id')} names no body list")
    walker = ListWalker(client, quirks_for(system))
    return [r.raw for page in walker.walk(url, ObjectType.BODY, WalkReport()) for r in page.top]


def watermark(body: Body, margin: timedelta) -> datetime | None:
    """Where an incremental sync starts: the last good sync's start minus margin."""
    last = body.sync_runs.filter(outcome=SyncRun.Outcome.OK).order_by("-started_at").first()
    return last.started_at - margin if last else None


def sync_body(
    body: Body,
    client: HttpClient,
    *,
    full: bool = False,
    margin: timedelta = timedelta(hours=1),
    on_page: PageCallback | None = None,
) -> SyncRun:
    # A run still "running" was killed: it is over.
    body.sync_runs.filter(outcome=SyncRun.Outcome.RUNNING).update(
        outcome=SyncRun.Outcome.FAILED, error="interrupted", finished_at=timezone.now()
    )
    since = None if full else watermark(body, margin)
    run = SyncRun.objects.create(
        body=body, full=since is None, modified_since=since, started_at=timezone.now()
    )
    try:
        _BodySync(body, client, run, on_page).run()
    except BaseException as exc:
        run.outcome = SyncRun.Outcome.FAILED
        run.error = f"{type(exc).__name__}: {exc}"
        run.finished_at = timezone.now()
        run.save()
        raise
    return run


class _BodySync:
    def __init__(
        self, body: Body, client: HttpClient, run: SyncRun, on_page: PageCallback | None
    ) -> None:
        self.body = body
        self.client = client
        self.run_record = run
        self.on_page = on_page
        system = body.system.raw if body.system and not body.system.stub else None
        self.walker = ListWalker(client, quirks_for(system))
        self.notes = Notes()
        self.upserter = Upserter(body, self.notes)
        self.partial = False

    def run(self) -> None:
        self._refresh_body()
        self._walk_lists()
        self._resolve_stubs()
        run = self.run_record
        run.counts = {kind: dict(c) for kind, c in sorted(self.upserter.counts.items())}
        run.notes = self.notes.as_list()
        run.outcome = SyncRun.Outcome.PARTIAL if self.partial else SyncRun.Outcome.OK
        run.finished_at = timezone.now()
        run.save()

    def _refresh_body(self) -> None:
        try:
            records = self.walker.fetch_object(self.body.oparl_id, ObjectType.BODY)
        except FetchError as exc:
            self.notes.add(f"body not refreshed, using the stored copy: {exc}")
            return
        Upserter(None, self.notes).write(records)
        self.body.refresh_from_db()

    def _walk_lists(self) -> None:
        lists = [
            (name, kind, url)
            for name, kind in BODY_LISTS
            if isinstance(url := self.body.raw.get(name), str) and url
        ]
        pages: queue.Queue[tuple[str, ObjectType, Page] | _Finished] = queue.Queue(maxsize=16)
        stop = threading.Event()
        since = self.run_record.modified_since

        def produce(name: str, kind: ObjectType, url: str) -> None:
            report = WalkReport()
            error: BaseException | None = None
            try:
                for page in self.walker.walk(url, kind, report, since):
                    while not stop.is_set():
                        try:
                            pages.put((name, kind, page), timeout=0.2)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
            except Exception as exc:  # reported and recorded by the writer
                error = exc
            pages.put(_Finished(name, report, error))

        threads = [
            threading.Thread(target=produce, args=item, daemon=True, name=f"list-{item[0]}")
            for item in lists
        ]
        for thread in threads:
            thread.start()
        done_pages = dict.fromkeys((name for name, _, _ in lists), 0)
        running = len(threads)
        try:
            while running:
                item = pages.get()
                if isinstance(item, _Finished):
                    running -= 1
                    self._finish_list(item)
                    continue
                name, kind, page = item
                self.upserter.write(page.records)
                if page.problems:
                    self.notes.extend(page.problems)
                    self.upserter.counts[kind.value]["failed"] += len(page.problems)
                done_pages[name] += 1
                if self.on_page:
                    self.on_page(str(self.body), name, done_pages[name], page.total_pages)
        finally:
            stop.set()

    def _finish_list(self, done: _Finished) -> None:
        self.notes.extend(f"{done.name}: {note}" for note in done.report.notes)
        if done.error is not None:
            self.partial = True
            self.notes.add(f"{done.name}: list not complete: {done.error}")
            log.warning("%s: list %s not complete: %s", self.body, done.name, done.error)

    def _stubs(self, attempted: set[str]) -> list[tuple[ObjectType, str]]:
        todo: list[tuple[ObjectType, str]] = []
        for kind, model in OPARL_MODELS.items():
            if kind in (ObjectType.SYSTEM, ObjectType.BODY):
                continue
            ids = model.objects.filter(body=self.body, stub=True).values_list("oparl_id", flat=True)
            todo.extend((kind, i) for i in ids if i not in attempted and i.startswith("http"))
        return todo

    def _resolve_stubs(self) -> None:
        """Fetch referenced objects that no list delivered, one by one."""
        attempted = set(self.upserter.failed)  # fetched and refused: once is enough
        workers = max(1, self.client.config.per_host)
        for _ in range(_STUB_ROUNDS):
            todo = self._stubs(attempted)
            if not todo:
                return
            attempted.update(oparl_id for _, oparl_id in todo)
            with ThreadPoolExecutor(workers, thread_name_prefix="fetch") as pool:
                futures = {
                    pool.submit(self.walker.fetch_object, oparl_id, kind): (kind, oparl_id)
                    for kind, oparl_id in todo
                }
                for future in as_completed(futures):
                    kind, oparl_id = futures[future]
                    try:
                        self.upserter.write(future.result())
                    except FetchError as exc:
                        self._record_failure(OPARL_MODELS[kind], kind, oparl_id, exc)

    def _record_failure(
        self, model: type[OParlObject], kind: ObjectType, oparl_id: str, exc: FetchError
    ) -> None:
        model.objects.filter(oparl_id=oparl_id).update(fetch_error=exc.reason[:1000])
        self.upserter.counts[kind.value]["failed"] += 1
        self.notes.add(f"{kind} {oparl_id} referenced but not fetched: {exc.reason}")
