"""The "Änderungen" pages: what changed in a paper, a meeting or a file's text."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ratsblick.reader import shown
from ratsblick.reader.history import (
    BadVersions,
    ChangesPage,
    FileChangesPage,
    file_changes,
    meeting_changes,
    paper_changes,
)

BAD_VERSIONS = (
    "Die angefragten Fassungen gibt es zu dieser Datei nicht; gezeigt wird die neueste Änderung."
)


def _object_page(
    request: HttpRequest,
    load: Callable[[int], ChangesPage],
    pk: int,
    *,
    kind: str,
    url_name: str,
    missing: str,
) -> HttpResponse:
    with shown(missing):
        page = load(pk)
    context = {"page": page, "kind": kind, "object_url": url_name}
    return render(request, "web/changes_object.html", context)


def paper_changes_view(request: HttpRequest, pk: int) -> HttpResponse:
    missing = "Diese Vorlage gibt es hier nicht."
    return _object_page(
        request, paper_changes, pk, kind="Vorlage", url_name="web:paper", missing=missing
    )


def meeting_changes_view(request: HttpRequest, pk: int) -> HttpResponse:
    missing = "Diese Sitzung gibt es hier nicht."
    return _object_page(
        request, meeting_changes, pk, kind="Sitzung", url_name="web:meeting", missing=missing
    )


def _wanted(request: HttpRequest) -> tuple[int, ...] | None:
    """The versions asked for by `?version=` (once or twice); None when one is no number."""
    values = request.GET.getlist("version")
    if not all(v.isdigit() and len(v) <= 18 for v in values):
        return None
    return tuple(int(v) for v in values)


def file_changes_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Two versions of a file compared (`?version=A&version=B`, or one against the one before)."""
    wanted = _wanted(request)
    error = ""
    page: FileChangesPage | None = None
    with shown("Diese Datei gibt es hier nicht."):
        if wanted is not None:
            with suppress(BadVersions):  # shown as an error above the newest change
                page = file_changes(pk, wanted)
        if page is None:
            page, error = file_changes(pk), BAD_VERSIONS
    context = {"page": page, "error": error}
    return render(request, "web/changes_file.html", context, status=400 if error else 200)
