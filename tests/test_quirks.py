"""Vendor fix-ups, each with the payload its vendor really sends."""

from __future__ import annotations

import json
from pathlib import Path

from ratsblick.oparl.quirks import CCEgov, Quirks, Somacos, Sternberg, quirks_for
from ratsblick.oparl.records import flatten
from ratsblick.oparl.schema import ObjectType
from ratsblick.replay.dataset import RecordedDataset

MEETING = json.loads((Path(__file__).parent / "fixtures" / "cc_egov_meeting.json").read_text())


def test_vendor_is_chosen_from_the_system(dataset: RecordedDataset) -> None:
    assert isinstance(quirks_for(dataset.system), Sternberg)
    assert isinstance(quirks_for({"vendor": "https://www.cc-egov.de", "name": "ALLRIS"}), CCEgov)
    assert isinstance(quirks_for({"product": "https://www.somacos.de/sessionnet"}), Somacos)
    assert type(quirks_for({"vendor": "https://example.org"})) is Quirks
    assert type(quirks_for(None)) is Quirks


def test_sternberg_body(dataset: RecordedDataset) -> None:
    (body,) = dataset.lists[dataset.api_root + "/body"]
    records = flatten(body, ObjectType.BODY)
    for record in records:
        Sternberg().fix(record)
    top, location = records
    assert (body["ags"], top.data["ags"]) == ("5358016", "05358016")
    recorded = body["location"]["geojson"]["geometry"]["coordinates"]
    assert location.data["geojson"]["geometry"]["coordinates"] == [recorded[1], recorded[0]]
    assert body["location"]["geojson"]["geometry"]["coordinates"] == recorded  # raw untouched


def test_sternberg_keeps_correct_coordinates_and_fixes_double_slashes() -> None:
    location = {"id": "l", "geojson": {"type": "Feature", "geometry": {"type": "Point",
                "coordinates": [6.39, 50.72]}}}  # fmt: skip
    (record,) = flatten(location, ObjectType.LOCATION)
    Sternberg().fix(record)
    assert record.data["geojson"]["geometry"]["coordinates"] == [6.39, 50.72]
    file = {
        "id": "f",
        "accessUrl": "https://h.example/rim4220/webservice/oparl/v1.0/body/1/files//rim4220/x.pdf",
    }
    (record,) = flatten(file, ObjectType.FILE)
    Sternberg().fix(record)
    assert record.data["accessUrl"] == (
        "https://h.example/rim4220/webservice/oparl/v1.0/body/1/files/rim4220/x.pdf"
    )


def test_cc_egov_meeting() -> None:
    records = flatten(MEETING, ObjectType.MEETING)
    for record in records:
        CCEgov().fix(record)
    meeting, invitation, auxiliary, item = records
    assert "location" not in meeting.data  # "N/A"
    assert invitation.data["mimeType"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert auxiliary.data["mimeType"] == "application/pdf"
    assert "downloadUrl" not in auxiliary.data  # ""
    assert "result" not in item.data


def test_somacos_query_is_not_percent_encoded() -> None:
    url = "https://oparl.example/bodies/0001/papers?page=2"
    since = {"modified_since": "2020-11-26T19:26:34Z"}
    assert Somacos().with_params(url, since) == f"{url}&modified_since=2020-11-26T19:26:34Z"
    assert Quirks().with_params(url, since) == f"{url}&modified_since=2020-11-26T19%3A26%3A34Z"
