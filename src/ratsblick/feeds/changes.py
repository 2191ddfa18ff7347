"""The Atom feed of a body's changes: papers, meetings and their parts, file versions.

Each entry links to the "Änderungen" page that shows the change in full (a
file version to its text diff); its summary lists the fields old → new.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from ratsblick.reader import shown
from ratsblick.reader.history import BodyChanges, Entry, body_changes


def entry_url(entry: Entry) -> str:
    """Where the change is shown in full ("" when nowhere: a part of no paper or meeting)."""
    if entry.file_pk is not None:
        url = reverse("web:file_changes", args=[entry.file_pk])
        return f"{url}?version={entry.previous_pk}&version={entry.version_pk}"
    if entry.paper_pk is not None:
        return reverse("web:paper_changes", args=[entry.paper_pk])
    if entry.meeting_pk is not None:
        return reverse("web:meeting_changes", args=[entry.meeting_pk])
    return ""


def summary(entry: Entry) -> str:
    """The change in a few plain lines (a reader shows them as text)."""
    if entry.file_pk is not None:
        return "Der Inhalt der Datei hat sich geändert; der Link zeigt die Textänderungen."
    lines = ["Von der Kommune gelöscht."] if entry.deleted else []
    if entry.restored:
        lines.append("Wieder veröffentlicht.")
    for field in entry.fields:
        if field.words is not None:
            lines.append(f"{field.label}: Text geändert")
        else:
            lines.append(f"{field.label}: {field.old or '(leer)'} → {field.new or '(leer)'}")
    return "\n".join(lines)


if TYPE_CHECKING:
    _Feed = Feed[Entry, BodyChanges]
else:
    _Feed = Feed  # generic in the type stubs only


class BodyChangesFeed(_Feed):
    feed_type = Atom1Feed
    language = "de"
    author_name = "Ratsblick"

    def get_object(self, request: HttpRequest, pk: str) -> BodyChanges:
        with shown("Diese Kommune gibt es hier nicht."):
            return body_changes(int(pk))

    def title(self, obj: BodyChanges) -> str:
        return f"Änderungen – {obj.body.name}"

    def subtitle(self, obj: BodyChanges) -> str:
        return (
            f"Was sich an Vorlagen, Sitzungen und Dateien von {obj.body.name} geändert hat "
            "(Ratsblick)"
        )

    def link(self, obj: BodyChanges) -> str:
        return reverse("web:body", args=[obj.body.pk])

    def items(self, obj: BodyChanges) -> list[Entry]:
        """The changes that have a page to show them."""
        return [entry for entry in obj.entries if entry_url(entry)]

    def item_title(self, item: Entry) -> str:
        return item.subject

    def item_description(self, item: Entry) -> str:
        return summary(item)

    def item_link(self, item: Entry) -> str:
        """The page of the change, at the change: also the entry's id (unique and stable)."""
        return f"{entry_url(item)}#{item.guid}"

    def item_updateddate(self, item: Entry) -> object:
        return item.at

    def item_pubdate(self, item: Entry) -> object:
        return item.at
