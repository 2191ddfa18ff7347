"""Plain pages over the synced data (the full UI is a later issue)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from ratsblick.council.models import Body, File, Meeting, Paper
from ratsblick.files.models import Download, ExtractedPage, PaperFacts
from ratsblick.indexing.service import search as run_search
from ratsblick.search import IndexMissing
from ratsblick.web.search import (
    KIND_LABELS,
    PER_PAGE,
    facet_values,
    links,
    request_from,
    with_param,
)

PAGE_SIZE = 50


def index(request: HttpRequest) -> HttpResponse:
    bodies = Body.objects.filter(subscribed=True).order_by("name")
    return render(request, "web/index.html", {"bodies": bodies})


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


def file_detail(request: HttpRequest, pk: int) -> HttpResponse:
    file = get_object_or_404(File.objects.select_related("body"), pk=pk, stub=False)
    download = Download.objects.filter(file=file).first()
    version = file.versions.select_related("blob__extraction").first()
    extraction = getattr(version.blob, "extraction", None) if version else None
    pages = (
        ExtractedPage.objects.filter(extraction=extraction)
        if extraction
        else ExtractedPage.objects.none()
    )
    papers = Paper.objects.live().filter(
        pk__in=[*file.main_file_of.values_list("pk", flat=True),
                *file.auxiliary_file_of_papers.values_list("pk", flat=True)]
    )  # fmt: skip
    context = {
        "file": file,
        "download": download,
        "version": version,
        "extraction": extraction,
        "pages": pages,
        "papers": papers,
        "older_versions": file.versions.count() - 1 if version else 0,
        "facts": [
            facts.shown()
            for facts in PaperFacts.objects.filter(paper__main_file=file).select_related("paper")
        ],
    }
    return render(request, "web/file.html", context)


def search(request: HttpRequest) -> HttpResponse:
    query = request_from(request.GET)
    context: dict[str, object] = {"q": query.text, "params": request.GET}
    if query.text.strip() or request.GET:
        try:
            results = run_search(query)
        except IndexMissing:
            context["unavailable"] = True
            return render(request, "web/search.html", context, status=503)
        page = query.offset // PER_PAGE + 1
        urls = links(results.hits)
        context |= {
            "results": results,
            "hits": [(hit, KIND_LABELS[hit.kind], urls[hit.key]) for hit in results.hits],
            "first_rank": query.offset + 1,
            "facets": facet_values(results, request.GET),
            "page": page,
            "previous": with_param(request.GET, "seite", str(page - 1)) if page > 1 else None,
            "next": with_param(request.GET, "seite", str(page + 1))
            if query.offset + PER_PAGE < results.total
            else None,
            "sorts": {
                label: with_param(request.GET, "sortierung", key)
                for key, label in (
                    ("relevanz", "Relevanz"),
                    ("neueste", "Neueste zuerst"),
                    ("aelteste", "Älteste zuerst"),
                )
            },
        }
    return render(request, "web/search.html", context)
