"""The data page (`/daten/`) and the dump files it lists."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from ratsblick.dumps import writer


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    dumps = writer.published()
    licenses = sorted({d.body.license for d in dumps if d.body and d.body.license})
    return render(request, "dumps/index.html", {"dumps": dumps, "licenses": licenses})


@require_safe
def download(request: HttpRequest, name: str) -> FileResponse:
    """A dump as a static file: its size and date in the headers, ranges allowed."""
    path = writer.path_of(name)
    if path is None:
        raise Http404("Diesen Datenabzug gibt es nicht.")
    try:
        handle = path.open("rb")
    except FileNotFoundError as gone:  # replaced between listing and opening
        raise Http404("Diesen Datenabzug gibt es nicht.") from gone
    response = FileResponse(
        handle, as_attachment=True, filename=name, content_type="application/gzip"
    )
    response["Last-Modified"] = http_date(path.stat().st_mtime)
    return response
