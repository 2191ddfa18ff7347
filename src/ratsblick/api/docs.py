"""The API's documentation page, rendered by us from its OpenAPI schema.

django-ninja's own docs page loads Swagger UI from a CDN; ours is plain HTML
from the same schema that `openapi.json` serves: no script, every asset
ours, readable without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from ratsblick.api.http import MAX_AGE
from ratsblick.api.v1 import api


@dataclass(frozen=True)
class Parameter:
    name: str
    where: str
    required: bool
    type: str
    description: str


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    description: str
    parameters: list[Parameter]
    statuses: list[str]
    anchor: str


@dataclass(frozen=True)
class Section:
    title: str
    operations: list[Operation]


WHERE = {"path": "Pfad", "query": "Abfrage"}


def _type(schema: dict[str, Any]) -> str:
    """A parameter's type in a few words ("Liste von integer", "string oder null")."""
    if "anyOf" in schema:
        return " oder ".join(_type(s) for s in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    if schema.get("type") == "array":
        return f"Liste von {_type(schema.get('items', {}))}"
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    kind = str(schema.get("type", "beliebig"))
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def sections(schema: dict[str, Any]) -> list[Section]:
    grouped: dict[str, list[Operation]] = {}
    for path, methods in schema["paths"].items():
        for method, spec in methods.items():
            operation = Operation(
                method.upper(),
                path,
                spec.get("summary", ""),
                spec.get("description", ""),
                [
                    Parameter(
                        p["name"],
                        WHERE.get(p["in"], p["in"]),
                        bool(p.get("required")),
                        _type(p.get("schema", {})),
                        p.get("description", p.get("schema", {}).get("description", "")),
                    )
                    for p in spec.get("parameters", [])
                ],
                sorted(spec.get("responses", {})),
                spec["operationId"],
            )
            grouped.setdefault((spec.get("tags") or ["API"])[0], []).append(operation)
    return [Section(title, operations) for title, operations in grouped.items()]


def docs_page(request: HttpRequest) -> HttpResponse:
    schema = api.get_openapi_schema()
    return render(
        request,
        "api/docs.html",
        {
            "title": schema["info"]["title"],
            "description": schema["info"].get("description", ""),
            "sections": sections(schema),
            "openapi_url": reverse("api:v1:openapi-json"),
            "max_age": MAX_AGE,
            "rate": settings.RATSBLICK_API_RATE,
        },
    )
