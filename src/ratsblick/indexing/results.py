"""Search results as plain data, for `ratsblick search --json` and the JSON API."""

from __future__ import annotations

from typing import Any

from ratsblick.search import SearchResults


def as_json(results: SearchResults) -> dict[str, Any]:
    return {
        "total": results.total,
        "warnings": results.warnings,
        "hits": [
            {
                "type": str(hit.kind),
                "id": hit.pk,
                "body": hit.body,
                "title": hit.title,
                "reference": hit.reference,
                "date": hit.date.isoformat() if hit.date else None,
                "score": round(hit.score, 4),
                "snippet": {
                    "text": hit.snippet.text,
                    "highlights": hit.snippet.marks,
                    "page": hit.snippet.page,
                    "html": hit.snippet.html(),
                }
                if hit.snippet
                else None,
            }
            for hit in results.hits
        ],
        "facets": {name: dict(counts) for name, counts in results.facets.items()},
    }
