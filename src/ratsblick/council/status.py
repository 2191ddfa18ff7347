"""What the database holds, per body and object type."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from ratsblick.council.models import LIVE, OPARL_MODELS, Body
from ratsblick.oparl.schema import ObjectType


def body_status(body: Body) -> dict[str, Any]:
    types: dict[str, dict[str, int]] = {}
    for kind, model in OPARL_MODELS.items():
        if kind in (ObjectType.SYSTEM, ObjectType.BODY):
            continue
        counts = model.objects.filter(body=body).aggregate(
            live=Count("pk", filter=LIVE),
            deleted=Count("pk", filter=Q(deleted=True)),
            unresolved=Count("pk", filter=Q(stub=True)),
        )
        types[kind.value] = counts
    last = body.sync_runs.order_by("-started_at").first()
    return {
        "id": body.pk,
        "oparl_id": body.oparl_id,
        "name": body.name,
        "types": types,
        "files": types[ObjectType.FILE.value]["live"],
        "last_sync": None
        if last is None
        else {
            "started_at": last.started_at.isoformat(),
            "finished_at": last.finished_at.isoformat() if last.finished_at else None,
            "outcome": last.outcome,
            "full": last.full,
            "counts": last.counts,
            "notes": last.notes,
            "error": last.error,
        },
    }


def status() -> list[dict[str, Any]]:
    return [body_status(b) for b in Body.objects.filter(subscribed=True).order_by("pk")]
