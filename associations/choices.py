"""The options of the list pages' filter forms (regions, directions, associations), kept in the cache.

Every list page draws them: 89 regions, the directions and the associations as model instances on
every request cost three queries and more Python than the page's own rows. They change seldom, so
they are kept as (value, text) pairs per language until a region, a direction or an association
changes (`core.versioned_cache`: the save signals bump the groups).
"""

from django.utils.translation import get_language

from core import permissions, versioned_cache
from core.forms import QuickSelect
from members.models import Direction, Organisation, Region

from .models import Association

GROUPS = ("associations", "references")


def watch_sources() -> None:
    """Connect the models behind the options and the directory's cached rows to their groups
    (`AssociationsConfig.ready`)."""
    versioned_cache.watch(Region, "references")
    versioned_cache.watch(Direction, "references")
    versioned_cache.watch(Association, "associations")
    versioned_cache.watch(Organisation, "organisations")
    versioned_cache.watch(Organisation.directions.through, "organisations")


def reference_choices() -> dict:
    """{"regions", "directions", "associations", "open_associations": [(value, text), …]} in the
    page's language, "direction_ids" keyed by primary key for the model forms, and "open_association_list"
    as model instances (3 queries when computed, none when cached)."""

    def compute() -> dict:
        associations = list(Association.objects.order_by("name"))
        directions = list(Direction.objects.all())
        return {
            "regions": [(r.code, r.title) for r in Region.objects.all()],
            "directions": [(d.slug, d.title) for d in directions],
            "direction_ids": [(d.pk, d.title) for d in directions],
            "associations": [(a.slug, a.title) for a in associations],
            "open_associations": [(a.slug, a.title) for a in associations if a.is_open],
            "open_association_list": [a for a in associations if a.is_open],  # as `.open()`
        }

    return versioned_cache.cached(f"reference-choices:v2:{get_language()}", GROUPS, compute)


def open_associations_by_name() -> list:
    """The associations accepting applications, by name, as model instances (cached with the other
    choices): the application form's checkboxes and its check of what the applicant may choose."""
    return reference_choices()["open_association_list"]


def overseen_association_choices(user) -> list:
    """[(id, name)] of the open associations whose records the user reads, as
    `selectors.overseen_associations` gives them, without a query: the review queue's filter."""
    everything = permissions.sees_everything(user)
    ids = set() if everything else set(permissions.coordinated_ids(user))
    return [(a.pk, a.title) for a in open_associations_by_name() if everything or a.pk in ids]


class OverseenAssociationSelect(QuickSelect):
    """The <select> of the associations a reader oversees, drawn from `overseen_association_choices`
    (the field's queryset still checks a chosen one); `reader` and `empty_label` are set by the form. Only a drawing
    asks for the options: an export or the API filtering with the same form does not."""

    reader = None
    empty_label = ""

    def render(self, name, value, attrs=None, renderer=None):
        self.choices = [("", self.empty_label), *overseen_association_choices(self.reader)]
        return super().render(name, value, attrs, renderer)


class ReferenceSelect(QuickSelect):
    """The <select> of a model choice filter (regions, directions) drawn from `reference_choices`:
    a chosen value is still checked against the table by the field, but the rows are not read to
    draw the options."""

    def __init__(self, name: str, *, empty_label, attrs=None):
        self.reference = name
        self.empty_label = empty_label
        super().__init__(attrs=attrs)

    def render(self, name, value, attrs=None, renderer=None):
        self.choices = [("", self.empty_label), *reference_choices()[self.reference]]
        return super().render(name, value, attrs, renderer)
