"""A file: its data, where it belongs, its text page by page, and our copy of it."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

from ratsblick.reader import shown
from ratsblick.reader.files import file_page, stored_copy
from ratsblick.web.caching import cached_page

# A copy is the council's content, not ours: if a browser shows it, it runs
# nothing, loads nothing and is its own origin.
COPY_POLICY = "default-src 'none'; sandbox"


@cached_page
def file_detail(request: HttpRequest, pk: int) -> HttpResponse:
    with shown("Diese Datei gibt es hier nicht."):
        page = file_page(pk, request.GET.get("q", "")[:500])
    return render(request, "web/file.html", {"page": page})


def file_copy(request: HttpRequest, pk: int) -> FileResponse:
    """Our stored copy of the file's current content, as a download."""
    with shown("Von dieser Datei haben wir keine Kopie."):
        copy = stored_copy(pk)
    response = FileResponse(
        copy.path.open("rb"),
        as_attachment=True,
        filename=copy.file_name,
        content_type=copy.mime_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = COPY_POLICY
    return response
