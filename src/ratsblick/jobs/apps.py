from __future__ import annotations

from django.apps import AppConfig

from ratsblick.web.server import serving


class JobsConfig(AppConfig):
    name = "ratsblick.jobs"
    label = "jobs"
    verbose_name = "Ratsblick jobs"

    def ready(self) -> None:
        # The web layer announces that it serves; it cannot import us (we sit above it).
        # Imported here: the pipeline needs the models, which load after this module.
        from ratsblick.jobs import tasktimes  # noqa: PLC0415
        from ratsblick.jobs.embedded import start_beside_server  # noqa: PLC0415

        serving.connect(start_beside_server, dispatch_uid="ratsblick.jobs.embedded")
        tasktimes.connect()
