"""The audit log's writes that model signals do not see: decide-once steps and bulk imports.

django-auditlog records a registered model's `save()` and `delete()` through signals, with the
actor its middleware takes from the request. Two kinds of write bypass signals:

- `core.transitions.change_once` changes a row with a conditional `UPDATE`: it calls
  `record_change` in the same transaction, with the old and new values of the fields it wrote;
- bulk writes (`bulk_create`, `bulk_update`: the organisation import) call `record_many`.

Outside a request (a command, a task, a test) nobody tells auditlog who acts: a service that knows
wraps its writes in `acting_as(user)`, and every entry written meanwhile names that user.
The foundation knows no domain model: it asks auditlog's registry which models are audited.
"""

import contextlib
from collections.abc import Iterable, Mapping
from contextvars import ContextVar

from auditlog.context import auditlog_disabled, disable_auditlog
from auditlog.diff import get_field_value
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import pre_save
from django.utils import timezone
from django.utils.encoding import smart_str

from .bulk import insert_rows

_actor: ContextVar = ContextVar("core_audit_actor", default=None)

CREATE = LogEntry.Action.CREATE
UPDATE = LogEntry.Action.UPDATE


@contextlib.contextmanager
def acting_as(user):
    """Entries written inside the block name `user` (when signed in) as the actor; None keeps the current one."""
    if user is None or not getattr(user, "is_authenticated", False):
        yield
        return
    token = _actor.set(user)
    try:
        yield
    finally:
        _actor.reset(token)


def paused():
    """No entries inside the block (auditlog's switch, which `record_change` and `record_many` obey
    too): loading demo content is nobody's change."""
    return disable_auditlog()


def current_actor():
    """The user `acting_as` names. (In a request, an entry saved without one takes the request's user
    from auditlog's middleware; bulk writes fire no signal, so they name their actor explicitly.)"""
    return _actor.get()


def _fill_actor(sender, instance, **kwargs):
    """A signal-written entry without an actor takes the one `acting_as` names (connected before
    auditlog's per-request receiver, so the explicit actor wins)."""
    actor = _actor.get()
    if instance.actor_id is None and actor is not None:
        instance.actor = actor
        instance.actor_email = actor.email


pre_save.connect(_fill_actor, sender=LogEntry, dispatch_uid="core.audit.fill_actor")


def is_audited(model) -> bool:
    return auditlog.contains(model)


def tracked(model, names: Iterable[str]) -> list[str]:
    """The names among `names` that the model's registration tracks (concrete, not excluded)."""
    options = auditlog.get_model_fields(model)
    include, exclude = set(options["include_fields"]), set(options["exclude_fields"])
    result = []
    for name in names:
        field = model._meta.get_field(name)
        if field.many_to_many or (include and name not in include) or name in exclude:
            continue
        result.append(field.name)
    return result


def field_text(instance, name: str) -> str:
    """A field's value as auditlog stores it (a related object by its string)."""
    return smart_str(get_field_value(instance, instance._meta.get_field(name)))


def record_change(instance, *, old: Mapping[str, str], actor=None) -> LogEntry | None:
    """One UPDATE entry for `instance`: `old` holds the fields' values before the write (as
    `field_text` gave them); the new ones are read from the instance. Unchanged fields are left out."""
    if not is_audited(type(instance)) or auditlog_disabled.get():
        return None
    changes = {}
    for name in tracked(type(instance), old):
        new = field_text(instance, name)
        if old[name] != new:
            changes[name] = [old[name], new]
    if not changes:
        return None
    actor = actor or current_actor()
    return LogEntry.objects.log_create(
        instance, action=UPDATE, changes=changes, actor=actor, actor_email=getattr(actor, "email", None)
    )


def record_many(entries: Iterable[tuple[object, int, Mapping[str, list]]], *, actor=None, batch_size=1000) -> int:
    """Write one entry per (instance, action, changes) in bulk; `changes` maps a field to [old, new]."""
    if auditlog_disabled.get():
        return 0
    actor = actor or current_actor()
    now = timezone.now()
    rows = [
        {
            "content_type_id": ContentType.objects.get_for_model(type(instance)).pk,
            "object_pk": str(instance.pk),
            "object_id": instance.pk,
            "object_repr": smart_str(instance),
            "serialized_data": None,
            "action": action,
            "changes_text": "",
            "changes": {name: [smart_str(old), smart_str(new)] for name, (old, new) in changes.items()},
            "actor_id": getattr(actor, "pk", None),
            "actor_email": getattr(actor, "email", None),
            "cid": None,
            "remote_addr": None,
            "remote_port": None,
            "timestamp": now,
            "additional_data": None,
        }
        for instance, action, changes in entries
    ]
    insert_rows(LogEntry, rows, batch_size=batch_size)
    return len(rows)
