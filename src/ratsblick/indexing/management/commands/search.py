from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser
from rich.markup import escape

from ratsblick.council.commandline import RatsblickCommand, select_bodies
from ratsblick.indexing.results import as_json
from ratsblick.indexing.service import search
from ratsblick.search import KIND_NAMES, Filters, IndexMissing, SearchRequest, Snippet, parse_day


class Command(RatsblickCommand):
    help = (
        'Search the index: words, "phrases", -exclusions, OR, and filters such as '
        "typ:vorlage, art:Antrag, jahr:2021, von:2020, bis:31.12.2021."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", help="what to search for, in the query language")
        parser.add_argument("--json", action="store_true", help="machine-readable output")
        parser.add_argument("--body", action="append", default=[], help="pk, OParl id or name")
        parser.add_argument("--type", action="append", default=[], choices=sorted(KIND_NAMES))
        parser.add_argument("--from", dest="date_from", help="from this day (2021, 5.3.2021)")
        parser.add_argument("--to", dest="date_to", help="up to this day")
        parser.add_argument(
            "--sort", choices=("relevance", "date", "date_asc"), default="relevance"
        )
        parser.add_argument("--page", type=int, default=1)
        parser.add_argument("--limit", type=int, default=20)
        parser.add_argument("--facets", action="store_true", help="also count by body, type, year")

    def handle(self, *args: Any, **options: Any) -> None:
        request = SearchRequest(
            text=options["query"],
            filters=Filters(
                bodies=[b.pk for b in select_bodies(options["body"])] if options["body"] else [],
                kinds=[KIND_NAMES[t] for t in options["type"]],
                date_from=parse_day(options["date_from"]) if options["date_from"] else None,
                date_to=parse_day(options["date_to"], end=True) if options["date_to"] else None,
            ),
            sort=options["sort"],
            offset=(max(1, options["page"]) - 1) * options["limit"],
            limit=options["limit"],
            facets=options["facets"],
        )
        try:
            results = search(request)
        except IndexMissing as error:
            raise CommandError("Noch kein Suchindex: erst `ratsblick reindex`.") from error
        if options["json"]:
            data = as_json(results) | {"suggestion": results.suggestion}
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
            return
        console = self.console()
        for warning in results.warnings:
            console.print(f"[yellow]{escape(warning)}[/yellow]")
        if results.suggestion:
            console.print(f"Meinten Sie: [bold]{escape(results.suggestion)}[/bold]?")
        console.print(f"{results.total} Treffer")
        for rank, hit in enumerate(results.hits, start=request.offset + 1):
            when = hit.date.strftime("%d.%m.%Y") if hit.date else ""
            console.print(f"{rank:3}. [bold]{escape(hit.title)}[/bold]  {hit.kind} {hit.pk} {when}")
            if hit.snippet:
                console.print(f"     {terminal_snippet(hit.snippet)}")


def terminal_snippet(snippet: Snippet) -> str:
    out, at = [], 0
    for start, end in snippet.marks:
        out.append(escape(snippet.text[at:start]))
        out.append(f"[reverse]{escape(snippet.text[start:end])}[/reverse]")
        at = end
    out.append(escape(snippet.text[at:]))
    page = f" (S. {snippet.page})" if snippet.page else ""
    return "".join(out) + page
