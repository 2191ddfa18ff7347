from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from ratsblick.council.commandline import RatsblickCommand, http_client
from ratsblick.council.sync import SyncError, add_body
from ratsblick.oparl.http import FetchError


def listed_urls(path: Path) -> list[str]:
    """URLs of a list file: one per line; blank lines and `#` comments skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"Liste {path} nicht lesbar: {exc}") from exc
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


class Command(RatsblickCommand):
    help = (
        "Register the bodies behind OParl System or Body URLs for syncing "
        "(a System URL registers every body of that System)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("urls", nargs="*", help="URLs of OParl Systems or Bodies")
        parser.add_argument(
            "--file", type=Path, help="a list of URLs, one per line (# starts a comment)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        urls = list(options["urls"])
        if options["file"]:
            urls += listed_urls(options["file"])
        if not urls:
            raise CommandError("Keine URL angegeben (URL … oder --file LISTE).")
        failed: list[str] = []  # one bad URL costs none of the others
        with http_client() as client:
            for url in dict.fromkeys(urls):
                try:
                    bodies = add_body(url, client)
                except (SyncError, FetchError) as exc:
                    failed.append(str(exc))
                    continue
                for body in bodies:
                    self.stdout.write(f"added body {body.pk}: {body.name} ({body.oparl_id})")
        if failed:
            raise CommandError(
                f"not added ({len(failed)} of {len(set(urls))}): " + "; ".join(failed)
            )
