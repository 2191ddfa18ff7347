"""Dead letters handed back to the queues, by `ratsblick jobs retry-dead` and the operator page.

The broker is the configured one at the moment of the call (not the one the
Celery app saw at import), and a letter is marked retried only once its task
is queued: a broker that is down leaves it waiting, to be retried again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError

from ratsblick import config
from ratsblick.jobs.app import app
from ratsblick.jobs.models import DeadLetter

# An operator waits for the answer: one quick retry, then the page says the broker is down.
_ONE_RETRY = {"max_retries": 1, "interval_start": 0.2}


class QueueUnavailable(Exception):
    """The broker did not take a task; `retried` letters before it were queued."""

    def __init__(self, retried: int, cause: Exception) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.retried = retried


def waiting() -> QuerySet[DeadLetter]:
    """Dead letters not retried yet."""
    return DeadLetter.objects.filter(retried_at__isnull=True)


def choose(ids: Sequence[int]) -> tuple[list[DeadLetter], list[int]]:
    """The waiting letters with these ids (every one when none are given), and the
    ids that name no waiting letter (unknown, or retried meanwhile)."""
    letters = list(waiting().filter(pk__in=ids) if ids else waiting())
    return letters, sorted(set(ids) - {letter.pk for letter in letters})


def retry(letters: Iterable[DeadLetter]) -> int:
    """Queue each letter's task again; how many were queued.

    Each letter is claimed before its task is sent, so two operators retrying
    at once queue it once; a send that fails gives the claim back.
    """
    retried = 0
    with app.connection_for_write(config.BROKER_URL.get()) as connection:
        for letter in letters:
            if not waiting().filter(pk=letter.pk).update(retried_at=timezone.now()):
                continue  # retried by someone else meanwhile
            try:
                app.send_task(
                    letter.task,
                    args=letter.args,
                    kwargs=letter.kwargs,
                    connection=connection,
                    retry_policy=_ONE_RETRY,
                )
            except OperationalError as exc:
                DeadLetter.objects.filter(pk=letter.pk).update(retried_at=None)
                raise QueueUnavailable(retried, exc) from exc
            retried += 1
    return retried
