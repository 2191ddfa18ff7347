"""Links that move one list of a page and keep the state of every other one."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def moved(context: dict[str, Any], param: str, value: object = None) -> str:
    """`?…` of the current URL with `param` set to `value` (None or "" drops it)."""
    changed = context["request"].GET.copy()
    changed.pop(param, None)
    if value not in (None, ""):
        changed[param] = str(value)
    return "?" + changed.urlencode() if changed else "?"
