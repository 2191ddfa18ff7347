"""The one fault of a paged read a client can cause: a cursor that was not handed out."""


class BadCursor(ValueError):
    """A cursor this list or search did not hand out (made up, cut, or of another list)."""
