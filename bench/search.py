"""Search benchmark: prints measured figures, asserts nothing.

    .venv/bin/python bench/search.py --docs 100000
    .venv/bin/python bench/search.py --docs 1000000 --fts-docs 1000000
    .venv/bin/python bench/search.py --docs 200000 --baseline 76291e4

With `--baseline REV` the same corpus is indexed twice: with the compound
splitter and dictionary of git revision REV (and no "Meinten Sie"
suggestions, which it did not have) and with the current analyzer, each in
a process of its own (`--analyzer REV --build-into DIR`; a second build in
one process paid for the first one's heap). Then one process searches both
indexes query by query in turn, so that both meet the machine at the same
speed (separately run, the same code differed by up to 50 % at p50), and
the table compares the two (indexing rate, index size, p95 per query class).
`--compare FILE` compares a single run with the first analyzer of an
earlier run's `--json` instead.

A deterministic generator writes a German council corpus: the words of the
Hürtgenwald titles, the Aachen seed and the sample papers, ranked by how
often they occur there, with council compounds and OCR-like noise in the
tail, drawn Zipf-distributed; papers, meetings, files (log-normal lengths,
most of them a paper's, shown inside its hit), persons and organizations of
400 bodies over 20 years. It is indexed with `ratsblick.search` and, as the
baseline, into SQLite FTS5 (unicode61, diacritics folded, BM25) in the same
run. Each query class (`QUERIES` queries) runs against both; the table shows
p50/p95 in ms for a top-20 page without snippets (each query the median of
`REPEATS` runs) and with them (and with facets for Tantivy), and the FTS5
p50 and its ratio.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import types
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from unittest import mock

from ratsblick.replay.dataset import RecordedDataset
from ratsblick.replay.sample import SAMPLE_FILES
from ratsblick.search import (
    Filters,
    Kind,
    Parent,
    SearchDocument,
    SearchIndex,
    SearchRequest,
    analysis,
    compounds,
    engine,
    snippets,
)

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
BODIES = 400
FIRST_DAY = date(2006, 1, 1)
DAYS = 20 * 365
PHRASES = (
    "Digitale Strategie",
    "öffentliche Sitzung",
    "Beschlussvorschlag der Verwaltung",
    "Bebauungsplan Nr. 12",
    "Klimaschutz und Mobilität",
    "Sachstandsbericht zur Interfraktionellen Arbeitsgruppe",
)
MODIFIERS = (
    "Digital",
    "Sachstands",
    "Radwege",
    "Haushalts",
    "Schul",
    "Verkehrs",
    "Klima",
    "Gemeinde",
    "Feuerwehr",
    "Straßen",
    "Jugend",
    "Bürger",
    "Umwelt",
    "Energie",
)
HEADS = (
    "strategie",
    "bericht",
    "planung",
    "konzept",
    "satzung",
    "ausschuss",
    "anlage",
    "gebühr",
    "entwicklung",
    "förderung",
    "haus",
    "netz",
    "weg",
    "platz",
)
PAPER_TYPES = ("Beschlussvorlage", "Mitteilungsvorlage", "Antrag", "Anfrage", "Stellungnahme")
KINDS = (
    (Kind.FILE, 0.40),
    (Kind.PAPER, 0.35),
    (Kind.MEETING, 0.15),
    (Kind.PERSON, 0.07),
    (Kind.ORGANIZATION, 0.03),
)
WORD = re.compile(r"[A-Za-zÄÖÜäöüß]{2,}")
QUERIES = 100
"""Queries per class: with 20 the p95 was the slowest one, and moved by up to 45 %
between runs of the same code."""
REPEATS = 3
"""A query's time without snippets is the median of this many runs (a scheduler
hiccup on a 2-core machine is not the query's)."""


def source_words() -> list[str]:
    """Real words, most frequent first."""
    counts: Counter[str] = Counter()
    dataset = RecordedDataset.load()
    for obj in dataset._index.values():
        if isinstance(obj.get("name"), str):
            counts.update(WORD.findall(obj["name"]))
    for path in [*SEEDS.glob("*.txt"), *SAMPLE_FILES.glob("*.txt")]:
        counts.update(WORD.findall(path.read_text(encoding="utf-8")))
    return [w for w, _ in counts.most_common()]


class Corpus:
    """Document `i` is a pure function of (seed, i)."""

    def __init__(self, seed: int = 7) -> None:
        self.seed = seed
        words = source_words()
        rng = random.Random(seed)
        compounds = [m + h for m in MODIFIERS for h in HEADS]
        noise = [
            "".join(rng.choices("abcdefghiklmnoprstuvwzäöü", k=rng.randint(4, 11)))
            for _ in range(150_000)
        ]
        self.vocabulary = words + compounds + noise
        weights = [1 / (rank + 2.7) ** 1.07 for rank in range(len(self.vocabulary))]
        total, self.cum = 0.0, []
        for w in weights:
            total += w
            self.cum.append(total)

    def _words(self, rng: random.Random, n: int) -> str:
        chosen = rng.choices(self.vocabulary, cum_weights=self.cum, k=n)
        for at in range(0, n, 13):
            chosen[at] = chosen[at].capitalize()
            if at:
                chosen[at - 1] += "."
        if rng.random() < 0.3:
            chosen.insert(rng.randrange(n), rng.choice(PHRASES))
        return " ".join(chosen)

    @staticmethod
    def reference(i: int) -> str:
        return f"FB {i % 90:02d}/{i % 9973:04d}/WP{17 + i % 3}-{i}"

    def _rng(self, i: int) -> random.Random:
        return random.Random(self.seed * 1_000_003 + i)

    @staticmethod
    def _kind(rng: random.Random) -> Kind:
        return rng.choices([k for k, _ in KINDS], cum_weights=[0.40, 0.75, 0.90, 0.97, 1.0])[0]

    def parent(self, i: int) -> Parent | None:
        """A file's paper: the nearest paper among the 8 documents before it, if any
        (96 % of the files belong to a paper, about one per paper)."""
        for j in range(i - 1, max(-1, i - 9), -1):
            if self._kind(self._rng(j)) == Kind.PAPER:
                paper = self.document(j)
                return Parent(paper.key, paper.title, paper.reference, paper.date)
        return None

    def document(self, i: int) -> SearchDocument:
        rng = self._rng(i)
        kind = self._kind(rng)
        body = 1 + rng.randrange(BODIES)
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        title = self._words(rng, rng.randint(4, 12))
        doc = SearchDocument(
            kind, i, body, title, date=day, organizations=[body * 100 + rng.randrange(20)]
        )
        if kind == Kind.FILE:
            n = min(12_000, int(rng.lognormvariate(math.log(350), 1.0)))
            pages = [self._words(rng, max(20, n // 3)) for _ in range(rng.randint(1, 3))]
            doc.text = "\n\n".join(pages)
            doc.page_starts = [0]
            for page in pages[:-1]:
                doc.page_starts.append(doc.page_starts[-1] + len(page) + 2)
            doc.parent = self.parent(i)
        elif kind == Kind.PAPER:
            doc.text = self._words(rng, rng.randint(40, 200))
            doc.reference = self.reference(i)
            doc.paper_type = rng.choice(PAPER_TYPES)
        elif kind == Kind.MEETING:
            doc.text = self._words(rng, rng.randint(20, 80))
        return doc

    def documents(self, n: int) -> Iterator[SearchDocument]:
        return (self.document(i) for i in range(n))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def query_classes(corpus: Corpus, n_docs: int) -> dict[str, list[SearchRequest]]:
    vocab = corpus.vocabulary
    rng = random.Random(11)
    papers = [i for i in range(min(n_docs, 5000)) if corpus.document(i).kind == Kind.PAPER]
    day = date(2016, 1, 1)

    def many(make: Callable[[], SearchRequest], n: int = QUERIES) -> list[SearchRequest]:
        return [make() for _ in range(n)]

    return {
        "rare word": many(lambda: SearchRequest(rng.choice(vocab[3000:6000]))),
        "medium word": many(lambda: SearchRequest(rng.choice(vocab[300:600]))),
        "very common word": many(lambda: SearchRequest(rng.choice(vocab[:8]))),
        "two words (AND)": many(
            lambda: SearchRequest(f"{rng.choice(vocab[20:200])} {rng.choice(vocab[200:800])}")
        ),
        "phrase": many(lambda: SearchRequest(f'"{rng.choice(PHRASES)}"')),
        "compound part": many(lambda: SearchRequest(rng.choice(HEADS[:4]).capitalize())),
        "reference number": many(lambda: SearchRequest(corpus.reference(rng.choice(papers)))),
        "body + date filter": many(
            lambda: SearchRequest(
                rng.choice(vocab[:50]),
                Filters(
                    bodies=[1 + rng.randrange(BODIES)],
                    date_from=day,
                    date_to=day + timedelta(days=3 * 365),
                ),
            )
        ),
        "sorted by date": many(lambda: SearchRequest(rng.choice(vocab[:50]), sort="date")),
        "typo (Meinten Sie)": many(lambda: SearchRequest(typo(rng, vocab[300:600]))),
    }


def typo(rng: random.Random, words: list[str]) -> str:
    """A word with two letters after the second swapped: what a suggestion is for."""
    word = rng.choice([w for w in words if len(w) >= 6])
    at = rng.randrange(2, len(word) - 1)
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


ROOT = Path(__file__).resolve().parents[1]


Using = Callable[[], AbstractContextManager[None]]
"""Enters an analyzer: what `to_tantivy`, snippets and suggestions use while it is active."""


def analyzer(rev: str) -> Using:
    """The current analyzer (`rev` "current"), or the compound splitter and dictionary
    of git `rev` without suggestions; each entry is cheap, so that searches of the
    two can alternate query by query."""
    if rev == "current":
        return ExitStack

    def show(path: str) -> str:
        return subprocess.run(
            ["git", "show", f"{rev}:{path}"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout

    module = types.ModuleType("baseline_compounds")
    exec(compile(show("src/ratsblick/search/compounds.py"), "baseline", "exec"), module.__dict__)
    lists: dict[str, list[str]] = {}

    def word_list(name: str) -> list[str]:
        if name not in lists:
            text = show(f"src/ratsblick/search/data/{name}")
            lists[name] = [
                w.strip().lower() for w in text.splitlines() if w.strip() and w[0] != "#"
            ]
        return lists[name]

    module.word_list = word_list
    splitter = module.default_splitter()

    @contextmanager
    def using() -> Iterator[None]:
        with ExitStack() as stack:
            for owner in (compounds, analysis):
                patch = mock.patch.object(owner, "default_splitter", return_value=splitter)
                stack.enter_context(patch)
            stack.enter_context(mock.patch.object(engine, "suggestion", return_value=None))
            terms = functools.partial(analysis.word_terms, splitter=splitter)
            stack.enter_context(mock.patch.object(snippets, "word_terms", terms))
            yield

    return using


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


class TextStore:
    """Where snippets come from, as the database is in production: rows by key."""

    def __init__(self, folder: Path) -> None:
        self.db = sqlite3.connect(folder / "texts.sqlite")
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("CREATE TABLE IF NOT EXISTS texts (pk INTEGER PRIMARY KEY, doc TEXT)")

    def add(self, docs: list[SearchDocument]) -> None:
        rows = [(d.pk, json.dumps([d.kind, d.body, d.title, d.text, d.page_starts])) for d in docs]
        self.db.executemany("INSERT INTO texts VALUES (?, ?)", rows)
        self.db.commit()

    def __call__(self, keys: list[str]) -> dict[str, SearchDocument]:
        pks = [int(k.split(":")[1]) for k in keys]
        marks = ",".join("?" * len(pks))
        found = {}
        for pk, raw in self.db.execute(f"SELECT pk, doc FROM texts WHERE pk IN ({marks})", pks):
            kind, body, title, text, starts = json.loads(raw)
            doc = SearchDocument(Kind(kind), pk, body, title, text, page_starts=starts)
            found[doc.key] = doc
        return found


class Fts5:
    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(title, reference, text, body UNINDEXED,"
            " day UNINDEXED, tokenize='unicode61 remove_diacritics 2')"
        )

    def add(self, docs: Iterator[SearchDocument]) -> None:
        rows = (
            (d.pk, d.title, d.reference, d.text, d.body, d.date.isoformat() if d.date else "")
            for d in docs
        )
        self.db.executemany(
            "INSERT INTO docs(rowid, title, reference, text, body, day) VALUES (?,?,?,?,?,?)", rows
        )
        self.db.commit()

    @staticmethod
    def match(text: str) -> str:
        if text.startswith('"'):
            return text
        return " ".join('"' + w.replace('"', "") + '"' for w in text.split())

    def search(self, request: SearchRequest) -> None:
        where, args = ["docs MATCH ?"], [self.match(request.text)]
        filters = request.filters
        if filters.bodies:
            where.append("body = ?")
            args.append(str(filters.bodies[0]))
        if filters.date_from and filters.date_to:
            where.append("day BETWEEN ? AND ?")
            args += [filters.date_from.isoformat(), filters.date_to.isoformat()]
        order = "day DESC" if request.sort == "date" else "rank"
        condition = " AND ".join(where)
        sql = f"SELECT rowid FROM docs WHERE {condition} ORDER BY {order} LIMIT 20"
        self.db.execute(sql, args).fetchall()
        self.db.execute(f"SELECT count(*) FROM docs WHERE {condition}", args).fetchone()


def build_index(corpus: Corpus, n: int, work: Path) -> tuple[SearchIndex, TextStore, dict]:
    """Index `n` documents; only the time spent in the search library counts."""
    raw, seconds = 0, 0.0
    index = SearchIndex(work / "index")
    store = TextStore(work)
    with index.rebuild() as writer:
        batch: list[SearchDocument] = []
        for doc in corpus.documents(n):
            raw += len(doc.title.encode()) + len(doc.text.encode()) + len(doc.reference)
            batch.append(doc)
            if len(batch) == 1000 or doc.pk == n - 1:
                started = time.perf_counter()
                writer.add(batch)
                seconds += time.perf_counter() - started
                store.add(batch)
                batch = []
        started = time.perf_counter()
    seconds += time.perf_counter() - started  # the final commit, when the block ends
    size = index.size_bytes()
    print(
        f"Tantivy: {n:,} docs, {raw / 1e6:,.0f} MB text, indexed in {seconds:,.0f} s"
        f" = {n / seconds:,.0f} docs/s; index {size / 1e6:,.0f} MB"
        f" = {size / raw:.2f}× the text; peak RSS {peak_rss_mb():,.0f} MB",
        flush=True,
    )
    return (
        index,
        store,
        {
            "index_seconds": seconds,
            "docs_per_s": n / seconds,
            "raw_text_mb": raw / 1e6,
            "index_mb": size / 1e6,
            "index_to_text": size / raw,
            "rss_after_index_mb": peak_rss_mb(),
        },
    )


def build_fts(corpus: Corpus, n: int, work: Path) -> tuple[Fts5, dict]:
    fts = Fts5(work / "fts.sqlite")
    started = time.perf_counter()
    fts.add(corpus.documents(n))
    seconds = time.perf_counter() - started
    size = (work / "fts.sqlite").stat().st_size
    print(
        f"FTS5: {n:,} docs in {seconds:,.0f} s = {n / seconds:,.0f} docs/s; {size / 1e6:,.0f} MB",
        flush=True,
    )
    return fts, {"fts_docs": n, "fts_docs_per_s": n / seconds, "fts_mb": size / 1e6}


@dataclass
class Target:
    """An index to search, with the analyzer it was built with."""

    name: str
    index: SearchIndex
    store: TextStore
    using: Using

    def timed(self, request: SearchRequest) -> float:
        with self.using():
            return timed(lambda: self.index.search(request, self.store))


def measure_class(
    targets: list[Target],
    fts: Fts5 | None,
    requests: list[SearchRequest],
    fts_queries: int,
) -> list[dict[str, float]]:
    """One row per target; with two, each query runs on both in turn (which goes
    first alternates), so that both see the machine at the same speed."""
    for target in targets:  # warm the page cache the way a running server has it
        for r in requests:
            target.timed(r)
    times: list[dict[str, list[float]]] = [{} for _ in targets]
    for number, r in enumerate(requests):
        order = list(enumerate(targets))[:: -1 if number % 2 else 1]
        plain: list[list[float]] = [[] for _ in targets]
        r.snippets, r.facets = False, False
        for _ in range(REPEATS):
            for at, target in order:
                plain[at].append(target.timed(r))
        for at, samples in enumerate(plain):
            times[at].setdefault("plain", []).append(statistics.median(samples))
        for kind in ("snip", "facet"):
            r.snippets, r.facets = True, kind == "facet"
            for at, target in order:
                times[at].setdefault(kind, []).append(target.timed(r))
        r.snippets, r.facets = False, False
    rows = []
    for at, target in enumerate(targets):
        with target.using():
            hits = statistics.mean(target.index.search(r).total for r in requests)
        row = {"hits": hits}
        row["p50"], row["p95"] = percentiles(times[at]["plain"])
        row["p50_snip"], row["p95_snip"] = percentiles(times[at]["snip"])
        row["p95_facets"] = percentiles(times[at]["facet"])[1]
        rows.append(row)
    if fts:
        rows[-1]["fts_p50"] = percentiles(
            [timed(lambda r=r: fts.search(r)) for r in requests[:fts_queries]]
        )[0]
    return rows


def run_classes(
    targets: list[Target],
    fts: Fts5 | None,
    classes: dict[str, list[SearchRequest]],
    fts_queries: int,
) -> list[list[dict[str, float | str]]]:
    """Each class on every target; the rows of each target."""
    print(
        f"{'class':22} {'hits(avg)':>10} {'p50':>6} {'p95':>6} {'p50+snip':>9}"
        f" {'p95+snip':>9} {'p95+facets':>10} {'FTS5 p50':>9} {'ratio':>7}"
    )
    rows: list[list[dict[str, float | str]]] = [[] for _ in targets]
    for name, requests in classes.items():
        for at, row in enumerate(measure_class(targets, fts, requests, fts_queries)):
            rows[at].append({"class": name, **row})
            fts_cell = (
                f"{row['fts_p50']:9.1f} {row['fts_p50'] / row['p50']:6.0f}×"
                if "fts_p50" in row
                else f"{'-':>9} {'-':>7}"
            )
            label = name if len(targets) == 1 else f"{name[:13]} {targets[at].name[:8]}"
            print(
                f"{label:22} {row['hits']:10,.0f} {row['p50']:6.1f} {row['p95']:6.1f}"
                f" {row['p50_snip']:9.1f} {row['p95_snip']:9.1f} {row['p95_facets']:10.1f}"
                f" {fts_cell}",
                flush=True,
            )
    return rows


def compare(baseline: dict, current: dict) -> None:
    """The two analyzers side by side: indexing, size, p95 per class."""
    print(f"\n{'':22} {'baseline':>10} {'current':>10} {'ratio':>7}")
    for key, label in (("docs_per_s", "indexing docs/s"), ("index_mb", "index MB")):
        old, new = baseline[key], current[key]
        print(f"{label:22} {old:10,.0f} {new:10,.0f} {new / old:6.2f}×")
    for old, new in zip(baseline["classes"], current["classes"], strict=True):
        for key in ("p95", "p95_snip"):
            label = f"{old['class']}{' +snip' if key == 'p95_snip' else ''}"
            print(f"{label[:22]:22} {old[key]:10.1f} {new[key]:10.1f} {new[key] / old[key]:6.2f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--fts-docs", type=int, default=None, help="FTS5 baseline size")
    parser.add_argument("--fts-queries", type=int, default=5, help="FTS5 queries per class")
    parser.add_argument("--baseline", default=None, help="git revision of the analyzer to compare")
    parser.add_argument("--analyzer", default="current", help="'current' or a git revision")
    parser.add_argument("--compare", type=Path, default=None, help="an earlier run's --json")
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--build-into", type=Path, default=None, help="build only, keep it here")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here too")
    args = parser.parse_args()
    if args.baseline:
        compare_analyzers(args)
        return
    figures = run_one(args)
    if args.compare:
        earlier = json.loads(args.compare.read_text())["analyzers"]
        compare(next(iter(earlier.values())), figures["analyzers"][args.analyzer])
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, default=str))


def compare_analyzers(args: argparse.Namespace) -> None:
    """Each analyzer builds its index in a process of its own (the second one built
    in a process paid for the first one's heap); then this process searches both,
    query by query in turn: the machine's speed drifts by a third within minutes
    (a shared 2-core host), which separate runs would count as the analyzer's."""
    revisions = (args.baseline, "current")
    with tempfile.TemporaryDirectory(prefix="ratsblick-compare-", dir=args.dir) as temporary:
        work = Path(temporary)
        results = {}
        for rev in revisions:
            out = work / "figures.json"
            command = [sys.executable, __file__, "--docs", str(args.docs), "--analyzer", rev]
            command += ["--build-into", str(work / rev), "--json", str(out)]
            subprocess.run(command, check=True)
            results[rev] = dict(json.loads(out.read_text())["analyzers"][rev])
        targets = [
            Target(rev, SearchIndex(work / rev / "index"), TextStore(work / rev), analyzer(rev))
            for rev in revisions
        ]
        print(f"\n== both analyzers, query by query: {' | '.join(revisions)} ==", flush=True)
        classes = query_classes(Corpus(), args.docs)
        for rev, rows in zip(revisions, run_classes(targets, None, classes, 0), strict=True):
            results[rev]["classes"] = rows
    compare(*results.values())
    if args.json:
        args.json.write_text(json.dumps({"docs": args.docs, "analyzers": results}, default=str))


def run_one(args: argparse.Namespace) -> dict:
    """Index the corpus with `args.analyzer` and search it (unless `--build-into`,
    which keeps the index); the figures."""
    fts_docs = 0 if args.build_into else args.docs if args.fts_docs is None else args.fts_docs
    work = args.build_into or Path(tempfile.mkdtemp(prefix="ratsblick-search-", dir=args.dir))
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    try:
        corpus = Corpus()
        fts = None
        figures: dict = {"docs": args.docs}
        if fts_docs:
            fts, fts_figures = build_fts(corpus, fts_docs, work)
            figures |= fts_figures
        print(f"\n== analyzer {args.analyzer} ==", flush=True)
        using = analyzer(args.analyzer)
        with using():
            work.mkdir(parents=True, exist_ok=True)
            index, store, built = build_index(corpus, args.docs, work)
        if not args.build_into:
            target = Target(args.analyzer, index, store, using)
            classes = query_classes(corpus, args.docs)
            (built["classes"],) = run_classes([target], fts, classes, args.fts_queries)
        figures |= {"analyzers": {args.analyzer: built}, "peak_rss_mb": peak_rss_mb()}
        print(f"peak RSS {peak_rss_mb():,.0f} MB")
        print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        return figures
    finally:
        if not args.build_into:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
