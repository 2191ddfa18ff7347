"""The OParl 1.1 endpoints: our System, its bodies, their lists, every object.

Lists are paged by key (`after=<pk>`, `limit` up to 1,000) and filtered by
`created_since`, `modified_since` and `modified_until`; deleted objects
stay in them, marked `deleted`. Every answer allows any origin (CORS), as
OParl asks of servers.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_safe

from ratsblick.oparlout.render import TYPE_URL, Renderer, Urls, segment
from ratsblick.reader import NotFound, records

OPARL_VERSION = "https://schema.oparl.org/1.1/"
DEFAULT_LIMIT = 100
_KINDS = {segment(kind): kind for kind in records.KINDS if kind != "System"}
_LIST_KINDS = {segment(kind): kind for kind in records.BODY_KINDS}
_FILTERS = ("created_since", "modified_since", "modified_until")


class BadRequest(ValueError):
    """A parameter we cannot read (the message is German, for people)."""


def _answer(data: dict[str, Any], status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error(status: int, message: str) -> JsonResponse:
    return _answer({"error": message}, status=status)


@cache
def _object_path(kind: str) -> str:
    return reverse("oparlout:object", args=[segment(kind), 1])[: -len("1/")]


def _urls(request: HttpRequest) -> Urls:
    absolute = request.build_absolute_uri
    copy_path = reverse("web:file_copy", args=[1])[: -len("1/kopie/")]
    prefixes = {kind: absolute(_object_path(kind)) for kind in records.KINDS}
    return Urls(absolute(reverse("oparlout:system")), prefixes, absolute(copy_path))


@require_safe
def system(request: HttpRequest) -> JsonResponse:
    """The one System: this Ratsblick instance."""
    root = request.build_absolute_uri("/")
    return _answer(
        {
            "id": request.build_absolute_uri(reverse("oparlout:system")),
            "type": TYPE_URL + "System",
            "oparlVersion": OPARL_VERSION,
            "body": request.build_absolute_uri(reverse("oparlout:bodies")),
            "name": "Ratsblick",
            "website": root,
            "web": root,
        }
    )


def _datetime(request: HttpRequest, name: str) -> datetime | None:
    raw = request.GET.get(name)
    if raw is None:
        return None
    try:
        parsed = parse_datetime(raw.replace(" ", "+"))  # a `+` sent unencoded
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise BadRequest(
            f"{name}: „{raw[:40]}“ ist kein Zeitpunkt mit Zeitzone "
            "(ISO 8601, etwa 2024-05-01T00:00:00Z)."
        )
    return parsed


def _number(request: HttpRequest, name: str, default: int | None, top: int) -> int | None:
    raw = request.GET.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and 0 < len(raw) <= 18) or not 0 < int(raw) <= top:
        raise BadRequest(f"{name}: „{raw[:40]}“ ist keine ganze Zahl von 1 bis {top}.")
    return int(raw)


def _list(request: HttpRequest, kind: str, body: int | None, first: str) -> JsonResponse:
    try:
        since = records.Since(*(_datetime(request, name) for name in _FILTERS))
        after = _number(request, "after", None, 10**18 - 1)
        limit = _number(request, "limit", DEFAULT_LIMIT, records.MAX_PAGE) or DEFAULT_LIMIT
    except BadRequest as bad:
        return _error(400, str(bad))
    found = records.page(kind, body, after=after, size=limit, since=since)
    kept = {k: v for k, v in request.GET.items() if k in (*_FILTERS, "limit")}
    links = {
        "first": f"{first}?{urlencode(kept)}" if kept else first,
        "self": request.build_absolute_uri(),
    }
    if found.after is not None:
        links["next"] = f"{first}?{urlencode({**kept, 'after': found.after})}"
    return _answer(
        {
            "data": Renderer(_urls(request)).render(kind, found.items),
            "pagination": {"elementsPerPage": limit},
            "links": links,
        }
    )


@require_safe
def bodies(request: HttpRequest) -> JsonResponse:
    return _list(request, "Body", None, request.build_absolute_uri(reverse("oparlout:bodies")))


@require_safe
def body_list(request: HttpRequest, pk: int, name: str) -> JsonResponse:
    kind = _LIST_KINDS.get(name)
    if kind is None or pk not in records.published_bodies():
        return _error(404, "Diese Liste gibt es hier nicht.")
    first = request.build_absolute_uri(reverse("oparlout:list", args=[pk, name]))
    return _list(request, kind, pk, first)


@require_safe
def object_detail(request: HttpRequest, name: str, pk: int) -> JsonResponse:
    kind = _KINDS.get(name)
    if kind is None:
        return _error(404, "Diesen Objekttyp gibt es in OParl nicht.")
    try:
        item = records.one(kind, pk)
    except NotFound:
        return _error(404, "Dieses Objekt gibt es hier nicht.")
    (rendered,) = Renderer(_urls(request)).render(kind, [item])
    return _answer(rendered)
