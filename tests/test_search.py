"""The search engine on a real Tantivy index: ranking, filters, facets, snippets, writers."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from graphlib import TopologicalSorter
from pathlib import Path

import pytest
import time_machine

import ratsblick.search
from ratsblick.search import (
    Filters,
    IndexBusy,
    Kind,
    Parent,
    RebuildBusy,
    SearchDocument,
    SearchIndex,
    SearchRequest,
    is_current,
)
from ratsblick.search.engine import CURRENT

DOCS = [
    SearchDocument(
        Kind.PAPER,
        1,
        1,
        "Sachstandsbericht Digitalstrategie",
        "Die Radwegeplanung.",
        "FB 02/0131/WP17",
        date(2018, 3, 13),
        "Mitteilungsvorlage",
        [10],
    ),
    SearchDocument(
        Kind.PAPER,
        2,
        1,
        "Strategie für den Radverkehr",
        "Eine Strategie.",
        "FB 02/0140/WP17",
        date(2018, 5, 1),
        "Antrag",
        [11],
    ),
    SearchDocument(
        Kind.FILE,
        3,
        2,
        "Anlage",
        "Erste Seite ohne Treffer.\n\nZweite Seite: die digitale Strategie der Stadt.",
        date=date(2021, 2, 1),
        page_starts=[0, 27],
    ),
    SearchDocument(
        Kind.MEETING, 4, 2, "Gemeinderat", "Haushaltssatzung 2020", date=date(2020, 1, 5)
    ),
    SearchDocument(
        Kind.PERSON, 5, 1, "Erika Mustermann", "Ausschuss für Umwelt", organizations=[10]
    ),
    SearchDocument(Kind.PAPER, 6, 1, "Hundesteuer", "Strategie", "1234/89", date(2010, 1, 1)),
]
BY_KEY = {d.key: d for d in DOCS}


def texts(keys: list[str]) -> dict[str, SearchDocument]:
    return {k: BY_KEY[k] for k in keys if k in BY_KEY}


@pytest.fixture
def index(tmp_path: Path) -> SearchIndex:
    built = SearchIndex(tmp_path / "index")
    with built.rebuild() as writer:
        writer.add(DOCS)
    return built


def keys(index: SearchIndex, text: str, **options: object) -> list[str]:
    return [h.key for h in index.search(SearchRequest(text, **options)).hits]  # type: ignore[arg-type]


def test_exact_and_title_matches_rank_above_compound_parts(index: SearchIndex) -> None:
    found = keys(index, "Strategie")
    assert found[0] == "paper:2"  # title and text
    assert set(found) == {"paper:1", "paper:2", "file:3", "paper:6"}
    assert found.index("paper:6") < found.index("paper:1")  # exact word before "Digitalstrategie"


def test_compound_parts_are_found(index: SearchIndex) -> None:
    assert keys(index, "Radweg") == ["paper:1"]
    assert keys(index, "Bericht") == ["paper:1"]
    assert keys(index, "Haushalt") == ["meeting:4"]


def test_reference_numbers_are_found_exactly(index: SearchIndex) -> None:
    assert keys(index, "FB 02/0131/WP17") == ["paper:1"]
    assert keys(index, "0131/WP17") == ["paper:1"]
    assert keys(index, "1234/89") == ["paper:6"]
    assert keys(index, "0140/WP17")[0] == "paper:2"


def test_phrases_exclusions_and_alternatives(index: SearchIndex) -> None:
    assert keys(index, '"digitale Strategie"') == ["file:3"]
    assert "paper:6" not in keys(index, "Strategie -Hundesteuer")
    assert set(keys(index, "Hundesteuer OR Gemeinderat")) == {"paper:6", "meeting:4"}
    assert keys(index, "-Strategie -Hundesteuer", sort="date") == ["meeting:4", "person:5"]


def test_phrases_of_common_words_need_the_words_side_by_side(tmp_path: Path) -> None:
    """Such phrases go through the common grams; the positions must still hold."""
    index = SearchIndex(tmp_path)
    with index.rebuild() as writer:
        writer.add(
            [
                SearchDocument(Kind.MEETING, 1, 1, "Rat", "In öffentlicher Sitzung der Rat."),
                SearchDocument(Kind.MEETING, 2, 1, "Rat", "Öffentliche Bekanntmachung, Sitzung"),
                SearchDocument(Kind.MEETING, 3, 1, "Öffentliche Sitzung des Rates", ""),
                SearchDocument(Kind.MEETING, 4, 1, "Rat", "Sitzung der Verwaltung öffentlich"),
                SearchDocument(Kind.MEETING, 5, 1, "Rat", "Sitzung der Verwaltung und der Rat"),
            ]
        )
    assert keys(index, '"öffentliche Sitzung"') == ["meeting:3", "meeting:1"]  # title first
    assert keys(index, '"Sitzung der Rat"') == ["meeting:1"]
    assert keys(index, '"der Verwaltung öffentlich"') == ["meeting:4"]


def test_filters(index: SearchIndex) -> None:
    assert set(keys(index, "Strategie", filters=Filters(kinds=[Kind.PAPER]))) == {
        "paper:1",
        "paper:2",
        "paper:6",
    }
    assert keys(index, "Strategie typ:datei") == ["file:3"]
    assert keys(index, "Strategie", filters=Filters(bodies=[2])) == ["file:3"]
    assert keys(index, "Strategie", filters=Filters(paper_types=["Antrag"])) == ["paper:2"]
    assert keys(index, "Strategie art:Antrag") == ["paper:2"]
    assert set(keys(index, "", filters=Filters(organizations=[10]))) == {"paper:1", "person:5"}
    assert set(keys(index, "Strategie von:2018 bis:30.4.2018")) == {"paper:1"}
    assert keys(index, "Strategie", filters=Filters(date_from=date(2021, 1, 1))) == ["file:3"]


def test_sorting_by_date_and_the_recency_boost(index: SearchIndex) -> None:
    assert keys(index, "Strategie", sort="date") == ["file:3", "paper:2", "paper:1", "paper:6"]
    assert keys(index, "Strategie", sort="date_asc")[0] == "paper:6"


def test_newer_documents_win_a_tie(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path)
    with index.rebuild() as writer:
        writer.add(
            SearchDocument(Kind.PAPER, year, 1, "Haushalt", date=date(year, 1, 1))
            for year in (2005, 2024, 2015)
        )
    assert keys(index, "Haushalt") == ["paper:2024", "paper:2015", "paper:2005"]


@time_machine.travel(datetime(2026, 12, 1, tzinfo=UTC), tick=False)
def test_a_date_typo_in_the_future_counts_as_next_year(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path)
    with index.rebuild() as writer:
        writer.add(
            [
                SearchDocument(Kind.PAPER, 1, 1, "Haushalt Haushalt", date=date(2261, 1, 1)),
                SearchDocument(Kind.PAPER, 2, 1, "Haushalt Haushalt", date=date(2027, 6, 1)),
                SearchDocument(Kind.PAPER, 3, 1, "Haushalt", date=date(2026, 1, 1)),
            ]
        )
    scores = {h.key: h.score for h in index.search(SearchRequest("Haushalt")).hits}
    assert scores["paper:1"] == scores["paper:2"]  # 2261 is worth 2027, not ×2.85
    assert scores["paper:1"] > scores["paper:3"]


def test_totals_pages_and_facets(index: SearchIndex) -> None:
    results = index.search(SearchRequest("Strategie", limit=2, facets=True))
    assert results.total == 4
    assert len(results.hits) == 2
    rest = index.search(SearchRequest("Strategie", limit=2, offset=2))
    assert {h.key for h in results.hits} | {h.key for h in rest.hits} == {
        "paper:1", "paper:2", "file:3", "paper:6",
    }  # fmt: skip
    assert dict(results.facets["kind"]) == {"paper": 3, "file": 1}
    assert dict(results.facets["body"]) == {"1": 3, "2": 1}
    assert dict(results.facets["year"]) == {"2018": 2, "2021": 1, "2010": 1}


def test_snippets_mark_words_and_compounds_and_name_the_page(index: SearchIndex) -> None:
    (hit,) = index.search(SearchRequest('"digitale Strategie"'), texts).hits
    assert hit.snippet is not None
    assert hit.snippet.page == 2
    assert "<mark>digitale</mark> <mark>Strategie</mark>" in hit.snippet.html()
    (hit,) = index.search(SearchRequest("Radweg"), texts).hits
    assert hit.snippet is not None
    assert hit.snippet.html() == "Die <mark>Radwegeplanung</mark>."
    hits = index.search(SearchRequest("Bericht"), texts).hits
    assert hits[0].snippet is not None
    assert "<mark>Sachstandsbericht</mark>" in hits[0].snippet.html()  # from the title


def test_snippets_escape_html(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path)
    doc = SearchDocument(Kind.FILE, 1, 1, "x", "<script>Haushalt</script> & mehr")
    with index.rebuild() as writer:
        writer.add([doc])
    (hit,) = index.search(SearchRequest("Haushalt"), lambda k: {doc.key: doc}).hits
    assert hit.snippet is not None
    assert hit.snippet.html() == "&lt;script&gt;<mark>Haushalt</mark>&lt;/script&gt; &amp; mehr"


def test_no_searchable_word_gives_a_message(index: SearchIndex) -> None:
    results = index.search(SearchRequest("?! --- ::"))
    assert results.total == 0
    assert results.warnings == ["Die Suche enthält kein Wort, nach dem sich suchen lässt."]


def test_upsert_replaces_and_delete_removes(index: SearchIndex) -> None:
    with index.writer() as writer:
        writer.upsert([SearchDocument(Kind.PAPER, 6, 1, "Pferdesteuer", "")])
        writer.delete(["meeting:4"])
        writer.commit()
    assert keys(index, "Hundesteuer") == []
    assert keys(index, "Pferdesteuer") == ["paper:6"]
    assert keys(index, "Gemeinderat") == []
    assert index.num_docs() == len(DOCS) - 1


def test_one_writer_at_a_time(index: SearchIndex) -> None:
    with index.writer(), pytest.raises(IndexBusy), index.writer():
        pass
    with index.writer() as writer:  # the lock is released again
        writer.commit()


WRITER = """
import sys
from pathlib import Path
from ratsblick.search import Kind, SearchDocument, SearchIndex
index = SearchIndex(Path(sys.argv[1]))
with index.writer() as writer:
    writer.upsert([SearchDocument(Kind.PAPER, 99, 1, "Windkraftanlagen")])
    writer.commit()
"""


def test_readers_see_another_process_commit_within_seconds(index: SearchIndex) -> None:
    assert keys(index, "Windkraft") == []
    subprocess.run([sys.executable, "-c", WRITER, str(index.root)], check=True)
    deadline = time.monotonic() + 5
    while keys(index, "Windkraft") != ["paper:99"]:
        assert time.monotonic() < deadline, "the reader never saw the commit"
        time.sleep(0.05)


def test_a_rebuild_swaps_generations_under_an_open_reader(index: SearchIndex) -> None:
    assert keys(index, "Gemeinderat") == ["meeting:4"]
    rebuild(index.root, [SearchDocument(Kind.MEETING, 7, 1, "Ortschaftsrat")])
    assert keys(index, "Gemeinderat") == []
    assert keys(index, "Ortschaftsrat") == ["meeting:7"]
    assert len(list(index.root.glob("gen-*"))) == 1


def rebuild(root: Path, docs: Iterable[SearchDocument]) -> None:
    with SearchIndex(root).rebuild() as writer:
        writer.add(docs)


def test_a_failed_rebuild_leaves_the_live_index_alone(index: SearchIndex) -> None:
    def documents() -> Iterator[SearchDocument]:
        yield SearchDocument(Kind.MEETING, 8, 1, "Kreistag")
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError, match="went away"):
        rebuild(index.root, documents())
    assert keys(index, "Gemeinderat") == ["meeting:4"]
    assert keys(index, "Kreistag") == []
    assert len(list(index.root.glob("gen-*"))) == 1


def test_an_index_of_another_schema_version_is_not_current(index: SearchIndex) -> None:
    assert is_current(index.root)
    current = index.root / CURRENT
    current.write_text(json.dumps({**json.loads(current.read_text()), "schema": 0}))
    assert not is_current(index.root)
    assert not is_current(index.root / "nowhere")


def test_the_package_modules_import_each_other_without_a_cycle() -> None:
    """Every import counts, also one under TYPE_CHECKING (ranking once imported engine so)."""
    package = Path(ratsblick.search.__file__).parent
    imports = {
        path.stem: {
            node.module.rsplit(".", 1)[1]
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("ratsblick.search.")
        }
        for path in package.glob("*.py")
        if path.stem != "__init__"
    }
    assert imports["ranking"] >= {"query", "types"}
    assert "engine" not in {m for found in imports.values() for m in found}
    TopologicalSorter(imports).prepare()  # raises CycleError


def test_callers_take_the_public_api_from_the_package() -> None:
    root = Path(ratsblick.search.__file__).parents[3]
    callers = [*(root / "src").rglob("*.py"), *(root / "bench").glob("*.py")]
    submodule_imports = {
        (path.name, alias.name)
        for path in callers
        if "search" not in path.relative_to(root).parts[2:3]
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ratsblick.search.")
        for alias in node.names
        if alias.name in ratsblick.search.__all__
    }
    assert submodule_imports == set()


def test_documents_dated_outside_the_index_range_are_indexed_without_a_date(
    tmp_path: Path,
) -> None:
    """Tantivy holds 1677-09-21 to 2262-04-11; typos such as 9999 used to stop indexing."""
    index = SearchIndex(tmp_path)
    with index.rebuild() as writer:
        writer.add(
            [
                SearchDocument(Kind.PAPER, 1, 1, "Tippfehlerdatum", date=date(9999, 12, 31)),
                SearchDocument(Kind.PAPER, 2, 1, "Römerzeit", date=date(201, 3, 5)),
                SearchDocument(Kind.PAPER, 3, 1, "Grenzjahr Haushalt", date=date(2261, 12, 31)),
                SearchDocument(Kind.PAPER, 4, 1, "Haushalt", date=date(2020, 6, 1)),
                SearchDocument(Kind.PAPER, 5, 1, "Haushalt Anfang", date=date(1678, 1, 1)),
            ]
        )
    assert keys(index, "Tippfehlerdatum") == ["paper:1"]
    assert keys(index, "Römerzeit") == ["paper:2"]
    assert [h.date for h in index.search(SearchRequest("Tippfehlerdatum")).hits] == [None]
    assert keys(index, "Haushalt", sort="date") == ["paper:3", "paper:4", "paper:5"]
    assert keys(index, "von:2000") == ["paper:3", "paper:4"]
    assert keys(index, "jahr:2020") == ["paper:4"]
    # Both undated: Tantivy orders ties by segment, which the writer's threads choose.
    assert sorted(keys(index, "-Haushalt", sort="date_asc")) == ["paper:1", "paper:2"]
    facets = index.search(SearchRequest("", Filters(bodies=[1]), facets=True)).facets
    assert dict(facets["year"]) == {"2261": 1, "2020": 1, "1678": 1}


RACER = """
import sys, time
from pathlib import Path
from ratsblick.search import Kind, SearchDocument, SearchIndex
root, started, go = map(Path, sys.argv[1:])
with SearchIndex(root).rebuild() as writer:
    writer.add([SearchDocument(Kind.MEETING, 50, 1, "Erster Umbau")])
    started.touch()
    while not go.exists():
        time.sleep(0.02)
"""


def start_racer(root: Path, tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """Another process in the middle of a rebuild of `root`, until `go` exists."""
    started, go = tmp_path / "started", tmp_path / "go"
    racer = subprocess.Popen([sys.executable, "-c", RACER, str(root), str(started), str(go)])
    deadline = time.monotonic() + 20
    while not started.exists():
        assert racer.poll() is None, "the first rebuild died"
        assert time.monotonic() < deadline, "the first rebuild never started"
        time.sleep(0.02)
    return racer, go


def test_a_second_rebuild_at_the_same_time_fails_clearly(
    index: SearchIndex, tmp_path: Path
) -> None:
    """Without the lock the second one swapped in and deleted the first one's half-built
    generation, which then died with FileDoesNotExist."""
    racer, go = start_racer(index.root, tmp_path)
    with pytest.raises(RebuildBusy):
        rebuild(index.root, [SearchDocument(Kind.MEETING, 51, 1, "Zweiter Umbau")])
    assert keys(index, "Gemeinderat") == ["meeting:4"]  # the live index is untouched
    go.touch()
    assert racer.wait(timeout=30) == 0
    assert keys(index, "Umbau") == ["meeting:50"]
    assert len(list(index.root.glob("gen-*"))) == 1
    rebuild(index.root, [SearchDocument(Kind.MEETING, 52, 1, "Dritter Umbau")])  # free again
    assert keys(index, "Umbau") == ["meeting:52"]


def test_a_killed_rebuild_leaves_no_lock_behind(index: SearchIndex, tmp_path: Path) -> None:
    racer, _ = start_racer(index.root, tmp_path)
    racer.kill()
    racer.wait(timeout=30)
    rebuild(index.root, [SearchDocument(Kind.MEETING, 53, 1, "Neubau")])
    assert keys(index, "Neubau") == ["meeting:53"]
    assert keys(index, "Umbau") == []
    assert len(list(index.root.glob("gen-*"))) == 1  # the orphaned generation is gone


def test_the_rebuild_lock_holds_between_handles_of_one_process(index: SearchIndex) -> None:
    with index.rebuild(), pytest.raises(RebuildBusy):
        rebuild(index.root, [])


FAMILY = [
    SearchDocument(Kind.PAPER, 1, 1, "Bebauungsplan Mühlenweg", "", "159/2006", date(2006, 5, 1)),
    *(
        SearchDocument(
            Kind.FILE,
            10 + n,
            1,
            f"Anlage {n} Lageplan",
            f"Seite eins.\n\nSeite zwei: Mühlenweg {'Mühlenweg ' * n}",
            date=date(2006, 5, 1),
            page_starts=[0, 13],
            parent=Parent("paper:1", "Bebauungsplan Mühlenweg", "159/2006", date(2006, 5, 1)),
        )
        for n in range(1, 6)
    ),
    SearchDocument(Kind.PAPER, 2, 1, "Haushalt", "", "160/2006", date(2006, 6, 1)),
    SearchDocument(
        Kind.FILE,
        20,
        1,
        "Anlage mit Skizze zum Mühlenweg",  # a longer title: less than paper 1's
        "Nur Zahlen.",
        date=date(2006, 6, 1),
        parent=Parent("paper:2", "Haushalt", "160/2006", date(2006, 6, 1)),
    ),
    SearchDocument(Kind.FILE, 30, 1, "Brief", "Mühlenweg, Mühlenweg.", date=date(2007, 1, 1)),
    SearchDocument(Kind.MEETING, 40, 1, "Rat", "Tagesordnung", date=date(2007, 2, 1)),
    SearchDocument(
        Kind.FILE,
        41,
        1,
        "Protokoll",
        "Zum Mühlenweg.",
        date=date(2007, 2, 1),
        parent=Parent("meeting:40", "Rat", date=date(2007, 2, 1)),
    ),
]
FAMILY_BY_KEY = {d.key: d for d in FAMILY}


@pytest.fixture
def family(tmp_path: Path) -> SearchIndex:
    built = SearchIndex(tmp_path / "family")
    with built.rebuild() as writer:
        writer.add(FAMILY)
    return built


def test_files_are_shown_inside_their_paper_or_meeting(family: SearchIndex) -> None:
    results = family.search(SearchRequest("Mühlenweg"))
    assert [(h.key, h.matched) for h in results.hits] == [
        ("paper:1", True),
        ("paper:2", False),  # only its file matched (by name)
        ("file:30", True),  # no paper or meeting: a hit of its own
        ("meeting:40", False),
    ]
    paper = results.hits[0]
    assert [f.key for f in paper.files] == ["file:15", "file:14", "file:13"]  # best three
    assert paper.files_matched == 5
    assert (results.total, results.groups, results.more) == (9, 4, False)
    by_key = {h.key: h for h in results.hits}
    assert [f.key for f in by_key["paper:2"].files] == ["file:20"]
    assert [f.key for f in by_key["meeting:40"].files] == ["file:41"]
    assert by_key["file:30"].files == []


def test_a_file_snippet_comes_from_its_text_with_the_page(family: SearchIndex) -> None:
    def texts(keys: list[str]) -> dict[str, SearchDocument]:
        return {k: FAMILY_BY_KEY[k] for k in keys}

    hits = {h.key: h for h in family.search(SearchRequest("Mühlenweg"), texts).hits}
    (first, *_) = hits["paper:1"].files
    assert first.snippet is not None
    assert first.snippet.page == 2
    assert first.snippet.html().startswith("Seite eins. Seite zwei: <mark>Mühlenweg</mark>")
    (named,) = hits["paper:2"].files
    assert named.snippet is None  # it matched by its name, which is shown anyway
    assert hits["paper:2"].snippet is None  # the paper itself did not match
    assert hits["paper:1"].snippet is not None  # its title did
    assert hits["paper:1"].snippet.html() == "Bebauungsplan <mark>Mühlenweg</mark>"


def test_pages_count_hits_not_documents(family: SearchIndex) -> None:
    pages = [
        family.search(SearchRequest("Mühlenweg", limit=1, offset=n, files_per_hit=1))
        for n in range(5)
    ]
    assert [len(p.hits) for p in pages] == [1, 1, 1, 1, 0]
    assert len({p.hits[0].key for p in pages[:4]}) == 4
    assert [p.more for p in pages] == [True, True, True, False, False]
    assert all(len(h.files) <= 1 for p in pages for h in p.hits)
    by_date = family.search(SearchRequest("Mühlenweg", sort="date"))
    assert [h.key for h in by_date.hits] == ["meeting:40", "file:30", "paper:2", "paper:1"]


def test_a_reference_finds_its_paper_before_files_that_mention_it(tmp_path: Path) -> None:
    index = SearchIndex(tmp_path)
    with index.rebuild() as writer:
        writer.add(
            [
                SearchDocument(Kind.PAPER, 1, 1, "Regelförderung der Vereine", "", "159/2006"),
                SearchDocument(Kind.FILE, 2, 1, "Vorlage 159/2006", "Vorlage 159/2006 159/2006"),
                SearchDocument(Kind.PAPER, 3, 1, "Bezug auf 159/2006", "159/2006 159/2006"),
            ]
        )
    assert keys(index, "159/2006")[0] == "paper:1"


def test_paper_types_are_a_facet(index: SearchIndex) -> None:
    facets = index.search(SearchRequest("Strategie", facets=True)).facets
    assert dict(facets["paper_type"]) == {"Mitteilungsvorlage": 1, "Antrag": 1}
