from __future__ import annotations

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError, CommandParser

from ratsblick import config
from ratsblick.council.commandline import RatsblickCommand, http_client
from ratsblick.council.models import Body, SyncRun
from ratsblick.council.sync import add_body, sync_body
from ratsblick.files.pipeline import process_files
from ratsblick.oparl.http import HttpClient
from ratsblick.replay.dataset import RecordedDataset
from ratsblick.replay.sample import sample_dataset
from ratsblick.replay.server import Faults, ReplayServer
from ratsblick.web.server import add_address_arguments, serve_forever


class Command(RatsblickCommand):
    help = (
        "Serve the bundled councils (Hürtgenwald, and a sample body with PDFs) over "
        "local replay servers, sync them, read their files and serve the web app."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_address_arguments(parser)
        parser.add_argument("--no-serve", action="store_true", help="sync only, then stop")

    def handle(self, *args: Any, **options: Any) -> None:
        port = config.DEMO_REPLAY_PORT.get()
        # Sternberg answers an empty filtered list with 404; so does its replay.
        servers = [
            ReplayServer(RecordedDataset.load(), port=port, faults=Faults(empty_list_404=True)),
            ReplayServer(sample_dataset(), port=port + 1),
        ]
        for server in servers:
            server.start()
        try:
            with http_client(allow_private=True) as client:
                for server in servers:
                    for body in add_body(server.system_url, client):
                        self._sync(body, client)
            call_command("index", stdout=self.stdout)
            if not options["no_serve"]:
                # The background pipeline keeps these councils current too, and
                # they live on loopback, which the HTTP client refuses otherwise.
                os.environ[config.ALLOW_PRIVATE_HOSTS.name] = "1"
                serve_forever(self, options["host"], options["port"])
        finally:
            for server in servers:
                server.stop()

    def _sync(self, body: Body, client: HttpClient) -> None:
        self.stdout.write(f"Synchronisiere {body.name} …")
        run = sync_body(body, client)
        if run.outcome != SyncRun.Outcome.OK:
            raise CommandError(f"sync of {body.name}: {run.outcome} {run.notes}")
        counts = {kind: sum(c.values()) for kind, c in run.counts.items()}
        self.stdout.write(f"  Objekte: {counts}")
        files = process_files(body, client)
        self.stdout.write(f"  Dateien: {dict(files)}")
