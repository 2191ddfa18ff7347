"""A body (Kommune) and its lists."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from ratsblick.council.models import Body, Meeting, Paper

PAGE_SIZE = 50


def body_detail(request: HttpRequest, pk: int) -> HttpResponse:
    body = get_object_or_404(Body, pk=pk, subscribed=True)
    papers = (
        Paper.objects.live().filter(body=body).select_related("main_file").order_by("-date", "-pk")
    )
    meetings = Meeting.objects.live().filter(body=body).order_by("-start")
    paper_page = Paginator(papers, PAGE_SIZE).get_page(request.GET.get("papiere"))
    meeting_page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("sitzungen"))
    return render(
        request,
        "web/body.html",
        {"body": body, "papers": paper_page, "meetings": meeting_page},
    )
