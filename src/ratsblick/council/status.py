"""What the database holds, per body and object type."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Count, Q
from django.dispatch import Signal
from django.utils import timezone

from ratsblick.council.models import LIVE, OPARL_MODELS, Body, SyncRun
from ratsblick.oparl.schema import ObjectType

# Sent per body with `body=`; each receiver returns a dict of more sections
# (files, dead letters), so that apps above this one add to the report.
status_sections = Signal()

LAST_ERRORS = 5


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
    success = body.sync_runs.filter(outcome=SyncRun.Outcome.OK).order_by("-started_at").first()
    failures = body.sync_runs.exclude(outcome__in=(SyncRun.Outcome.OK, SyncRun.Outcome.RUNNING))
    report: dict[str, Any] = {
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
        # Lag: how old the newest data we are sure of is (a sync sees what
        # was there when it started).
        "last_success": success.finished_at.isoformat()
        if success and success.finished_at
        else None,
        "lag_seconds": (timezone.now() - success.started_at).total_seconds() if success else None,
        "objects": sum(counts["live"] for counts in types.values()),
        "last_errors": [
            {
                "started_at": run.started_at.isoformat(),
                "outcome": run.outcome,
                "error": run.error or "; ".join(run.notes),
            }
            for run in failures.order_by("-started_at")[:LAST_ERRORS]
        ],
    }
    for _receiver, sections in status_sections.send(sender=Body, body=body):
        report.update(cast(dict[str, Any], sections))
    return report


def status() -> list[dict[str, Any]]:
    return [body_status(b) for b in Body.objects.filter(subscribed=True).order_by("pk")]
