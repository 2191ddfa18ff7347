"""Downloaded file contents, stored once by hash, and the text read from them.

A `Blob` is content: identical bytes behind different OParl Files (or
bodies) are stored and extracted once. A `FileVersion` says which content
an OParl File had when; the newest is current, older ones are kept.
`Download` is the fetch state of one OParl File.
"""

from __future__ import annotations

from datetime import date

from django.db import models

from ratsblick.council.models import File, Paper
from ratsblick.extract.result import ReadMethod


class Blob(models.Model):
    sha256 = models.CharField(max_length=64, unique=True)
    size = models.BigIntegerField()
    mime_type = models.CharField(max_length=128)  # sniffed from the bytes
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha256[:12]


class Download(models.Model):
    class Status(models.TextChoices):
        OK = "ok", "geladen"
        FAILED = "failed", "Fehler beim Laden"
        UNREACHABLE = "unreachable", "Original nicht erreichbar"

    file = models.OneToOneField(File, on_delete=models.CASCADE, related_name="download")
    status = models.CharField(max_length=16, choices=Status.choices)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    attempted_at = models.DateTimeField()
    retry_at = models.DateTimeField(null=True, blank=True)  # after a failure: back-off end
    # The OParl File's content hash when fetched: a change means fetch again.
    file_hash = models.CharField(max_length=32, blank=True)

    def __str__(self) -> str:
        return f"{self.file_id}: {self.status}"


class FileVersion(models.Model):
    """A content a file had from `fetched_at` on; the latest is what it has now.

    A blob may come back (a council replaces a file, then restores it): it is
    a new version then, so that the latest is what the council serves.
    """

    file = models.ForeignKey(File, on_delete=models.CASCADE, related_name="versions")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="versions")
    fetched_at = models.DateTimeField()

    class Meta:
        ordering = ("-fetched_at",)

    def __str__(self) -> str:
        return f"{self.file_id} @ {self.fetched_at:%Y-%m-%d}"


class Extraction(models.Model):
    """The text of one blob, once, whatever Files carry it."""

    class Status(models.TextChoices):
        OK = "ok", "ausgelesen"
        FAILED = "failed", "nicht lesbar"

    blob = models.OneToOneField(Blob, on_delete=models.CASCADE, related_name="extraction")
    status = models.CharField(max_length=16, choices=Status.choices)
    error = models.TextField(blank=True)
    pages = models.PositiveIntegerField(default=0)
    ocr_pages = models.PositiveIntegerField(default=0)
    text = models.TextField(blank=True)
    extracted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.blob}: {self.status}"


class ExtractedPage(models.Model):
    extraction = models.ForeignKey(Extraction, on_delete=models.CASCADE, related_name="page_set")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    header = models.TextField(blank=True)
    footer = models.TextField(blank=True)
    method = models.CharField(max_length=8, choices=[(m.value, m.value) for m in ReadMethod])
    note = models.TextField(blank=True)
    confidence = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=["extraction", "number"], name="page_once"),)
        ordering = ("number",)

    def __str__(self) -> str:
        return f"{self.extraction_id} p. {self.number}"


class PaperFacts(models.Model):
    """What a paper's main file says about the paper (OParl data wins when shown)."""

    paper = models.OneToOneField(Paper, on_delete=models.CASCADE, related_name="facts")
    extraction = models.ForeignKey(Extraction, on_delete=models.CASCADE, related_name="+")
    reference = models.TextField(blank=True)
    date = models.DateField(null=True, blank=True)
    status = models.TextField(blank=True)
    lead_department = models.TextField(blank=True)
    author = models.TextField(blank=True)
    consultations = models.JSONField(default=list, blank=True)  # [{date, body, role}]
    resolution_proposal = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "paper facts"

    def __str__(self) -> str:
        return f"{self.paper_id}: {self.reference}"

    def shown(self) -> dict[str, object]:
        """The facts as shown: where OParl says it too, OParl's value."""
        return {
            "reference": self.paper.reference or self.reference,
            "date": self.paper.date or self.date,
            "status": self.status,
            "lead_department": self.lead_department,
            "author": self.author,
            "consultations": [
                {**row, "date": date.fromisoformat(row["date"]) if row.get("date") else None}
                for row in self.consultations
            ],
            "resolution_proposal": self.resolution_proposal,
        }
