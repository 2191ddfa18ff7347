"""A file's page text as HTML, built in Python.

A 48-page protocol has thousands of paragraph segments; three nested template
loops over them cost most of the file page's rendering. This filter builds
the same markup (escaped text, line breaks, the search words in `<mark>`)
in one pass.
"""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import normalize_newlines

from ratsblick.reader.files import Segment

register = template.Library()

EMPTY = '<p class="muted">Diese Seite enthält keinen Text.</p>'


def _lines(text: str) -> str:
    return escape(normalize_newlines(text)).replace("\n", "<br>")


@register.filter
def page_paragraphs(paragraphs: Sequence[Sequence[Segment]]) -> SafeString:
    if not paragraphs:
        return mark_safe(EMPTY)
    return mark_safe(  # every piece of text is escaped in _lines
        "".join(
            "<p>"
            + "".join(
                f"<mark>{_lines(s.text)}</mark>" if s.marked else _lines(s.text) for s in paragraph
            )
            + "</p>"
            for paragraph in paragraphs
        )
    )
