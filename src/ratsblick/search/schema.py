"""The fields of the index, and how a `SearchDocument` becomes a Tantivy document."""

from __future__ import annotations

from datetime import date, datetime, time

import tantivy

from ratsblick.search.analysis import ANALYZER, GRAMS_ANALYZER, normalize
from ratsblick.search.compounds import compound_runs
from ratsblick.search.grams import document_grams
from ratsblick.search.types import Kind, SearchDocument, group_code, searchable_day

SCHEMA_VERSION = 3
"""Raise when a field changes: `ratsblick reindex --if-needed` then rebuilds.

2: `group` and `child` (a file's paper or meeting, to show them as one hit);
3: `parent_title`, `parent_reference`, `parent_date` (what that hit shows)."""

RECENCY_EPOCH = 2000
RECENCY_PER_YEAR = 0.02
"""Score × log2(2 + recency): 1.0 for 2000 and before, ×1.33 for 2026 (mild)."""


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw")
    builder.add_text_field("kind", stored=True, fast=True, tokenizer_name="raw")
    builder.add_unsigned_field("body", stored=True, indexed=True, fast=True)
    builder.add_text_field("title", stored=True, tokenizer_name=ANALYZER)
    builder.add_text_field("reference", stored=True, tokenizer_name=ANALYZER)
    builder.add_text_field("reference_exact", tokenizer_name="raw")
    # Not stored: snippets come from the database, for the page shown only,
    # which keeps the index at 0.73x the text it holds at 1M documents,
    # common grams included (0.38x without them).
    builder.add_text_field("text", tokenizer_name=ANALYZER)
    builder.add_text_field("parts", tokenizer_name=ANALYZER, index_option="freq")
    builder.add_text_field("grams", tokenizer_name=GRAMS_ANALYZER)
    builder.add_date_field("date", stored=True, indexed=True, fast=True)
    builder.add_unsigned_field("year", indexed=True, fast=True)
    builder.add_float_field("recency", fast=True)
    builder.add_text_field("paper_type", stored=True, fast=True, tokenizer_name="raw")
    builder.add_unsigned_field("organization", indexed=True, fast=True)
    # The hit a document is shown in: its parent's key, else its own (`group_code`);
    # `child` says which of a group's documents is not the parent itself.
    builder.add_unsigned_field("group", fast=True)
    builder.add_boolean_field("child", fast=True)
    # What a file's hit shows of its parent (stored only: bytes are not indexed).
    builder.add_bytes_field("parent_title", stored=True)
    builder.add_bytes_field("parent_reference", stored=True)
    builder.add_date_field("parent_date", stored=True)
    return builder.build()


def exact_reference(reference: str) -> str:
    """A reference as one comparable term: "FB 02/0131/WP17" → "fb02/0131/wp17"."""
    return "".join(normalize(reference).lower().split())


def recency(day: date | None) -> float:
    """Later is better, up to next year: a typo such as 2261 must not rank first."""
    if day is None:
        return 0.0
    year = min(day.year, date.today().year + 1)
    return max(0.0, (year - RECENCY_EPOCH) * RECENCY_PER_YEAR)


def to_tantivy(doc: SearchDocument) -> tantivy.Document:
    out = tantivy.Document()
    out.add_text("key", doc.key)
    out.add_text("kind", str(doc.kind))
    out.add_unsigned("body", doc.body)
    title, text = normalize(doc.title), normalize(doc.text)
    out.add_text("title", title)
    out.add_text("text", text)
    parts = compound_runs(f"{title}\n{text}")
    if parts:
        out.add_text("parts", parts)
    grams = document_grams(title, text, doc.reference)
    if grams:
        out.add_text("grams", grams)
    if doc.reference:
        out.add_text("reference", doc.reference)
        out.add_text("reference_exact", exact_reference(doc.reference))
    day = searchable_day(doc.date)  # a typo such as 9999-12-31 must not stop indexing
    if day:
        out.add_date("date", datetime.combine(day, time()))
        out.add_unsigned("year", day.year)
    # A person or a committee has no date but is current: not older than its meetings.
    standing = doc.kind in (Kind.PERSON, Kind.ORGANIZATION) and day is None
    out.add_float("recency", recency(date.today() if standing else day))
    if doc.paper_type:
        out.add_text("paper_type", doc.paper_type)
    for organization in doc.organizations:
        out.add_unsigned("organization", organization)
    out.add_unsigned("group", group_code(doc.parent.key if doc.parent else doc.key))
    out.add_boolean("child", doc.parent is not None)
    if doc.parent:
        out.add_bytes("parent_title", doc.parent.title.encode())
        out.add_bytes("parent_reference", doc.parent.reference.encode())
        if parent_day := searchable_day(doc.parent.date):
            out.add_date("parent_date", datetime.combine(parent_day, time()))
    return out
