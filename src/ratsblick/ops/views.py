"""The operator's pages and the machine endpoints."""

from __future__ import annotations

from dataclasses import asdict

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ratsblick.council.status import status
from ratsblick.ops import health, metrics, report


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = health.checks()
    ok = all(check.ok for check in checks)
    return JsonResponse(
        {"ok": ok, "checks": [asdict(check) for check in checks]}, status=200 if ok else 503
    )


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(generate_latest(metrics.registry()), content_type=CONTENT_TYPE_LATEST)


@never_cache
@login_required
def status_page(request: HttpRequest) -> HttpResponse:
    unattached = report.open_dead_letters()[1]
    return render(
        request,
        "ops/status.html",
        {
            "bodies": status(),
            "unattached": [report.letter_row(letter) for letter in unattached],
            "checks": health.checks(),
        },
    )
