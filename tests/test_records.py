"""Flattening OParl objects into one record per object."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ratsblick.oparl.records import InvalidObject, flatten, iter_references
from ratsblick.oparl.schema import ObjectType
from ratsblick.replay.dataset import RecordedDataset

MEETING = json.loads((Path(__file__).parent / "fixtures" / "cc_egov_meeting.json").read_text())


def test_embedded_objects_are_lifted_and_learn_their_parent(dataset: RecordedDataset) -> None:
    meeting = dataset.lookup(dataset.api_root + "/body/1/meeting/898")
    records = flatten(meeting, ObjectType.MEETING)
    top, *embedded = records
    assert top.type is ObjectType.MEETING
    assert top.raw is meeting  # kept as received
    items = [r for r in embedded if r.type is ObjectType.AGENDA_ITEM]
    assert len(items) == len(meeting["agendaItem"])
    assert all(item.data["meeting"] == top.id for item in items)
    assert [item.position for item in items] == list(range(len(items)))
    assert top.data["agendaItem"] == [item.id for item in items]
    assert top.data["invitation"] == meeting["invitation"]["id"]
    files = {r.id for r in embedded if r.type is ObjectType.FILE}
    assert meeting["resultsProtocol"]["id"] in files


def test_typeless_deleted_entry_takes_the_list_type() -> None:
    entry = {"id": "https://x.example/paper/1", "deleted": True, "modified": "2020-01-01"}
    (record,) = flatten(entry, ObjectType.PAPER)
    assert record.type is ObjectType.PAPER
    assert record.deleted


def test_a_single_object_where_a_list_belongs_is_a_list() -> None:
    records = flatten(MEETING, ObjectType.MEETING)
    top = records[0]
    assert top.data["auxiliaryFile"] == [MEETING["auxiliaryFile"]["id"]]
    assert sum(r.type is ObjectType.FILE for r in records) == 2


def test_object_without_id_is_refused_but_embedded_ones_get_one() -> None:
    with pytest.raises(InvalidObject):
        flatten({"type": "https://schema.oparl.org/1.0/Paper"}, ObjectType.PAPER)
    paper = {"id": "https://x.example/p/1", "consultation": [{"role": "Vorberatung"}]}
    _, consultation = flatten(paper, ObjectType.PAPER)
    assert consultation.id == "https://x.example/p/1#consultation/0"
    assert consultation.data["paper"] == "https://x.example/p/1"


def test_references_are_listed() -> None:
    (top, *_) = flatten(MEETING, ObjectType.MEETING)
    targets = {(rel.name, target) for rel, target in iter_references(top)}
    assert ("organization", MEETING["organization"][0]) in targets
    assert ("invitation", MEETING["invitation"]["id"]) in targets
