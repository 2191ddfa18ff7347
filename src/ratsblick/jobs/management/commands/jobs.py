from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from ratsblick.council.commandline import RatsblickCommand
from ratsblick.jobs import deadletters
from ratsblick.jobs.app import app


class Command(RatsblickCommand):
    help = "Operate the Celery pipeline: list and retry dead letters, queue a sync."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("dead", help="tasks that kept failing, not retried yet")
        retry = actions.add_parser("retry-dead", help="queue dead letters again")
        retry.add_argument("ids", nargs="*", type=int, help="dead letters (default: all)")
        sync = actions.add_parser("sync", help="queue a sync of every body now")
        sync.add_argument("--full", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "dead":
            waiting = deadletters.waiting()
            for letter in waiting:
                self.stdout.write(
                    f"{letter.pk}\t{letter.failed_at:%Y-%m-%d %H:%M}\t{letter.attempts}×\t{letter}"
                )
            self.stdout.write(f"{waiting.count()} tote Aufgaben.")
        elif options["action"] == "retry-dead":
            letters, missing = deadletters.choose(options["ids"])
            if missing:
                raise CommandError(f"keine wartende tote Aufgabe {missing}")
            try:
                retried = deadletters.retry(letters)
            except deadletters.QueueUnavailable as exc:
                raise CommandError(
                    f"Warteschlange nicht erreichbar ({exc}): {exc.retried} Aufgaben eingereiht."
                ) from exc
            self.stdout.write(f"{retried} Aufgaben erneut eingereiht.")
        else:
            app.send_task("ratsblick.jobs.tasks.sync_all", kwargs={"full": options["full"]})
            self.stdout.write("Synchronisation aller Körperschaften eingereiht.")
