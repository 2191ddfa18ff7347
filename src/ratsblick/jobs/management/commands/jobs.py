from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from ratsblick.council.commandline import RatsblickCommand
from ratsblick.jobs.app import app
from ratsblick.jobs.models import DeadLetter


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
        waiting = DeadLetter.objects.filter(retried_at__isnull=True)
        if options["action"] == "dead":
            for letter in waiting:
                self.stdout.write(
                    f"{letter.pk}\t{letter.failed_at:%Y-%m-%d %H:%M}\t{letter.attempts}×\t{letter}"
                )
            self.stdout.write(f"{waiting.count()} tote Aufgaben.")
        elif options["action"] == "retry-dead":
            chosen = waiting.filter(pk__in=options["ids"]) if options["ids"] else waiting
            letters = list(chosen)
            missing = set(options["ids"]) - {letter.pk for letter in letters}
            if missing:
                raise CommandError(f"keine wartende tote Aufgabe {sorted(missing)}")
            for letter in letters:
                app.send_task(letter.task, args=letter.args, kwargs=letter.kwargs)
                letter.retried_at = timezone.now()
                letter.save(update_fields=["retried_at"])
            self.stdout.write(f"{len(letters)} Aufgaben erneut eingereiht.")
        else:
            app.send_task("ratsblick.jobs.tasks.sync_all", kwargs={"full": options["full"]})
            self.stdout.write("Synchronisation aller Körperschaften eingereiht.")
