"""The OParl world: 12 object types with the fields of OParl 1.1.

Model fields are named after OParl properties in snake_case; where a name
differs beyond that (plurals of lists), `oparl_names` says which property
fills it. Every object is keyed by its OParl `id` URL. A referenced object
we have not seen yet is stored as a placeholder (`stub=True`) so that the
reference is never lost; a later list page or a single fetch fills it in,
and `fetch_error` records why it could not be.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar, Self, TypeVar

from django.db import models
from django.urls import reverse

from ratsblick.council.references import reference_stem
from ratsblick.oparl.schema import ObjectType

_Object = TypeVar("_Object", bound="OParlObject")

# What the server still publishes and we hold in full: no deletions, no placeholders.
LIVE = models.Q(deleted=False, stub=False)


class OParlQuerySet(models.QuerySet[_Object]):
    def live(self) -> Self:
        return self.filter(LIVE)


class OParlObject(models.Model):
    oparl_id = models.TextField(unique=True)
    body = models.ForeignKey(
        "council.Body", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created = models.DateTimeField(null=True, blank=True)
    modified = models.DateTimeField(null=True, blank=True)
    deleted = models.BooleanField(default=False)
    stub = models.BooleanField(default=False)
    fetch_error = models.TextField(blank=True)
    license = models.TextField(blank=True)
    keyword = models.JSONField(default=list, blank=True)
    web = models.TextField(blank=True)
    raw = models.JSONField(default=dict, blank=True)
    content_hash = models.CharField(max_length=32, blank=True)
    # The hash of the record without its `modified`: a council that only bumps
    # `modified` changes the row (what we re-publish) but writes no revision.
    substance_hash = models.CharField(max_length=32, blank=True)
    synced_at = models.DateTimeField(auto_now=True)

    objects = OParlQuerySet.as_manager()

    oparl_type: ClassVar[ObjectType]
    oparl_names: ClassVar[dict[str, str]] = {}
    # Columns of ours, computed from the other columns' values whenever a
    # record is written (never read from OParl).
    derived: ClassVar[dict[str, Callable[[dict[str, Any]], Any]]] = {}

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(getattr(self, "name", "") or self.oparl_id)


class System(OParlObject):
    oparl_type = ObjectType.SYSTEM
    oparl_version = models.TextField(blank=True)
    other_oparl_versions = models.JSONField(default=list, blank=True)
    name = models.TextField(blank=True)
    contact_email = models.TextField(blank=True)
    contact_name = models.TextField(blank=True)
    website = models.TextField(blank=True)
    vendor = models.TextField(blank=True)
    product = models.TextField(blank=True)


class Body(OParlObject):
    oparl_type = ObjectType.BODY
    system = models.ForeignKey(
        "council.System", models.SET_NULL, null=True, blank=True, related_name="bodies"
    )
    short_name = models.TextField(blank=True)
    name = models.TextField(blank=True)
    website = models.TextField(blank=True)
    license_valid_since = models.DateTimeField(null=True, blank=True)
    oparl_since = models.DateTimeField(null=True, blank=True)
    ags = models.CharField(max_length=16, blank=True)
    rgs = models.CharField(max_length=16, blank=True)
    equivalent = models.JSONField(default=list, blank=True)
    contact_email = models.TextField(blank=True)
    contact_name = models.TextField(blank=True)
    classification = models.TextField(blank=True)
    location = models.ForeignKey(
        "council.Location", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    main_organization = models.ForeignKey(
        "council.Organization", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Ours, not OParl: a body added with `add-body` is synced by `sync`.
    subscribed = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "bodies"

    def get_absolute_url(self) -> str:
        return reverse("web:body", args=[self.pk])


class LegislativeTerm(OParlObject):
    oparl_type = ObjectType.LEGISLATIVE_TERM
    name = models.TextField(blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)


class Location(OParlObject):
    oparl_type = ObjectType.LOCATION
    description = models.TextField(blank=True)
    geojson = models.JSONField(null=True, blank=True)
    street_address = models.TextField(blank=True)
    room = models.TextField(blank=True)
    postal_code = models.TextField(blank=True)
    sub_locality = models.TextField(blank=True)
    locality = models.TextField(blank=True)


class Organization(OParlObject):
    oparl_type = ObjectType.ORGANIZATION
    name = models.TextField(blank=True)
    short_name = models.TextField(blank=True)
    post = models.JSONField(default=list, blank=True)
    sub_organization_of = models.ForeignKey(
        "council.Organization",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="sub_organizations",
    )
    organization_type = models.TextField(blank=True)
    classification = models.TextField(blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    website = models.TextField(blank=True)
    location = models.ForeignKey(
        "council.Location", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    external_body = models.TextField(blank=True)

    def get_absolute_url(self) -> str:
        return reverse("web:organization", args=[self.pk])


class Person(OParlObject):
    oparl_type = ObjectType.PERSON
    name = models.TextField(blank=True)
    family_name = models.TextField(blank=True)
    given_name = models.TextField(blank=True)
    form_of_address = models.TextField(blank=True)
    affix = models.TextField(blank=True)
    title = models.JSONField(default=list, blank=True)
    gender = models.TextField(blank=True)
    phone = models.JSONField(default=list, blank=True)
    email = models.JSONField(default=list, blank=True)
    location = models.ForeignKey(
        "council.Location", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.JSONField(default=list, blank=True)
    life = models.TextField(blank=True)
    life_source = models.TextField(blank=True)

    def get_absolute_url(self) -> str:
        return reverse("web:person", args=[self.pk])


class Membership(OParlObject):
    oparl_type = ObjectType.MEMBERSHIP
    person = models.ForeignKey(
        "council.Person", models.SET_NULL, null=True, blank=True, related_name="memberships"
    )
    organization = models.ForeignKey(
        "council.Organization", models.SET_NULL, null=True, blank=True, related_name="memberships"
    )
    role = models.TextField(blank=True)
    voting_right = models.BooleanField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    on_behalf_of = models.ForeignKey(
        "council.Organization", models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def get_absolute_url(self) -> str:
        """A membership has no page: it is shown on its person's."""
        return reverse("web:person", args=[self.person_id]) if self.person_id else ""


class File(OParlObject):
    oparl_type = ObjectType.FILE
    name = models.TextField(blank=True)
    file_name = models.TextField(blank=True)
    mime_type = models.TextField(blank=True)
    date = models.DateField(null=True, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    sha1_checksum = models.TextField(blank=True)
    sha512_checksum = models.TextField(blank=True)
    text = models.TextField(blank=True)
    access_url = models.TextField(blank=True)
    download_url = models.TextField(blank=True)
    external_service_url = models.TextField(blank=True)
    master_file = models.ForeignKey(
        "council.File", models.SET_NULL, null=True, blank=True, related_name="derivative_files"
    )
    file_license = models.TextField(blank=True)

    def get_absolute_url(self) -> str:
        return reverse("web:file", args=[self.pk])


class Meeting(OParlObject):
    oparl_type = ObjectType.MEETING
    oparl_names: ClassVar[dict[str, str]] = {
        "organizations": "organization",
        "participants": "participant",
        "auxiliary_files": "auxiliaryFile",
    }
    name = models.TextField(blank=True)
    meeting_state = models.TextField(blank=True)
    cancelled = models.BooleanField(null=True, blank=True)
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)
    location = models.ForeignKey(
        "council.Location", models.SET_NULL, null=True, blank=True, related_name="meetings"
    )
    organizations = models.ManyToManyField(
        "council.Organization", blank=True, related_name="meetings"
    )
    participants = models.ManyToManyField("council.Person", blank=True, related_name="meetings")
    invitation = models.ForeignKey(
        "council.File", models.SET_NULL, null=True, blank=True, related_name="invitation_of"
    )
    results_protocol = models.ForeignKey(
        "council.File", models.SET_NULL, null=True, blank=True, related_name="results_protocol_of"
    )
    verbatim_protocol = models.ForeignKey(
        "council.File", models.SET_NULL, null=True, blank=True, related_name="verbatim_protocol_of"
    )
    auxiliary_files = models.ManyToManyField(
        "council.File", blank=True, related_name="auxiliary_file_of_meetings"
    )

    class Meta:
        # The next and past meetings of a body, and across bodies (start page, calendar).
        indexes = (
            models.Index(fields=("body", "start"), name="meeting_body_start"),
            models.Index(fields=("start", "id"), name="meeting_start"),
        )

    def get_absolute_url(self) -> str:
        return reverse("web:meeting", args=[self.pk])


class AgendaItem(OParlObject):
    oparl_type = ObjectType.AGENDA_ITEM
    oparl_names: ClassVar[dict[str, str]] = {"auxiliary_files": "auxiliaryFile"}
    meeting = models.ForeignKey(
        "council.Meeting", models.SET_NULL, null=True, blank=True, related_name="agenda_items"
    )
    number = models.TextField(blank=True)
    order = models.IntegerField(null=True, blank=True)
    name = models.TextField(blank=True)
    public = models.BooleanField(null=True, blank=True)
    consultation = models.ForeignKey(
        "council.Consultation", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    result = models.TextField(blank=True)
    resolution_text = models.TextField(blank=True)
    resolution_file = models.ForeignKey(
        "council.File", models.SET_NULL, null=True, blank=True, related_name="resolution_file_of"
    )
    auxiliary_files = models.ManyToManyField(
        "council.File", blank=True, related_name="auxiliary_file_of_agenda_items"
    )
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)

    def get_absolute_url(self) -> str:
        """The item on its meeting's page ("" for an item of no meeting)."""
        if self.meeting_id is None:
            return ""
        return reverse("web:meeting", args=[self.meeting_id]) + f"#top-{self.pk}"


class Paper(OParlObject):
    oparl_type = ObjectType.PAPER
    oparl_names: ClassVar[dict[str, str]] = {
        "related_papers": "relatedPaper",
        "superordinated_papers": "superordinatedPaper",
        "subordinated_papers": "subordinatedPaper",
        "auxiliary_files": "auxiliaryFile",
        "locations": "location",
        "originator_persons": "originatorPerson",
        "originator_organizations": "originatorOrganization",
    }
    name = models.TextField(blank=True)
    reference = models.TextField(blank=True)
    date = models.DateField(null=True, blank=True)
    paper_type = models.TextField(blank=True)
    related_papers = models.ManyToManyField("council.Paper", blank=True, related_name="+")
    superordinated_papers = models.ManyToManyField("council.Paper", blank=True, related_name="+")
    subordinated_papers = models.ManyToManyField("council.Paper", blank=True, related_name="+")
    main_file = models.ForeignKey(
        "council.File", models.SET_NULL, null=True, blank=True, related_name="main_file_of"
    )
    auxiliary_files = models.ManyToManyField(
        "council.File", blank=True, related_name="auxiliary_file_of_papers"
    )
    locations = models.ManyToManyField("council.Location", blank=True, related_name="papers")
    originator_persons = models.ManyToManyField("council.Person", blank=True, related_name="papers")
    under_direction_of = models.ManyToManyField(
        "council.Organization", blank=True, related_name="papers_directed"
    )
    originator_organizations = models.ManyToManyField(
        "council.Organization", blank=True, related_name="papers_originated"
    )
    # The reference without a supplement's suffix: a paper's supplements by an
    # index lookup (a prefix LIKE scans the whole body on SQLite and PostgreSQL).
    reference_stem = models.TextField(blank=True)
    derived: ClassVar[dict[str, Callable[[dict[str, Any]], Any]]] = {
        "reference_stem": lambda values: reference_stem(values.get("reference") or "")
    }

    class Meta:
        indexes = (
            models.Index(fields=("body", "reference_stem", "date"), name="paper_body_stem"),
            models.Index(fields=("body", "date"), name="paper_body_date"),
            models.Index(fields=("date", "id"), name="paper_date"),
        )

    def get_absolute_url(self) -> str:
        return reverse("web:paper", args=[self.pk])


class Consultation(OParlObject):
    oparl_type = ObjectType.CONSULTATION
    oparl_names: ClassVar[dict[str, str]] = {"organizations": "organization"}
    paper = models.ForeignKey(
        "council.Paper", models.SET_NULL, null=True, blank=True, related_name="consultations"
    )
    agenda_item = models.ForeignKey(
        "council.AgendaItem", models.SET_NULL, null=True, blank=True, related_name="consultations"
    )
    meeting = models.ForeignKey(
        "council.Meeting", models.SET_NULL, null=True, blank=True, related_name="consultations"
    )
    organizations = models.ManyToManyField(
        "council.Organization", blank=True, related_name="consultations"
    )
    authoritative = models.BooleanField(null=True, blank=True)
    role = models.TextField(blank=True)

    def get_absolute_url(self) -> str:
        """The consultation's paper ("" for a consultation of no paper)."""
        return reverse("web:paper", args=[self.paper_id]) if self.paper_id is not None else ""


OPARL_MODELS: dict[ObjectType, type[OParlObject]] = {
    model.oparl_type: model
    for model in (
        System,
        Body,
        LegislativeTerm,
        Location,
        Organization,
        Person,
        Membership,
        File,
        Meeting,
        AgendaItem,
        Paper,
        Consultation,
    )
}


class SyncRun(models.Model):
    """One sync of one body: what it asked for, what it did, how it ended."""

    class Outcome(models.TextChoices):
        RUNNING = "running", "läuft"
        OK = "ok", "erfolgreich"
        PARTIAL = "partial", "unvollständig"
        FAILED = "failed", "fehlgeschlagen"

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="sync_runs")
    full = models.BooleanField()
    modified_since = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.RUNNING)
    counts = models.JSONField(default=dict, blank=True)
    notes = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ("-started_at",)
        get_latest_by = "started_at"

    def __str__(self) -> str:
        return f"{self.body} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"


class Change(models.Model):
    """Outbox: one row per object whose searchable content changed.

    Written in the same transaction as the change itself, so nothing is lost
    when a process dies between the database commit and the index update
    (`transaction.on_commit` would lose it). The indexer reads rows above its
    cursor and deletes what it has indexed.
    """

    # The OParl type in lower case ("agendaitem"), as the index names its kinds.
    KINDS: ClassVar[dict[str, ObjectType]] = {kind.lower(): kind for kind in ObjectType}

    kind = models.CharField(max_length=16, choices=[(k, t.value) for k, t in KINDS.items()])
    object_pk = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_pk}"


def record_changes(kind: ObjectType, pks: Iterable[int]) -> None:
    Change.objects.bulk_create([Change(kind=kind.lower(), object_pk=pk) for pk in pks])


# The types whose earlier versions are kept: what the "Änderungen" pages show.
HISTORY_KINDS = frozenset(
    {ObjectType.PAPER, ObjectType.MEETING, ObjectType.AGENDA_ITEM, ObjectType.CONSULTATION}
)


class Revision(models.Model):
    """The raw JSON an object had before a sync changed (or deleted) it.

    Written by the upsert in the same transaction as the change, only for
    objects whose content differs in more than `modified`, so a sync that
    changes nothing writes none. The version after a revision is the next revision's `previous`, or
    the object's current `raw`; a deletion keeps the raw (see the upsert), so
    its revision is marked `deleted`.
    """

    body = models.ForeignKey(Body, null=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=[(k, t.value) for k, t in Change.KINDS.items()])
    object_pk = models.BigIntegerField()
    recorded_at = models.DateTimeField()
    previous = models.JSONField()
    deleted = models.BooleanField(default=False)

    class Meta:
        indexes = (
            models.Index(fields=["kind", "object_pk"], name="revision_object"),
            models.Index(fields=["body", "recorded_at"], name="revision_body_time"),
        )

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_pk} @ {self.recorded_at:%Y-%m-%d %H:%M}"
