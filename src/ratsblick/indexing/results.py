"""Search results as plain data, for `ratsblick search --json` and the JSON API."""

from __future__ import annotations

from typing import Any

from ratsblick.search import Hit, SearchResults, Snippet


def _snippet(snippet: Snippet | None) -> dict[str, Any] | None:
    if snippet is None:
        return None
    return {
        "text": snippet.text,
        "highlights": snippet.marks,
        "page": snippet.page,
        "html": snippet.html(),
    }


def _hit(hit: Hit) -> dict[str, Any]:
    return {
        "type": str(hit.kind),
        "id": hit.pk,
        "body": hit.body,
        "title": hit.title,
        "reference": hit.reference,
        "date": hit.date.isoformat() if hit.date else None,
        "score": round(hit.score, 4),
        "snippet": _snippet(hit.snippet),
    }


def as_json(results: SearchResults) -> dict[str, Any]:
    """`total` counts matching documents, `groups` the hits they make (null when
    not every match was looked at); a hit lists its matching files."""
    return {
        "total": results.total,
        "groups": results.groups,
        "more": results.more,
        "warnings": results.warnings,
        "hits": [
            {
                **_hit(hit),
                "matched": hit.matched,
                "files": [_hit(f) for f in hit.files],
                "files_matched": hit.files_matched,
            }
            for hit in results.hits
        ],
        "facets": {name: dict(counts) for name, counts in results.facets.items()},
    }
