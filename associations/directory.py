"""The member directory: organisations that are members of the cluster's associations.

Who may use it is `core.permissions.may_use_directory`. Search by name (typos forgiven), by
competences (word forms), or by the exact ИНН or ОГРН; filters by region, association,
direction and size; keyset pages sorted by name or newest first.
"""

import django_filters
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from core import permissions
from core.exports import Column, JoinedText, in_language
from core.filters import ChoiceOnlyFilter, PortalFilterSet, ReferenceFilter, TextQueryFilter
from core.i18n import page_language
from core.pagination import FUZZY_MAX_PAGES, capped_count, fuzzy_page, keyset_page
from core.search import SearchResult, search
from members.models import ORGANISATION_SEARCH, Direction, Organisation, OrganisationSize, Region

from .choices import reference_choices
from .models import Association, AssociationMembership
from .selectors import active_membership_exists, approved_members

PAGE_SIZE = 20
# Count at most this many matches: beyond it the page says "more than 200". A low cap lets
# PostgreSQL stop early on broad filters (region + direction over 100,000 organisations).
COUNT_CAP = 200
SORTS = {"name": ("sort_name", "pk"), "newest": ("-created_at", "-pk")}


class DirectoryFilterSet(PortalFilterSet):
    q = TextQueryFilter(label=_("Name, INN or OGRN"))
    region = ReferenceFilter(
        reference=Region.objects, to_field="code", max_length=2, method="in_region", label=_("Region")
    )
    association = ReferenceFilter(
        reference=Association.objects, to_field="slug", max_length=80, method="in_association", label=_("Association")
    )
    direction = ReferenceFilter(
        reference=Direction.objects, to_field="slug", max_length=50, method="with_direction", label=_("Direction")
    )
    size = django_filters.ChoiceFilter(choices=OrganisationSize.choices, label=_("Category"))
    sort = ChoiceOnlyFilter(choices=[("name", _("Name")), ("newest", _("Newest first"))], label=_("Sort by"))

    class Meta:
        model = Organisation
        fields = []

    # Sub-queries (`pk IN (SELECT …)`) rather than joins, so no row repeats and the database may
    # hash-join a selective filter instead of probing row by row.

    def in_region(self, organisations, name, region_id):
        return organisations.filter(region_id=region_id)

    def in_association(self, organisations, name, association_id):
        members = AssociationMembership.objects.active().filter(association_id=association_id)
        return organisations.filter(pk__in=members.values("organisation_id"))

    def with_direction(self, organisations, name, direction_id):
        through = Organisation.directions.through.objects.filter(direction_id=direction_id)
        return organisations.filter(pk__in=through.values("organisation_id"))

    @property
    def ordering(self) -> tuple[str, str]:
        return SORTS.get(self.values.sort, SORTS["name"])


def identifier_kind(q: str) -> str:
    """'inn' or 'ogrn' when the query is an exact identifier (digits of the right length)."""
    digits = q.replace(" ", "")
    if digits.isdigit():
        if len(digits) in (10, 12):
            return "inn"
        if len(digits) in (13, 15):
            return "ogrn"
    return ""


def directory_search(organisations, q: str) -> SearchResult:
    kind = identifier_kind(q)
    if kind:
        matched = organisations.filter(**{kind: q.replace(" ", "")})
        count, more = capped_count(matched, COUNT_CAP)
        return SearchResult(matched, count, more)
    return search(organisations, query=q, spec=ORGANISATION_SEARCH, count_cap=COUNT_CAP)


def directory_results(params) -> tuple[DirectoryFilterSet, SearchResult]:
    """The approved member organisations the filters and the search leave, for the page and its export."""
    filters = DirectoryFilterSet(params, queryset=approved_members(Organisation.objects.all()))
    return filters, directory_search(filters.qs, filters.text)


def directory_page(params):
    """One page of approved member organisations.

    Queries: the codes and slugs of the filters in use (1, only if any), the capped count (1, or 2
    when a text query falls back to similar names), the page (1); the page reads the directions of
    the rows it draws (1, none when they are cached: `associations.views`).
    """
    filters, result = directory_results(params)
    # The directions of the rows are read by the page only for the rows it draws (core/fragments.py).
    organisations = result.queryset.select_related("region")
    if result.fuzzy:
        page = fuzzy_page(organisations, params=params, size=PAGE_SIZE)
        page.extra["fuzzy"] = True
    else:
        page = keyset_page(organisations, ordering=filters.ordering, params=params, size=PAGE_SIZE)
        page.extra = {"count": result.count, "more": result.more, "fuzzy": False}
    return filters, page


def directory_choices() -> dict:
    """The options of the filter form as (value, text) pairs (cached: `associations.choices`)."""
    choices = reference_choices()
    return {
        "regions": choices["regions"],
        "associations": choices["open_associations"],
        "directions": choices["directions"],
        "sizes": OrganisationSize.choices,
    }


def listed_organisations(user):
    """Organisations whose directory page the user may open: approved members, and the user's own;
    none for a user without the directory (`core.permissions.may_use_directory`)."""
    if not permissions.may_use_directory(user):
        return Organisation.objects.none()
    own = permissions.represented_organisation_ids(user)
    return Organisation.objects.filter(Q(active_membership_exists()) | Q(pk__in=own))


def listed_organisation_ids(user, organisation_ids) -> set[int]:
    """Which of these organisations' directory pages the user may open, to link their names (1 query at most)."""
    if not organisation_ids:
        return set()
    return set(listed_organisations(user).filter(pk__in=organisation_ids).values_list("pk", flat=True))


def directory_columns() -> list[Column]:
    """The columns of the list (name, INN, region, category, directions) in the page's language:
    nothing the list does not show."""
    language = page_language()
    sizes = {value: str(label) for value, label in OrganisationSize.choices}
    return [
        Column(_("Organisation"), lambda row: row["short_name"]),
        Column(_("INN"), lambda row: row["inn"]),
        Column(_("Region"), lambda row: in_language(row, "region__name", language)),
        Column(_("Category"), lambda row: sizes.get(row["size"], row["size"])),
        Column(_("Directions"), lambda row: row["direction_names"]),
    ]


def directory_export_rows(params):
    """The rows of the list in its order, every page of it, as `values()` in one query (plus the
    filters' codes and the capped count, as on the page). A search by similar names exports what
    its pages show: the best `FUZZY_MAX_PAGES` pages."""
    filters, result = directory_results(params)
    organisations = result.queryset if result.fuzzy else result.queryset.order_by(*filters.ordering)
    field = "direction__name_en" if page_language() == "en" else "direction__name"
    directions = (
        Organisation.directions.through.objects.filter(organisation_id=OuterRef("pk"))
        .order_by()
        .values("organisation_id")
        .annotate(names=JoinedText(field))
        .values("names")
    )
    rows = organisations.annotate(direction_names=Subquery(directions)).values(
        "short_name", "inn", "region__name", "region__name_en", "size", "direction_names"
    )
    return rows[: FUZZY_MAX_PAGES * PAGE_SIZE] if result.fuzzy else rows


def contact_details(organisation: Organisation, user, *, insider: bool | None = None) -> dict:
    """The contacts the viewer may see: the organisation's own choices, all of them for its people and staff.

    An individual entrepreneur's address is where the person lives: as in the state register, which
    publishes a legal entity's address but not an entrepreneur's, only its people and staff see it.
    """
    if insider is None:  # the caller may know it already (`permissions.sees_all_contacts`)
        insider = permissions.sees_all_contacts(user, organisation.pk)
    return {
        "address": organisation.address if (insider or not organisation.is_sole_trader) else "",
        "email": organisation.email if (insider or organisation.show_email) else "",
        "phone": organisation.phone if (insider or organisation.show_phone) else "",
        "hidden_email": insider and not organisation.show_email,
        "hidden_phone": insider and not organisation.show_phone,
    }
