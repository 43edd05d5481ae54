"""The base of the portal's Celery tasks: sent after commit, and a broker outage never fails the caller.

`@shared_task(base=TransactionAwareTask)` makes "send after commit" a property of the task, so no
caller can forget it (pretix's TransactionAwareTask): a worker never looks for a row that is not
committed yet, and a rolled-back request sends nothing.

A task of this base must be recoverable from the database — its work is recorded in a row that a
periodic sweep finds again — because a failed hand-off to the broker is logged, not raised: the
user's request has already been saved and must be answered.

The hand-off is bounded: one attempt (`retry=False`, no retry loop inside a request) over a
connection with about a second to connect and a second to send (`CELERY_BROKER_CONNECTION_TIMEOUT`,
the transport's `socket_connect_timeout` and `socket_timeout`). A stopped Redis answers at once
with a refusal; a paused one costs one request that second: after a failed hand-off this process
leaves the broker alone for `RETRY_AFTER` seconds (the rows wait for the sweep meanwhile), so the
requests after it are not slowed down at all.
"""

import logging
import time

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0  # seconds a broker that failed a hand-off is left alone in this process
# Warnings about an unreachable broker: the first, then at most one a minute per process.
WARN_EVERY = 60.0
_state = {"down_until": 0.0, "warned_at": -WARN_EVERY, "suppressed": 0}


def broker_reset() -> None:
    """Forget an earlier failure (tests, and a process that knows the broker is back)."""
    _state.update(down_until=0.0, warned_at=-WARN_EVERY, suppressed=0)


class TransactionAwareTask(Task):
    def apply_async(self, args=None, kwargs=None, **options):
        """Hand the task to the broker once the current transaction commits (at once outside one)."""
        transaction.on_commit(lambda: self.send_now(args, kwargs, **options))

    def send_now(self, args=None, kwargs=None, **options):
        """One bounded attempt to hand the task over; None when the broker is away (the sweep retries)."""
        options.setdefault("retry", False)
        started = time.monotonic()
        if not self.app.conf.task_always_eager and started < _state["down_until"]:
            _state["suppressed"] += 1
            self._not_handed_off(args, kwargs)
            return None
        try:
            return super().apply_async(args, kwargs, **options)
        except Exception as exc:  # the broker is down or refuses: the row stays, the sweep sends it later
            _state["down_until"] = time.monotonic() + RETRY_AFTER
            _warn(self.name, args, exc, time.monotonic() - started)
            self._not_handed_off(args, kwargs)
            return None

    def hand_off_failed(self, args, kwargs) -> None:
        """Called when the task did not reach the broker: a task whose row records the hand-off undoes it here."""

    def _not_handed_off(self, args, kwargs) -> None:
        try:
            self.hand_off_failed(args or (), kwargs or {})
        except Exception:  # the caller's request must still be answered
            logger.warning("%s: recording a failed hand-off failed", self.name, exc_info=True)


def _warn(name, args, exc, seconds) -> None:
    now = time.monotonic()
    if now - _state["warned_at"] < WARN_EVERY:
        _state["suppressed"] += 1
        return
    suppressed, _state["suppressed"], _state["warned_at"] = _state["suppressed"], 0, now
    logger.warning(
        "could not hand %s%s to the broker after %.2fs (%s: %s); the sweep will retry%s",
        name,
        args,
        seconds,
        type(exc).__name__,
        exc,
        f" ({suppressed} more hand-off(s) failed or skipped since the last warning)" if suppressed else "",
    )
