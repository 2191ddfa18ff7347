"""The search page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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
