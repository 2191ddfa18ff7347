"""A file: its metadata, its paper's facts and its text page by page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from ratsblick.council.models import File, Paper
from ratsblick.files.models import Download, ExtractedPage, PaperFacts


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
