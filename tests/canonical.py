"""A database's OParl content independent of primary keys, for comparisons."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import models

from ratsblick.council.models import OPARL_MODELS

IGNORED = {"id", "synced_at", "body"}


def canonical_dump() -> dict[str, dict[str, dict[str, Any]]]:
    """{type: {oparl_id: {field: value}}} with references as OParl ids."""
    ids = {
        model: dict(model.objects.values_list("pk", "oparl_id")) for model in OPARL_MODELS.values()
    }
    dump: dict[str, dict[str, dict[str, Any]]] = {}
    for kind, model in OPARL_MODELS.items():
        own = ids[model]
        fields = [
            f
            for f in model._meta.get_fields()
            if f.name not in IGNORED and f.concrete and not f.many_to_many
        ]
        rows: dict[str, dict[str, Any]] = {}
        for values in model.objects.values("pk", *(f.attname for f in fields)):
            row = {}
            for f in fields:
                value = values[f.attname]
                if isinstance(f, models.ForeignKey) and value is not None:
                    value = ids[f.related_model][value]
                row[f.name] = value
            rows[own[values["pk"]]] = row
        for field in model._meta.many_to_many:
            assert isinstance(field, models.ManyToManyField)
            through = field.remote_field.through
            source, target = field.m2m_field_name() + "_id", field.m2m_reverse_field_name() + "_id"
            linked: dict[str, list[str]] = defaultdict(list)
            for a, b in through.objects.values_list(source, target):
                linked[own[a]].append(ids[field.related_model][b])
            for oparl_id, row in rows.items():
                row[field.name] = sorted(linked.get(oparl_id, []))
        dump[kind.value] = rows
    return dump
