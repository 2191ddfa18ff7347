"""Version 1 of the JSON API: search, every object by id, lists per body, a file's text.

Read-only. Everything comes from the read layer (`ratsblick.reader`), the
same objects the pages show. Every fault a client can cause is a 4xx with a
German `detail`: a parameter of the wrong type or range (422), a cursor that
was not handed out or a time that cannot be compared (400), an id that is
not (or no longer) here (404), too many requests (429 with `Retry-After`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Path, Query
from ninja.errors import HttpError, Throttled, ValidationError
from ninja.renderers import JSONRenderer
from pydantic import AwareDatetime, Field

from ratsblick.api.http import ClientRate, cached, last_modified
from ratsblick.api.schemas import PAGES, Error
from ratsblick.reader import NotFound
from ratsblick.reader.cursors import BadCursor
from ratsblick.reader.found import Query as SearchQuery
from ratsblick.reader.found import SearchAnswer, found
from ratsblick.reader.objects import (
    KINDS,
    LISTED_PER_BODY,
    BodyRecord,
    FileText,
    PageText,
    Record,
    bodies,
    file_text,
    record,
    records_of_body,
)
from ratsblick.search import IndexMissing, Kind

MAX_ID = 2**63 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="Die Nummer des Objekts bei Ratsblick.")]
ListId = Annotated[int, Field(ge=1, le=MAX_ID)]
LABELS = {
    "bodies": "Kommune",
    "organizations": "Gremium",
    "persons": "Person",
    "memberships": "Mitgliedschaft",
    "meetings": "Sitzung",
    "agenda-items": "Tagesordnungspunkt",
    "papers": "Vorlage",
    "consultations": "Beratung",
    "files": "Datei",
    "locations": "Ort",
}
ERRORS: dict[int, type[Error]] = {400: Error, 404: Error, 422: Error, 429: Error}


class _Json(JSONRenderer):
    """UTF-8 as it is: "Kündigung", not "K\\u00fcndigung"."""

    json_dumps_params = {"ensure_ascii": False}  # noqa: RUF012 (read, never changed)


api = NinjaAPI(
    title="Ratsblick API",
    version="1",
    description=(
        "Lesende JSON-Schnittstelle zu allen Kommunen, die Ratsblick abgleicht: Suche mit der "
        "Suchsprache der Website, jedes Objekt nach Nummer, Listen je Kommune seit einem "
        "Zeitpunkt, der Text jeder Datei Seite für Seite."
    ),
    urls_namespace="api:v1",
    docs_url=None,
    throttle=[ClientRate()],
    renderer=_Json(),
)
api.add_decorator(cached, mode="view")


def _error(request: HttpRequest, status: int, detail: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _error(request, 422, "Ungültige Angabe in der Anfrage.", errors=exc.errors)


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    return _error(
        request, 429, "Zu viele Anfragen von dieser Adresse. Bitte später erneut versuchen."
    )


@api.exception_handler(NotFound)
def _not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return _error(request, 404, str(exc.args[0]) if exc.args else "Nicht gefunden.")


@api.exception_handler(BadCursor)
def _bad_cursor(request: HttpRequest, exc: BadCursor) -> HttpResponse:
    return _error(request, 400, "Dieser Cursor gehört zu keiner Liste; bitte neu beginnen.")


@api.exception_handler(IndexMissing)
def _no_index(request: HttpRequest, exc: IndexMissing) -> HttpResponse:
    response = _error(request, 503, "Die Suche wird gerade aufgebaut. Bitte später erneut.")
    response["Retry-After"] = "60"
    return response


def _missing(kind: str, pk: int) -> NotFound:
    return NotFound(f"{LABELS[kind]} {pk} gibt es hier nicht.")


def _instant(value: datetime) -> datetime:
    """`value` if the database can compare it (in UTC it lies within years 1 to 9999)."""
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise HttpError(400, "Dieser Zeitpunkt liegt außerhalb der Jahre 1 bis 9999.") from None
    return value


@api.get(
    "/search",
    response={200: SearchAnswer, 503: Error, **ERRORS},
    summary="Suchen",
    tags=["Suche"],
)
def search(
    request: HttpRequest,
    *,
    q: Annotated[str, Query(max_length=500, description="Suchanfrage in der Suchsprache.")] = "",
    type: Annotated[list[Kind], Query(description="Nur diese Arten von Treffern.")] = [],  # noqa: B006
    body: Annotated[list[ListId], Query(description="Nur diese Kommunen.")] = [],  # noqa: B006
    organization: Annotated[list[ListId], Query(description="Nur diese Gremien.")] = [],  # noqa: B006
    paper_type: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=200)]],
        Query(description="Nur diese Vorlagenarten."),
    ] = [],  # noqa: B006
    date_from: Annotated[date | None, Query(description="Datum ab (einschließlich).")] = None,
    date_to: Annotated[date | None, Query(description="Datum bis (einschließlich).")] = None,
    sort: Annotated[
        Literal["relevance", "date", "date_asc"], Query(description="Reihenfolge.")
    ] = "relevance",
    cursor: Annotated[
        str | None, Query(max_length=20, description="`next_cursor` der vorigen Seite.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Treffer je Seite.")] = 20,
    snippets: Annotated[
        bool, Query(description="Textausschnitte mit markierten Wörtern (ohne: viel schneller).")
    ] = True,
) -> SearchAnswer:
    """Treffer einer Suche mit Facetten; `next_cursor` führt zur nächsten Seite
    (höchstens bis zum Treffer 10.000)."""
    del request
    return found(
        SearchQuery(
            text=q,
            kinds=type,
            bodies=body,
            organizations=organization,
            paper_types=paper_type,
            date_from=date_from,
            date_to=date_to,
            sort=sort,
            cursor=cursor,
            limit=limit,
            snippets=snippets,
        )
    )


@api.get(
    "/bodies",
    response={200: list[BodyRecord], **ERRORS},
    summary="Alle Kommunen",
    tags=["Kommunen"],
)
def body_list(request: HttpRequest, response: HttpResponse) -> list[BodyRecord]:
    """Jede Kommune, die Ratsblick abgleicht, mit Zahlen und letztem erfolgreichen Abgleich."""
    del request
    found_bodies = bodies()
    last_modified(response, (b.modified for b in found_bodies))
    return found_bodies


def _register_object(kind: str) -> None:
    label = LABELS[kind]

    @api.get(
        f"/{kind}/{{id}}",
        response={200: KINDS[kind].record, **ERRORS},
        summary=f"{label} nach Nummer",
        tags=[label if kind == "bodies" else "Objekte"],
        operation_id=f"get_{kind.replace('-', '_')}",
    )
    def one(request: HttpRequest, response: HttpResponse, id: Id) -> Record:
        del request
        try:
            found_record = record(kind, id)
        except NotFound:
            raise _missing(kind, id) from None
        last_modified(response, [found_record.modified])
        return found_record

    one.__doc__ = f"{label} mit dieser Nummer (404, wenn es sie nicht oder nicht mehr gibt)."


def _register_list(kind: str) -> None:
    label = LABELS[kind]

    @api.get(
        f"/bodies/{{id}}/{kind}",
        response={200: PAGES[kind], **ERRORS},
        summary=f"{label}: Liste einer Kommune",
        tags=["Listen je Kommune"],
        operation_id=f"list_{kind.replace('-', '_')}",
    )
    def listed(
        request: HttpRequest,
        response: HttpResponse,
        *,
        id: Id,
        modified_since: Annotated[
            AwareDatetime | None,
            Query(description="Nur Objekte, die sich seitdem geändert haben (mit Zeitzone)."),
        ] = None,
        cursor: Annotated[
            str | None, Query(max_length=80, description="`next_cursor` der vorigen Seite.")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=100, description="Objekte je Seite.")] = 50,
    ) -> dict[str, Any]:
        del request
        try:
            page = records_of_body(
                kind,
                id,
                modified_since=_instant(modified_since) if modified_since else None,
                cursor=cursor,
                size=limit,
            )
        except NotFound:
            raise _missing("bodies", id) from None
        last_modified(response, (r.modified for r in page.items))
        return {"items": page.items, "next_cursor": page.later}

    listed.__doc__ = (
        f"{label} der Kommune in der Reihenfolge ihrer Nummern; mit `next_cursor` weiter, "
        "mit `modified_since` nur, was sich seitdem geändert hat."
    )


for _kind in KINDS:
    _register_object(_kind)
for _kind in LISTED_PER_BODY:
    _register_list(_kind)


@api.get(
    "/files/{id}/text",
    response={200: FileText, **ERRORS},
    summary="Text einer Datei",
    tags=["Text"],
)
def text(request: HttpRequest, id: Id) -> FileText:
    """Der gelesene Text der Datei, Seite für Seite (leer, solange sie nicht gelesen ist)."""
    del request
    try:
        return file_text(id)
    except NotFound:
        raise _missing("files", id) from None


@api.get(
    "/files/{id}/text/{number}",
    response={200: PageText, **ERRORS},
    summary="Eine Seite einer Datei",
    tags=["Text"],
)
def text_page(
    request: HttpRequest,
    id: Id,
    number: Annotated[int, Path(ge=1, le=100_000, description="Seitenzahl, ab 1.")],
) -> PageText:
    """Der Text einer Seite der Datei."""
    del request
    try:
        pages = file_text(id).pages
    except NotFound:
        raise _missing("files", id) from None
    for page in pages:
        if page.number == number:
            return page
    raise NotFound(f"Datei {id} hat keine gelesene Seite {number}.")
