"""The base of the portal's Celery tasks: sent after commit, and a broker outage never fails the caller.

`@shared_task(base=TransactionAwareTask)` makes "send after commit" a property of the task, so no
caller can forget it (pretix's TransactionAwareTask): a worker never looks for a row that is not
committed yet, and a rolled-back request sends nothing.

A task of this base must be recoverable from the database — its work is recorded in a row that a
periodic sweep finds again — because a failed hand-off to the broker is logged, not raised: the
user's request has already been saved and must be answered.
"""

import logging

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


class TransactionAwareTask(Task):
    def apply_async(self, args=None, kwargs=None, **options):
        """Hand the task to the broker once the current transaction commits (at once outside one)."""
        transaction.on_commit(lambda: self.send_now(args, kwargs, **options))

    def send_now(self, args=None, kwargs=None, **options):
        try:
            return super().apply_async(args, kwargs, **options)
        except Exception:  # the broker is down or refuses: the row stays, the sweep sends it later
            logger.warning("could not hand %s%s to the broker; the sweep will retry", self.name, args, exc_info=True)
            return None
