from __future__ import annotations

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ratsblick.ops"
    label = "ops"
    verbose_name = "Ratsblick operations"

    def ready(self) -> None:
        # Imported here: it needs the models, which load after this module.
        from ratsblick.council.status import status_sections  # noqa: PLC0415
        from ratsblick.ops import report  # noqa: PLC0415

        status_sections.connect(report.sections, dispatch_uid="ratsblick.ops.report")
