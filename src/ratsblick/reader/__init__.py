"""The read layer: what every interface shows, as typed page objects.

One function per page (`paper_page(pk) -> PaperPage`, …) does every query
that page needs and returns plain dataclasses. HTML templates, the JSON API,
feeds and mails render these objects; none of them queries the models
itself, so they cannot disagree, and each page's query count is bounded in
one place.
"""


class NotFound(LookupError):
    """No such object to show (never stored, a placeholder, or not ours)."""
