from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from ratsblick.council.commandline import RatsblickCommand
from ratsblick.jobs.app import app


class Command(RatsblickCommand):
    help = "Start Celery beat: hourly sync, weekly full sync, daily index reconcile (run once)."

    def handle(self, *args: Any, **options: Any) -> None:
        app.start(["beat", f"--schedule={Path(settings.HOME) / 'beat-schedule'}", "-l", "INFO"])
