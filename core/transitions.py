"""Decide once: a state change that happens at most once, however many people race for it.

Every workflow of the portal uses it: applications, join requests, invitations, participation
requests and project stages.

1. The step is checked against the workflow: an unknown state or a missing required input is
   INVALID; a step the workflow does not allow from the state loaded is NOT_ALLOWED.
2. `UPDATE … WHERE id = ? AND <state> = <the state loaded>`: when someone changed the row
   meanwhile no row matches, and the step is refused as STALE; nothing is written.
3. The history row is written in the same transaction, so history and state never disagree.

The refusal says which of the three happened, so a page can tell the user why.
"""

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from . import audit, versioned_cache

T = TypeVar("T")


class Refusal(StrEnum):
    STALE = "stale"  # someone changed the row meanwhile
    NOT_ALLOWED = "not_allowed"  # the workflow does not allow this step from the current state
    INVALID = "invalid"  # the step itself is malformed (unknown state, missing comment)


class Refused(Exception):
    """A step was not taken; `reason` says why, `detail` is for logs and developers."""

    def __init__(self, reason: Refusal, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else str(reason))
        self.reason = reason
        self.detail = detail


def change_once(
    instance, *, expected: Mapping, values: Mapping, record: Callable[[], T] | None = None, actor=None
) -> T | None:
    """Write `values` to the row of `instance` only while it still matches `expected`, then `record()`.

    Raises Refused(STALE) when the row no longer matches. On success the instance carries the new
    values and the result of `record` (the history row) is returned. An UPDATE fires no model
    signal, so the audit entry (old and new values, `actor`) is written here, in the same transaction.
    """
    model = type(instance)
    old = (
        {name: audit.field_text(instance, name) for name in audit.tracked(model, values)}
        if audit.is_audited(model)
        else {}
    )
    with transaction.atomic(), audit.acting_as(actor):
        if not model._default_manager.filter(pk=instance.pk, **expected).update(**values):
            raise Refused(Refusal.STALE, f"{model.__name__} {instance.pk} changed meanwhile")
        for name, value in values.items():
            setattr(instance, name, value)
        versioned_cache.model_changed(model)  # an UPDATE fires no signal: cached figures follow here
        if old:
            audit.record_change(instance, old=old, actor=actor)
        return record() if record is not None else None


def require(condition: bool, detail: str) -> None:
    """Refuse a malformed step (INVALID), e.g. a rejection without a reason."""
    if not condition:
        raise Refused(Refusal.INVALID, detail)


@dataclass(frozen=True)
class Workflow:
    """The states a field may take and the steps allowed between them."""

    field: str
    transitions: Mapping[str, Collection[str]]

    def allows(self, current: str, to: str) -> bool:
        return to in self.transitions.get(current, ())

    def change(
        self,
        instance,
        to: str,
        *,
        values: Mapping | None = None,
        record: Callable[[str], T] | None = None,
        actor=None,
    ):
        """Move `instance` to `to`; `record(from_state)` writes the history row in the same transaction."""
        current = getattr(instance, self.field)
        if to not in self.transitions:
            raise Refused(Refusal.INVALID, f"unknown {self.field} {to!r}")
        if not self.allows(current, to):
            raise Refused(Refusal.NOT_ALLOWED, f"{self.field} {current} → {to}")
        return change_once(
            instance,
            expected={self.field: current},
            values={self.field: to, **(values or {})},
            record=(lambda: record(current)) if record is not None else None,
            actor=actor,
        )


class RequestStatus(models.TextChoices):
    """A request someone else decides on once: to join an organisation, to take part in a project."""

    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


REQUEST_WORKFLOW = Workflow(
    "status",
    {
        RequestStatus.PENDING: {RequestStatus.ACCEPTED, RequestStatus.DECLINED},
        RequestStatus.ACCEPTED: set(),
        RequestStatus.DECLINED: set(),
    },
)
