"""Reading the audit log: which entries a person may read, the page's filters, and entries made readable.

Administrators and cluster staff read every entry. A coordinator reads the entries about the
associations they coordinate and about those associations' memberships, applications, projects and
project participants (`visible_entries`). The filters narrow that set; a value that is not valid is
left out, never an error.
"""

from dataclasses import dataclass
from datetime import datetime, time

from auditlog.models import LogEntry
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import MembershipApplication
from associations.models import Association, AssociationMembership
from core import permissions
from core.pagination import keyset_page
from members.models import Organisation
from projects.models import Project, ProjectParticipant

# The object types a reader filters by: the key in the URL and the model.
OBJECT_TYPES = {
    "organisation": Organisation,
    "association": Association,
    "membership": AssociationMembership,
    "application": MembershipApplication,
    "project": Project,
    "participant": ProjectParticipant,
}
# auditlog's own words for its actions have no Russian translation.
ACTIONS = {
    LogEntry.Action.CREATE: _("Created"),
    LogEntry.Action.UPDATE: _("Changed"),
    LogEntry.Action.DELETE: _("Deleted"),
    LogEntry.Action.ACCESS: _("Viewed"),
}
PAGE_SIZE = 25
EMPTY = "None"


def _types() -> dict:
    return {key: ContentType.objects.get_for_model(model) for key, model in OBJECT_TYPES.items()}


def visible_entries(user):
    """The audit entries the user may read (none for anyone else)."""
    types = _types()
    entries = LogEntry.objects.filter(content_type__in=types.values())
    if permissions.sees_everything(user):
        return entries
    if not permissions.is_coordinator(user):
        return entries.none()
    mine = permissions.coordinated_association_ids(user)
    scoped = {
        "association": Association.objects.filter(pk__in=mine),
        "membership": AssociationMembership.objects.filter(association__in=mine),
        "application": MembershipApplication.objects.filter(association__in=mine),
        "project": Project.objects.filter(association__in=mine),
        "participant": ProjectParticipant.objects.filter(project__association__in=mine),
    }
    condition = Q()
    for key, queryset in scoped.items():
        condition |= Q(content_type=types[key], object_id__in=queryset.values("pk"))
    return entries.filter(condition)


class HistoryFilterForm(forms.Form):
    type = forms.ChoiceField(label=_("Object type"), required=False)
    object = forms.CharField(label=_("Object (number or name)"), required=False, max_length=200)
    user = forms.CharField(label=_("Changed by (name or e-mail)"), required=False, max_length=200)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("All")), *((k, m._meta.verbose_name) for k, m in OBJECT_TYPES.items())]

    def values(self) -> dict:
        """The valid filters; an invalid one is left out."""
        self.is_valid()
        return {name: value for name, value in getattr(self, "cleaned_data", {}).items() if value}


def filtered(entries, values: dict):
    if values.get("type"):
        entries = entries.filter(content_type=_types()[values["type"]])
    obj = values.get("object", "").strip()
    if obj.isdigit():
        entries = entries.filter(object_id=int(obj))
    elif obj:
        entries = entries.filter(object_repr__icontains=obj)
    who = values.get("user", "").strip()
    if who:
        entries = entries.filter(
            Q(actor_email__icontains=who) | Q(actor__last_name__icontains=who) | Q(actor__first_name__icontains=who)
        )
    zone = timezone.get_current_timezone()
    if values.get("date_from"):
        entries = entries.filter(timestamp__gte=datetime.combine(values["date_from"], time.min, zone))
    if values.get("date_to"):
        entries = entries.filter(timestamp__lte=datetime.combine(values["date_to"], time.max, zone))
    return entries


@dataclass
class Change:
    field: str
    old: str
    new: str


def _shown(field, value) -> str:
    if value is None or value == EMPTY or value == "":
        return "—"
    choices = dict(field.flatchoices) if field is not None and field.choices else {}
    return str(choices.get(value, value))


def changes_of(entry) -> list[Change]:
    """The entry's changes with translated field names and choice labels (no database query)."""
    model = entry.content_type.model_class()
    result = []
    for name, value in (entry.changes or {}).items():
        try:
            field = model._meta.get_field(name)
            label = str(field.verbose_name)
        except Exception:  # a field removed since, or no model any more
            field, label = None, name
        if isinstance(value, dict):  # many-to-many: {"type": "m2m", "operation": "add", "objects": [...]}
            objects = ", ".join(value.get("objects", []))
            if value.get("operation") == "delete":
                result.append(Change(label, objects, "—"))
            else:
                result.append(Change(label, "—", objects))
        else:
            old, new = (list(value) + [None, None])[:2]
            result.append(Change(label, _shown(field, old), _shown(field, new)))
    return result


def history_page(user, params):
    form = HistoryFilterForm(params)
    values = form.values()
    entries = filtered(visible_entries(user), values).select_related("actor", "content_type")
    page = keyset_page(entries, ordering=("-timestamp", "-pk"), params=params, size=PAGE_SIZE)
    for entry in page.items:
        entry.change_list = changes_of(entry)
        entry.type_label = entry.content_type.model_class()._meta.verbose_name
        entry.action_label = ACTIONS.get(entry.action, "")
    return form, page
