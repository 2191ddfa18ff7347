"""Links to the councils' own sites, which come from council data.

A `web` or `accessUrl` value is whatever a council system sent: only http(s)
URLs become links, anything else (`javascript:`, `data:`, garbage) is shown
as text, so a stored value can never run in our pages.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


def is_web_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)


@register.simple_tag
def outbound(url: object, label: object = None) -> SafeString:
    """`{% outbound paper.web paper.name %}`: a link to a council's page, or text."""
    text = url if label in (None, "") else label
    if is_web_url(url):
        return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', str(url).strip(), text)
    return format_html("{}", text or "")
