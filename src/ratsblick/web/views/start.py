"""The start page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ratsblick.council.models import Body


def index(request: HttpRequest) -> HttpResponse:
    bodies = Body.objects.filter(subscribed=True).order_by("name")
    return render(request, "web/index.html", {"bodies": bodies})
