"""What the models promise their callers: live objects, outbox kinds, page methods."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from ratsblick.council.models import Body, Change, Paper, record_changes
from ratsblick.council.status import body_status
from ratsblick.extract.result import ReadMethod
from ratsblick.files.models import ExtractedPage
from ratsblick.oparl.schema import ObjectType

pytestmark = pytest.mark.django_db


def test_live_leaves_out_deletions_and_placeholders() -> None:
    body = Body.objects.create(oparl_id="https://example.org/body/1")
    for name, deleted, stub in (
        ("full", False, False),
        ("deleted", True, False),
        ("stub", False, True),
        ("deleted stub", True, True),
    ):
        Paper.objects.create(oparl_id=f"https://example.org/paper/{name}", body=body,
                             name=name, deleted=deleted, stub=stub)  # fmt: skip
    assert [p.name for p in Paper.objects.live()] == ["full"]
    assert [p.name for p in Paper.objects.filter(body=body).live()] == ["full"]
    assert body_status(body)["types"]["Paper"] == {"live": 1, "deleted": 2, "unresolved": 2}


def test_changes_keep_the_oparl_type_in_lower_case() -> None:
    for pk, kind in enumerate(ObjectType):
        record_changes(kind, [pk])
    stored = list(Change.objects.order_by("object_pk").values_list("kind", flat=True))
    assert stored == [kind.value.lower() for kind in ObjectType]
    assert [Change.KINDS[k] for k in stored] == list(ObjectType)
    with pytest.raises(ValidationError):
        Change(kind="Paper", object_pk=1).full_clean()


def test_a_page_is_read_by_one_of_the_extraction_methods() -> None:
    field = ExtractedPage._meta.get_field("method")
    assert [value for value, _ in field.choices] == [m.value for m in ReadMethod]
