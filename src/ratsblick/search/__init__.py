"""German full-text search over council documents (Tantivy); no Django here.

The public API is what this module exports; callers import from
`ratsblick.search`, not from its modules. `types` holds the data (documents,
requests, filters, results), `analysis` and `compounds` turn text into
terms, `query` reads what a citizen types, `ranking` makes a Tantivy query of
it, `schema` says what the index holds, `engine` writes and searches the
index, `snippets` cuts the highlighted passages for the page shown.
"""

from ratsblick.search.engine import (
    IndexBusy,
    IndexMissing,
    IndexWriter,
    RebuildBusy,
    SearchIndex,
    TextSource,
    is_current,
)
from ratsblick.search.query import KIND_NAMES, parse_day
from ratsblick.search.snippets import Snippet
from ratsblick.search.types import (
    Filters,
    Hit,
    Kind,
    Parent,
    SearchDocument,
    SearchRequest,
    SearchResults,
    document_key,
)

__all__ = [
    "KIND_NAMES",
    "Filters",
    "Hit",
    "IndexBusy",
    "IndexMissing",
    "IndexWriter",
    "Kind",
    "Parent",
    "RebuildBusy",
    "SearchDocument",
    "SearchIndex",
    "SearchRequest",
    "SearchResults",
    "Snippet",
    "TextSource",
    "document_key",
    "is_current",
    "parse_day",
]
