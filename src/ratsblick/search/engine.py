"""The index on disk: generations, the one writer, and searching.

A folder holds generations (`gen-<stamp>/`) and `current.json`, which names
the live one with the schema and analysis versions it was built with.
`rebuild` fills a new generation while readers keep using the old one, then
swaps `current.json` atomically; readers notice the swap on their next search
(one `stat`). Tantivy allows one writer per index and says so with a lock;
`IndexBusy` reports it so that a caller can leave the work queued.
"""

from __future__ import annotations

import fcntl
import json
import math
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import tantivy

from ratsblick.search.analysis import ANALYSIS_VERSION, register
from ratsblick.search.ranking import compile_query
from ratsblick.search.schema import SCHEMA_VERSION, build_schema, to_tantivy
from ratsblick.search.snippets import make_snippet
from ratsblick.search.suggest import suggestion
from ratsblick.search.types import (
    Hit,
    Kind,
    SearchDocument,
    SearchRequest,
    SearchResults,
    group_key,
)

TextSource = Callable[[list[str]], Mapping[str, SearchDocument]]
"""The documents for some keys, as indexed: where snippets are cut from."""

CURRENT = "current.json"
REBUILD_LOCK = "rebuild.lock"
WRITER_HEAP = 256_000_000
FACET_SIZE = 20
RERANK = 100
DATE_SORTS = ("date", "date_asc")
MAX_FETCH = 50_000
"""The most matches grouped for one page (about 30 ms at 1M documents)."""


class IndexBusy(RuntimeError):
    """Another process holds the index's writer lock."""


class RebuildBusy(IndexBusy):
    """Another rebuild of the same folder is running (in this or another process)."""


class IndexMissing(RuntimeError):
    """No index was built yet (`ratsblick reindex`)."""


def _versions() -> dict[str, int]:
    return {"schema": SCHEMA_VERSION, "analysis": ANALYSIS_VERSION}


def _read_current(root: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((root / CURRENT).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and "generation" in data else None


def is_current(root: Path) -> bool:
    """Whether `root` holds an index built with this code's schema and analysis."""
    data = _read_current(root)
    return bool(data) and all(data.get(k) == v for k, v in _versions().items())  # type: ignore[union-attr]


class IndexWriter:
    """Batched upserts: delete by key, then add; nothing is seen before `commit`."""

    def __init__(self, index: tantivy.Index, heap: int = WRITER_HEAP, threads: int = 0) -> None:
        try:
            self._writer = index.writer(heap, threads)
        except ValueError as error:
            if "LockBusy" in str(error):
                raise IndexBusy(str(error)) from error
            raise
        self._index = index

    def upsert(self, docs: Iterable[SearchDocument]) -> None:
        for doc in docs:
            self._writer.delete_documents_by_term("key", doc.key)
            self._writer.add_document(to_tantivy(doc))

    def add(self, docs: Iterable[SearchDocument]) -> None:
        """Add without deleting first: for a new, empty generation."""
        for doc in docs:
            self._writer.add_document(to_tantivy(doc))

    def delete(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._writer.delete_documents_by_term("key", key)

    def commit(self) -> None:
        """Make the batch durable and visible (at once to this process)."""
        self._writer.commit()
        self._index.reload()

    def close(self) -> None:
        """Wait for merges and release the lock (tantivy-py frees it on drop)."""
        self._writer.wait_merging_threads()
        del self._writer


class SearchIndex:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._index: tantivy.Index | None = None
        self._opened: tuple[str, float] | None = None

    def _current_path(self) -> Path:
        data = _read_current(self.root)
        if data is None:
            raise IndexMissing(f"no search index in {self.root}")
        return self.root / str(data["generation"])

    def version(self) -> str:
        """Changes with every commit and every new generation; "" without an index.

        Tantivy rewrites its `meta.json` (atomically) at each commit, so its
        modification time names the state a reader sees, at the cost of a stat.
        """
        try:
            path = self._current_path()
            return f"{path.name}:{(path / 'meta.json').stat().st_mtime_ns}"
        except (IndexMissing, OSError):
            return ""

    def index(self) -> tantivy.Index:
        """The live generation, reopened when `current.json` changed."""
        try:
            stamp = (self.root / CURRENT).stat().st_mtime
        except OSError as error:
            raise IndexMissing(f"no search index in {self.root}") from error
        path = self._current_path()
        if self._index is None or self._opened != (path.name, stamp):
            index = tantivy.Index.open(str(path))
            register(index)
            self._index, self._opened = index, (path.name, stamp)
        return self._index

    @contextmanager
    def writer(self) -> Iterator[IndexWriter]:
        """The writer of the live generation; `IndexBusy` while a rebuild runs.

        A rebuild may read a row before a change to it and then replace the
        generation this writer wrote the change into: the caller's queued
        changes must wait for the new generation instead.
        """
        index = self.index()
        try:
            with _exclusive(self.root / REBUILD_LOCK):
                writer = IndexWriter(index)
                try:
                    yield writer
                finally:
                    writer.close()
        except RebuildBusy as error:
            raise IndexBusy(str(error)) from error

    @contextmanager
    def rebuild(self) -> Iterator[IndexWriter]:
        """A new generation to fill; it goes live when the block ends without error.

        One rebuild at a time (`RebuildBusy` for a second): each deletes the
        other generations when it goes live, a concurrent one's included.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        with _exclusive(self.root / REBUILD_LOCK), self._new_generation() as writer:
            yield writer

    @contextmanager
    def _new_generation(self) -> Iterator[IndexWriter]:
        name = f"gen-{time.time_ns()}"
        path = self.root / name
        path.mkdir()
        index = tantivy.Index(build_schema(), path=str(path))
        register(index)
        try:
            writer = IndexWriter(index)
            try:
                yield writer
                writer.commit()
            finally:
                writer.close()
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        temporary = self.root / f"{CURRENT}.{os.getpid()}"
        temporary.write_text(json.dumps({"generation": name, **_versions()}))
        os.replace(temporary, self.root / CURRENT)
        for old in self.root.glob("gen-*"):
            if old.name != name:
                shutil.rmtree(old, ignore_errors=True)

    def num_docs(self) -> int:
        return int(self.index().searcher().num_docs)

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self._current_path().rglob("*") if p.is_file())

    def search(self, request: SearchRequest, texts: TextSource | None = None) -> SearchResults:
        """Ranked hits, a file inside its paper's or meeting's; snippets from `texts`
        (the documents by key) when asked for."""
        index = self.index()
        searcher = index.searcher()
        compiled = compile_query(index.schema, request)
        if compiled.query is None:
            return SearchResults(0, [], warnings=compiled.warnings)
        limit = max(1, min(request.limit, 100))
        offset = max(0, min(request.offset, 10_000))
        # One group more than the page: whether there is a next page.
        total, groups, complete = _groups(
            searcher, compiled.query, request.sort, offset + limit + 1
        )
        hits = _hits(searcher, groups[offset : offset + limit], request.files_per_hit)
        if request.snippets and compiled.stems:
            _add_snippets(hits, compiled.stems, texts)
        results = SearchResults(
            total,
            hits,
            groups=len(groups) if complete else None,
            more=len(groups) > offset + limit,
            warnings=compiled.warnings,
            suggestion=suggestion(index, request.text, total) if offset == 0 else None,
        )
        if request.facets:
            results.facets = _facets(searcher, compiled.query)
        return results


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """Hold an exclusive `flock` on `path`: the kernel drops it when the process dies,
    so a killed rebuild leaves no stale lock (the file itself stays)."""
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise RebuildBusy(f"the search index in {path.parent} is being rebuilt") from error
        yield  # closing the file releases the lock


Ranked = list[tuple[float, tantivy.DocAddress]]


def _ranked(
    searcher: tantivy.Searcher, query: tantivy.Query, sort: str, limit: int
) -> tuple[int, Ranked]:
    """The total and the best `limit` matches, by date or by relevance.

    Relevance is BM25 × the recency factor log2(2 + recency), applied to the
    matches fetched rather than to every match (`weight_by_field` would score
    all 800,000 matches of a common word: +6 ms at 1M documents); a boost of at
    most ×1.33 cannot lift a hit from beyond the `RERANK` fetched past the page.
    """
    if sort in DATE_SORTS:
        order = tantivy.Order.Asc if sort == "date_asc" else tantivy.Order.Desc
        found = searcher.search(query, limit, order_by_field="date", order=order)
        # The stubs lack `count`, which search(count=True) fills.
        return int(found.count), found.hits  # type: ignore[attr-defined]
    found = searcher.search(query, limit)
    addresses = [address for _, address in found.hits]
    weights = searcher.fast_field_values("recency", addresses) if addresses else []
    scored = [
        (score * math.log2(2.0 + (weight or 0.0)), -rank, address)
        for rank, ((score, address), weight) in enumerate(zip(found.hits, weights, strict=True))
    ]
    scored.sort(key=lambda item: item[:2], reverse=True)
    return int(found.count), [(score, address) for score, _, address in scored]  # type: ignore[attr-defined]


def _groups(
    searcher: tantivy.Searcher, query: tantivy.Query, sort: str, wanted: int
) -> tuple[int, list[tuple[int, Ranked]], bool]:
    """The total, the first `wanted` groups (by their best match) and whether every
    match was looked at.

    By relevance the matches of the page and the `RERANK` past it are fetched
    first (as many as before grouping), by date twice the page; four times
    more while the groups do not fill the page (a paper's files rarely do).
    """
    fetch = 2 * wanted if sort in DATE_SORTS else wanted + RERANK
    while True:
        total, ranked = _ranked(searcher, query, sort, fetch)
        codes = searcher.fast_field_values("group", [a for _, a in ranked]) if ranked else []
        groups: dict[int, Ranked] = {}
        for (score, address), code in zip(ranked, codes, strict=True):
            groups.setdefault(int(code or 0), []).append((score, address))
        complete = len(ranked) >= total
        if len(groups) >= wanted or complete or fetch >= MAX_FETCH:
            return total, list(groups.items()), complete
        fetch = min(4 * fetch, MAX_FETCH)


def _hits(
    searcher: tantivy.Searcher, groups: list[tuple[int, Ranked]], files_per_hit: int
) -> list[Hit]:
    """One hit per group: the paper or meeting (as stored with its files when only
    they matched) with its best `files_per_hit` files."""
    members = [address for _, ranked in groups for _, address in ranked]
    flags = searcher.fast_field_values("child", members) if members else []
    hits, at = [], 0
    for code, ranked in groups:
        heads: Ranked = []
        children: Ranked = []
        for item, child in zip(ranked, flags[at : at + len(ranked)], strict=True):
            (children if child else heads).append(item)
        at += len(ranked)
        score = ranked[0][0]
        files = [(searcher.doc(a), s) for s, a in children[: files_per_hit + 1]]
        if heads:
            hit = _hit(searcher.doc(heads[0][1]), score)
        elif (parent := _parent_hit(files[0][0], group_key(code), score)) is not None:
            hit = parent
        else:  # nothing stored of the parent: the best file stands for the group
            hit = _hit(files.pop(0)[0], score)
            children = children[1:]
        hit.files = [_hit(stored, s) for stored, s in files[:files_per_hit]]
        hit.files_matched = len(children)
        hits.append(hit)
    return hits


def _parent_hit(child: tantivy.Document, key: str, score: float) -> Hit | None:
    """The hit of a file's parent from what the file stores of it (None if nothing)."""
    title = child.get_first("parent_title")
    if not isinstance(title, bytes):
        return None
    kind, pk = key.split(":", 1)
    day = child.get_first("parent_date")
    return Hit(
        kind=Kind(kind),
        pk=int(pk),
        key=key,
        body=int(child.get_first("body") or 0),
        title=" ".join(title.decode().split()),
        score=float(score) if isinstance(score, float) else 0.0,
        reference=bytes(child.get_first("parent_reference") or b"").decode(),
        date=day.date() if isinstance(day, datetime) else None,
        matched=False,
    )


def _add_snippets(hits: list[Hit], stems: set[str], texts: TextSource | None) -> None:
    """A passage of each hit's text, and of each file's shown inside it; the title
    when the text has none (never for a file: its name is shown anyway)."""
    shown = [*hits, *(f for hit in hits for f in hit.files)]
    documents = texts([h.key for h in shown]) if texts else {}
    for hit in shown:
        doc = documents.get(hit.key)
        hit.snippet = make_snippet(doc.text, stems, doc.page_starts) if doc else None
    for hit in hits:
        if hit.snippet is None and hit.matched:
            hit.snippet = make_snippet(hit.title, stems)


def _hit(stored: tantivy.Document, score: float) -> Hit:
    kind, pk = str(stored.get_first("key")).split(":", 1)
    day = stored.get_first("date")
    return Hit(
        kind=Kind(kind),
        pk=int(pk),
        key=str(stored.get_first("key")),
        body=int(stored.get_first("body") or 0),
        title=" ".join(str(stored.get_first("title") or "").split()),
        score=float(score) if isinstance(score, float) else 0.0,
        reference=str(stored.get_first("reference") or ""),
        date=day.date() if isinstance(day, datetime) else None,
    )


FACETS = ("body", "kind", "year", "organization", "paper_type")  # fast fields counted per value


def _facets(searcher: tantivy.Searcher, query: tantivy.Query) -> dict[str, list[tuple[str, int]]]:
    spec = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in FACETS}
    found = searcher.aggregate(query, spec)
    return {
        name: [(str(b["key"]), int(b["doc_count"])) for b in found.get(name, {}).get("buckets", [])]
        for name in FACETS
    }
