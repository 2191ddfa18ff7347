"""The operator's pages and the machine endpoints."""

from __future__ import annotations

from dataclasses import asdict

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ratsblick.council.status import status
from ratsblick.jobs import deadletters
from ratsblick.ops import health, metrics, report

# The session key of a message shown once on the next operator page.
NOTICE = "ops_notice"


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = health.checks()
    ok = all(check.ok for check in checks)
    return JsonResponse(
        {"ok": ok, "checks": [asdict(check) for check in checks]}, status=200 if ok else 503
    )


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics.authorized(request.headers.get("Authorization", "")):
        denied = HttpResponse("Bearer token required\n", status=401, content_type="text/plain")
        denied["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return denied
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
            "waiting_letters": deadletters.waiting().count(),
            "checks": health.checks(),
            "notice": request.session.pop(NOTICE, None),
        },
    )


@require_POST
@login_required
def retry_dead_letters(request: HttpRequest) -> HttpResponse:
    """Queue the chosen dead letters (`id`, any number; none means all) again.

    What happened is shown once on the page the operator is sent back to.
    """
    ids = [int(value) for value in request.POST.getlist("id") if value.isdecimal()]
    letters, missing = deadletters.choose(ids)
    try:
        retried = deadletters.retry(letters)
        problem = ""
    except deadletters.QueueUnavailable as exc:
        retried, problem = exc.retried, f" Die Warteschlange ist nicht erreichbar ({exc})."
    if missing:
        problem += f" Nicht (mehr) wartend: {', '.join(map(str, missing))}."
    noun = "Aufgabe" if retried == 1 else "Aufgaben"
    request.session[NOTICE] = f"{retried} tote {noun} erneut eingereiht.{problem}"
    return redirect("ops:status")
