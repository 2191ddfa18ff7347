from __future__ import annotations

from django.db import models


class DeadLetter(models.Model):
    """A task that kept failing after its retries; the operator sees it and may retry it."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    error = models.TextField()
    attempts = models.PositiveIntegerField()
    failed_at = models.DateTimeField()
    retried_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}: {self.error}"
