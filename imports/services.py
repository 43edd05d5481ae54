"""Import organisations from rows (imports.reader): validate like the profile form, then write in bulk.

`organisations_import(rows=..., actor=..., dry_run=...)` is the one write path of the command and of
the admin upload's background job.

1. Every row is checked in Python as the profile form checks it: identifiers by their check digits
   (members.validators), their fit to the legal form (an ИП has a 12-digit ИНН, a 15-digit ОГРНИП and
   no КПП), stored choice values, the region by its two-digit code, directions and associations by
   their slugs. A row that repeats the ИНН or ОГРН of an earlier row is refused with that row's number.
2. The valid rows are written in batches, each in its own transaction: the existing organisations of
   a batch are loaded by ИНН in one query; new ones are `bulk_create`d, changed ones `bulk_update`d with
   only the columns the file holds, and rows equal to the database are counted as unchanged and not
   written (so importing the same file again changes nothing). Directions are written through their
   through-model. A batch that fails in the database leaves nothing of itself behind; its rows are
   reported and the next batch goes on (a second run finishes the work: it is safe to repeat).
3. The associations a row names become active memberships, unless the organisation is a member
   already (nothing to do), the association is archived, or an application of the organisation to it
   is open (both reported and skipped).
4. One audit entry per created or changed organisation and per created membership, written in bulk
   in the batch's transaction (bulk writes fire no model signals).
5. On PostgreSQL the touched tables are analysed at the end, so the planner sees the new rows.

A dry run does steps 1–3 without writing and reports what would happen.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import MembershipApplication
from associations.models import (
    Association,
    AssociationMembership,
    AssociationStatus,
    MembershipRole,
    MembershipStatus,
)
from core import audit, versioned_cache
from core.bulk import insert_rows
from members.models import Direction, LegalForm, Organisation, OrganisationKind, OrganisationSize, Region
from members.names import name_sort_key
from members.services import PROFILE_FIELDS
from members.validators import legal_form_errors, validate_inn, validate_kpp, validate_ogrn, validate_okved

# The organisation columns a file may hold, in the template's order; `directions` and `associations`
# are lists of slugs.
FIELDS = tuple(name for name in PROFILE_FIELDS if not name.startswith("show_"))
MAX_LENGTHS = {
    name: Organisation._meta.get_field(name).max_length
    for name in FIELDS
    if name not in ("region", "description") and Organisation._meta.get_field(name).max_length
}
MAX_LENGTHS["website"] = 200
REQUIRED_VALUES = ("legal_form", "inn", "ogrn", "full_name", "short_name", "region", "city", "email")
_email = EmailValidator()
_url = URLValidator()


@dataclass
class Issue:
    """A row refused or a part of it skipped: the row number, the ИНН, the column and why."""

    row: int
    inn: str
    field: str
    message: str
    skipped: bool = False  # the row was imported; only this part (a membership) was not

    def as_dict(self) -> dict:
        return {"row": self.row, "inn": self.inn, "field": self.field, "message": self.message, "skipped": self.skipped}


@dataclass
class ImportResult:
    dry_run: bool = False
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    memberships: int = 0
    issues: list[Issue] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "invalid": self.invalid,
            "memberships": self.memberships,
        }


@dataclass
class _Row:
    number: int
    values: dict
    directions: set | None  # direction ids; None when the file has no directions column
    associations: list  # Association objects


def _with_text(region: Region) -> Region:
    region.audit_text = str(region)  # named once, not once per row
    return region


@dataclass
class _References:
    regions: dict
    directions: dict
    associations: dict

    @classmethod
    def load(cls) -> "_References":
        return cls(
            regions={r.code: _with_text(r) for r in Region.objects.all()},
            directions={d.slug: d.pk for d in Direction.objects.all()},
            associations={a.slug: a for a in Association.objects.all()},
        )


def _digits(value: str) -> str:
    return "".join(value.split()).replace("-", "")


def _slugs(value: str) -> list[str]:
    return [slug.strip() for slug in value.replace(",", ";").split(";") if slug.strip()]


def _message(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


def _check(raw: dict, refs: _References) -> tuple[dict, dict, set | None, list]:
    """The row's values normalised as the profile form does, and its errors by column."""
    errors: dict[str, str] = {}
    values: dict = {}
    for name in FIELDS:
        if name in raw:
            values[name] = raw[name].strip()
    for name in REQUIRED_VALUES:
        if not values.get(name):
            errors[name] = _("This field is required.")
    for name in ("inn", "ogrn", "kpp"):
        if name in values:
            values[name] = _digits(values[name]).upper()
    validators = {"inn": validate_inn, "ogrn": validate_ogrn, "kpp": validate_kpp, "okved": validate_okved}
    for name, validate in validators.items():
        if values.get(name) and name not in errors:
            try:
                validate(values[name])
            except ValidationError as exc:
                errors[name] = _message(exc)
    legal_form = values.get("legal_form", "")
    if legal_form and legal_form not in LegalForm.values:
        errors["legal_form"] = _("Unknown value “%(value)s”: use one of %(choices)s.") % {
            "value": legal_form,
            "choices": ", ".join(LegalForm.values),
        }
    if "kind" not in values:
        pass  # a new organisation takes the legal form's default; an existing one keeps its kind
    elif not values["kind"]:
        values["kind"] = OrganisationKind.default_for(legal_form)
    elif values["kind"] not in OrganisationKind.values:
        errors["kind"] = _("Unknown value “%(value)s”: use one of %(choices)s.") % {
            "value": values["kind"],
            "choices": ", ".join(OrganisationKind.values),
        }
    elif values["kind"] == OrganisationKind.SOLE_TRADER and legal_form != LegalForm.SOLE_TRADER:
        errors["kind"] = _("Only an individual entrepreneur is of this kind: choose another one for a legal entity.")
    if "size" in values:
        size = values["size"] or OrganisationSize.SMALL
        if size not in OrganisationSize.values:
            errors["size"] = _("Unknown value “%(value)s”: use one of %(choices)s.") % {
                "value": size,
                "choices": ", ".join(OrganisationSize.values),
            }
        values["size"] = size
    if legal_form in LegalForm.values:
        form_errors = legal_form_errors(
            legal_form=legal_form, inn=values.get("inn", ""), ogrn=values.get("ogrn", ""), kpp=values.get("kpp", "")
        )
        for name, error in form_errors.items():
            errors.setdefault(name, _message(error))
    if values.get("region"):
        code = values["region"].zfill(2)
        region = refs.regions.get(code)
        if region is None:
            errors["region"] = _("Unknown region code “%(code)s”: use the two-digit code of a federal subject.") % {
                "code": values["region"]
            }
        values["region"] = region
    if values.get("email"):
        try:
            _email(values["email"])
        except ValidationError:
            errors["email"] = _("Enter a valid e-mail address.")
    if values.get("website"):
        if "://" not in values["website"]:
            values["website"] = f"https://{values['website']}"
        try:
            _url(values["website"])
        except ValidationError:
            errors["website"] = _("Enter a valid URL.")
    for name, limit in MAX_LENGTHS.items():
        if len(values.get(name) or "") > limit and name not in errors:
            errors[name] = _("At most %(limit)d characters.") % {"limit": limit}
    directions = None
    if "directions" in raw:
        slugs = _slugs(raw["directions"])
        unknown = [s for s in slugs if s not in refs.directions]
        if unknown:
            errors["directions"] = _("Unknown directions: %(slugs)s.") % {"slugs": ", ".join(unknown)}
        directions = {refs.directions[s] for s in slugs if s in refs.directions}
    associations = []
    if raw.get("associations"):
        slugs = _slugs(raw["associations"])
        unknown = [s for s in slugs if s not in refs.associations]
        if unknown:
            errors["associations"] = _("Unknown associations: %(slugs)s.") % {"slugs": ", ".join(unknown)}
        associations = [refs.associations[s] for s in dict.fromkeys(slugs) if s in refs.associations]
    return values, errors, directions, associations


def _audit_value(value) -> str:
    """A value as the audit log stores it (a region by its name, as auditlog names related objects)."""
    if isinstance(value, Region):
        return value.audit_text
    return str(value) if value is not None else "None"


class _Importer:
    def __init__(self, *, actor, dry_run: bool, batch_size: int, progress: Callable[[int, int], None] | None):
        self.actor = actor
        self.dry_run = dry_run
        self.batch_size = batch_size
        self.progress = progress or (lambda done, total: None)
        self.result = ImportResult(dry_run=dry_run)
        self.refs = _References.load()
        self.seen_inn: dict[str, int] = {}
        self.seen_ogrn: dict[str, int] = {}
        self.direction_names = {pk: slug for slug, pk in self.refs.directions.items()}
        self.regions_by_id = {region.pk: region for region in self.refs.regions.values()}

    def refuse(self, number: int, inn: str, errors: dict):
        self.result.invalid += 1
        for name, message in errors.items():
            self.result.issues.append(Issue(number, inn, name, message))

    def validate(self, batch: list[tuple[int, dict]]) -> list[_Row]:
        valid = []
        for number, raw in batch:
            values, errors, directions, associations = _check(raw, self.refs)
            inn, ogrn = values.get("inn", ""), values.get("ogrn", "")
            if not errors:
                if inn in self.seen_inn:
                    errors["inn"] = _("Repeats the INN of row %(row)d; the row is left out.") % {
                        "row": self.seen_inn[inn]
                    }
                elif ogrn in self.seen_ogrn:
                    errors["ogrn"] = _("Repeats the OGRN of row %(row)d; the row is left out.") % {
                        "row": self.seen_ogrn[ogrn]
                    }
            if errors:
                self.refuse(number, inn, errors)
                continue
            self.seen_inn[inn] = number
            self.seen_ogrn[ogrn] = number
            valid.append(_Row(number, values, directions, associations))
        return valid

    def run(self, rows: list[tuple[int, dict]]) -> ImportResult:
        total = len(rows)
        self.result.total = total
        done = 0
        self.progress(0, total)
        for start in range(0, total, self.batch_size):
            batch = rows[start : start + self.batch_size]
            valid = self.validate(batch)
            if valid:
                self.write_batch(valid)
            done += len(batch)
            self.progress(done, total)
        if not self.dry_run and (self.result.created or self.result.updated or self.result.memberships):
            analyze()
            # bulk writes fire no signal: the cached figures and pages learn of them here
            versioned_cache.model_changed(Organisation)
            versioned_cache.model_changed(AssociationMembership)
        return self.result

    def write_batch(self, rows: list[_Row]):
        """Write one batch; when the database refuses it (a row written meanwhile by someone else breaks
        a unique index), nothing of the batch stays and its rows are reported as not imported."""
        result = self.result
        before = (result.created, result.updated, result.unchanged, result.invalid, result.memberships)
        issues = len(result.issues)
        try:
            self.write(rows)
        except DatabaseError as exc:
            result.created, result.updated, result.unchanged, result.invalid, result.memberships = before
            del result.issues[issues:]
            message = _("Not imported: the database refused this batch of rows (%(error)s). Run the import again.")
            for row in rows:
                self.refuse(row.number, row.values["inn"], {"": message % {"error": str(exc).strip()[:200]}})

    def write(self, rows: list[_Row]):
        """Compare one batch with the database and write what differs, in one transaction."""
        existing = {o.inn: o for o in Organisation.objects.filter(inn__in=[r.values["inn"] for r in rows])}
        taken = dict(Organisation.objects.filter(ogrn__in=[r.values["ogrn"] for r in rows]).values_list("ogrn", "inn"))
        through = Organisation.directions.through
        current_directions: dict[int, set] = {}
        if any(r.directions is not None for r in rows) and existing:
            for org_id, direction_id in through.objects.filter(
                organisation_id__in=[o.pk for o in existing.values()]
            ).values_list("organisation_id", "direction_id"):
                current_directions.setdefault(org_id, set()).add(direction_id)
        now = timezone.now()
        created, changed, entries = [], [], []
        changed_fields: set[str] = set()
        direction_adds, direction_removes = [], []
        plan = []  # (row, organisation) for memberships
        for row in rows:
            values = row.values
            owner_inn = taken.get(values["ogrn"])
            if owner_inn is not None and owner_inn != values["inn"]:
                self.refuse(
                    row.number,
                    values["inn"],
                    {
                        "ogrn": _("The OGRN belongs to another organisation in the portal (INN %(inn)s).")
                        % {"inn": owner_inn}
                    },
                )
                continue
            organisation = existing.get(values["inn"])
            if organisation is None:
                values.setdefault("kind", OrganisationKind.default_for(values["legal_form"]))
                organisation = Organisation(**values, sort_name=name_sort_key(values["short_name"]))
                created.append((row, organisation))
                changes = {name: [None, _audit_value(value)] for name, value in values.items() if value}
                if row.directions:
                    changes["directions"] = [None, ", ".join(sorted(self.direction_names[d] for d in row.directions))]
                entries.append((organisation, audit.CREATE, changes))
            else:
                changes = {}
                for name, value in values.items():
                    old = organisation.region_id if name == "region" else getattr(organisation, name)
                    new = value.pk if name == "region" else value
                    if old != new:
                        changes[name] = [
                            _audit_value(self.regions_by_id[old] if name == "region" else old),
                            _audit_value(value),
                        ]
                        setattr(organisation, name, value)
                        changed_fields.add(name)
                if row.directions is not None:
                    before = current_directions.get(organisation.pk, set())
                    if before != row.directions:
                        changes["directions"] = [
                            ", ".join(sorted(self.direction_names[d] for d in before)),
                            ", ".join(sorted(self.direction_names[d] for d in row.directions)),
                        ]
                        direction_adds += [(organisation, d) for d in row.directions - before]
                        direction_removes += [(organisation.pk, d) for d in before - row.directions]
                if changes:
                    organisation.sort_name = name_sort_key(organisation.short_name)
                    organisation.updated_at = now
                    changed.append(organisation)
                    entries.append((organisation, audit.UPDATE, changes))
                    self.result.updated += 1
                else:
                    self.result.unchanged += 1
            plan.append((row, organisation))
        self.result.created += len(created)
        memberships = self.memberships(plan)
        if self.dry_run:
            return
        with transaction.atomic():
            Organisation.objects.bulk_create([o for _row, o in created], batch_size=self.batch_size)
            direction_adds += [(o, d) for row, o in created for d in (row.directions or ())]
            if changed:
                fields = sorted(changed_fields | {"sort_name", "updated_at"})
                Organisation.objects.bulk_update(changed, fields, batch_size=self.batch_size)
            if direction_removes:
                removed = {}
                for org_id, direction_id in direction_removes:
                    removed.setdefault(org_id, []).append(direction_id)
                for org_id, direction_ids in removed.items():
                    through.objects.filter(organisation_id=org_id, direction_id__in=direction_ids).delete()
            insert_rows(through, [{"organisation_id": o.pk, "direction_id": d} for o, d in direction_adds])
            for membership in memberships:
                # The organisation got its id from bulk_create; assigning the object again copies it
                # (assigning the id alone would drop the cached object and cost a query per entry).
                membership.organisation = membership.organisation
            AssociationMembership.objects.bulk_create(memberships, batch_size=self.batch_size)
            entries += [
                (
                    m,
                    audit.CREATE,
                    {"organisation": [None, str(m.organisation)], "association": [None, str(m.association)]},
                )
                for m in memberships
            ]
            audit.record_many(entries, actor=self.actor, batch_size=self.batch_size)

    def memberships(self, plan: list[tuple[_Row, Organisation]]) -> list[AssociationMembership]:
        """The memberships to create for the batch; the ones that cannot be are reported as skipped."""
        known = [o.pk for row, o in plan if row.associations and o.pk]
        active, open_applications = set(), set()
        if known:
            active = set(
                AssociationMembership.objects.active()
                .filter(organisation_id__in=known)
                .values_list("organisation_id", "association_id")
            )
            open_applications = set(
                MembershipApplication.objects.open()
                .filter(organisation_id__in=known)
                .values_list("organisation_id", "association_id")
            )
        result = []
        for row, organisation in plan:
            for association in row.associations:
                pair = (organisation.pk, association.pk)
                if organisation.pk and pair in active:
                    continue
                if association.status == AssociationStatus.ARCHIVED:
                    message = _("The association “%(slug)s” is archived: no membership was created.")
                elif organisation.pk and pair in open_applications:
                    message = _(
                        "The organisation has an open application to “%(slug)s”: no membership was created; "
                        "the application decides."
                    )
                else:
                    result.append(
                        AssociationMembership(
                            organisation=organisation,
                            association=association,
                            role=MembershipRole.PARTICIPANT,
                            status=MembershipStatus.ACTIVE,
                        )
                    )
                    continue
                self.result.issues.append(
                    Issue(row.number, row.values["inn"], "associations", message % {"slug": association.slug}, True)
                )
        self.result.memberships += len(result)
        return result


def analyze() -> None:
    """Refresh the planner's statistics of the tables an import fills (PostgreSQL's autovacuum may be off)."""
    if connection.vendor != "postgresql":
        return
    tables = [
        Organisation._meta.db_table,
        Organisation.directions.through._meta.db_table,
        AssociationMembership._meta.db_table,
        "auditlog_logentry",
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'ANALYZE "{table}"')


def organisations_import(
    *,
    rows: Iterable[tuple[int, dict]],
    actor=None,
    dry_run: bool = False,
    batch_size: int = 1000,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Create or update organisations by ИНН from `rows` (imports.reader); see the module's steps."""
    importer = _Importer(actor=actor, dry_run=dry_run, batch_size=batch_size, progress=progress)
    return importer.run(list(rows))
