"""Word diffs and field changes on their own: pages aligned, costs bounded, values in German."""

from __future__ import annotations

from ratsblick.history import textdiff
from ratsblick.history.fields import field_changes
from ratsblick.history.textdiff import Op, Piece, diff_pages, word_diff
from ratsblick.oparl.schema import ObjectType


def test_a_changed_word_is_removed_and_added_with_context_around_it() -> None:
    same = " ".join(f"w{i}" for i in range(40))
    diff = word_diff(f"Der Radweg ist 2 km lang. {same}", f"Der Radweg ist 3 km lang. {same}")
    assert (diff.added, diff.removed) == (1, 1)
    assert diff.pieces[:4] == (
        Piece(Op.SAME, "Der Radweg ist"),
        Piece(Op.REMOVED, "2"),
        Piece(Op.ADDED, "3"),
        Piece(Op.SAME, "km lang. " + " ".join(f"w{i}" for i in range(textdiff.CONTEXT - 2))),
    )
    assert diff.pieces[-1] == Piece(Op.GAP, "…")  # the long unchanged tail is cut


def test_an_inserted_page_does_not_shift_the_pages_after_it() -> None:
    old = ["Seite eins", "Seite zwei", "Seite drei"]
    new = ["Seite eins", "Eine neue Seite", "Seite zwei", "Seite drei geändert"]
    diff = diff_pages(old, new)
    assert [(p.old_number, p.new_number) for p in diff.pages] == [(None, 2), (3, 4)]
    assert diff.unchanged_pages == 2
    assert (diff.added, diff.removed) == (4, 0)


def test_whitespace_alone_is_no_change() -> None:
    diff = diff_pages(["Ein  Satz\nauf zwei Zeilen."], ["Ein Satz auf zwei Zeilen."])
    assert (diff.pages, diff.unchanged_pages) == ((), 1)


def test_a_huge_page_is_counted_not_aligned() -> None:
    words = [f"w{i}" for i in range(textdiff.MAX_WORDS + 1)]
    diff = word_diff(" ".join(words), " ".join([*words[1:], "neu", "neu"]))
    assert diff.too_large
    assert (diff.pieces, diff.added, diff.removed) == ((), 2, 1)


def test_pages_beyond_the_cap_are_counted_only() -> None:
    old = [f"alt {i}" for i in range(textdiff.MAX_PAGES + 3)]
    new = [f"neu {i}" for i in range(textdiff.MAX_PAGES + 3)]
    diff = diff_pages(old, new)
    assert len(diff.pages) == textdiff.MAX_PAGES
    assert diff.skipped_pages == 3


def test_field_changes_in_german_with_embedded_objects_as_ids() -> None:
    file = {"id": "https://ris.example/file/1", "name": "Vorlage"}
    old = {
        "id": "https://ris.example/paper/1",
        "name": "Radweg",
        "date": "2024-01-15",
        "modified": "2024-01-15T09:00:00+01:00",
        "mainFile": file,
        "auxiliaryFile": ["https://ris.example/file/2"],
    }
    new = {
        **old,
        "name": "Radweg an der B 399",
        "date": "2024-01-16",
        "modified": "2024-02-01T10:00:00+01:00",
        "mainFile": {**file, "name": "Vorlage (neu)"},  # its own change, not the paper's
        "auxiliaryFile": ["https://ris.example/file/2", "https://ris.example/file/3"],
    }
    changes = field_changes(ObjectType.PAPER, old, new)
    assert [(c.label, c.old, c.new) for c in changes] == [
        ("Bezeichnung", "Radweg", "Radweg an der B 399"),
        ("Datum", "15.01.2024", "16.01.2024"),
        ("Anlagen", "1 Verweis", "2 Verweise (1 neu)"),
    ]


def test_a_long_text_field_gets_a_word_diff() -> None:
    text = "Der Ausschuss empfiehlt dem Rat, den Radweg an der Landstraße L 25 bis 2026 zu bauen."
    (change,) = field_changes(
        ObjectType.AGENDA_ITEM,
        {"resolutionText": text},
        {"resolutionText": text.replace("2026", "2027"), "public": None},
    )
    assert change.label == "Beschlusstext"
    assert change.words is not None
    assert (change.words.added, change.words.removed) == (1, 1)
