from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """A lag in German, coarse as an operator reads it: "2 Tg. 3 Std.", "5 Min.", "40 s"."""
    if seconds is None:
        return "–"
    whole = max(0, int(seconds))
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} Tg. {hours} Std."
    if hours:
        return f"{hours} Std. {minutes} Min."
    if minutes:
        return f"{minutes} Min."
    return f"{secs} s"
