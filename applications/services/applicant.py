"""The applicant's side: applying, editing, submitting, withdrawing, answering, documents.

Every function takes plain keyword values (never forms), checks who asks, and writes in one
transaction; the rules hold whoever calls them (a page, a command, the API, a test).
"""

import hashlib
import time
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext

from associations.models import Association, AssociationMembership
from core import permissions, ratelimit, versioned_cache
from core.documents import CheckedUpload
from core.transitions import Refusal, Refused
from members.models import Organisation
from members.services import organisation_create

from ..models import OPEN_STATUSES, ApplicationDocument, ApplicationStatus, MembershipApplication
from ..selectors import APPLICATION_GROUP
from .notifications import notify_application_event


class ApplicationIncomplete(Refused):
    """Motivation and competences are needed before an application can be submitted."""

    def __init__(self):
        super().__init__(Refusal.INVALID, "motivation and competences are required")


class ApplicationBlocked(Refused):
    """The organisation may not apply to some of the associations now; `reasons` says why, by association id."""

    def __init__(self, reasons: dict):
        super().__init__(Refusal.NOT_ALLOWED, "; ".join(reasons.values()))
        self.reasons = reasons


class DuplicateApplication(Exception):
    """An open application of the organisation to the association exists already."""

    def __init__(self, existing):
        super().__init__("an open application exists")
        self.existing = existing


def application_blockers(*, organisation: Organisation, associations) -> dict:
    """Why the organisation may not apply to some of the associations now: {association_id: message}.

    1. An open application to the association exists (draft, submitted, in review, information requested).
    2. The organisation is already an active member.
    3. A rejection within the cooling-off period (settings.APPLICATION_COOLING_OFF).
    4. The association is archived.
    """
    return _blockers_and_end(organisation=organisation, associations=associations)[0]


def shown_application_blockers(*, organisation: Organisation, associations) -> dict:
    """`application_blockers` for drawing the application form, which every visit of the page asks:
    kept per organisation, associations and language until an application, a membership or an
    association changes, or until the first cooling-off among them ends. A sent form is checked
    live (`application_blockers`), and the services check again inside their transaction."""
    ids = ",".join(str(a.pk) for a in associations)
    name = f"application-blockers:{organisation.pk}:{get_language()}:{hashlib.blake2b(ids.encode(), digest_size=8).hexdigest()}"

    def compute() -> dict:
        blockers, ends = _blockers_and_end(organisation=organisation, associations=associations)
        return {"blockers": blockers, "until": ends.timestamp() if ends else None}

    kept = versioned_cache.cached(
        name,
        BLOCKER_GROUPS,
        compute,
        fresh=lambda value: value["until"] is None or time.time() < value["until"],
    )
    return kept["blockers"]


# What the blockers are made of: applications (their status, their decision's date), memberships and
# the associations (archived or not).
BLOCKER_GROUPS = (APPLICATION_GROUP, "memberships", "associations")


def _blockers_and_end(*, organisation: Organisation, associations) -> tuple[dict, datetime | None]:
    """The blockers, and when the first cooling-off among them ends (None: none does)."""
    by_id = {a.pk: a for a in associations}
    blockers = {}
    ends = None

    def block(association_id, message, **params):
        blockers.setdefault(association_id, message % {"association": by_id[association_id].title, **params})

    members = AssociationMembership.objects.active().filter(organisation=organisation, association_id__in=by_id)
    member_of = set(members.values_list("association_id", flat=True))
    # The open applications and the recent rejections in one query (the form asks on every drawing).
    recent = timezone.now() - settings.APPLICATION_COOLING_OFF
    earlier = MembershipApplication.objects.filter(organisation=organisation, association_id__in=by_id).filter(
        Q(status__in=OPEN_STATUSES) | Q(status=ApplicationStatus.REJECTED, decided_at__gt=recent)
    )
    rows = list(earlier.values_list("association_id", "status", "decided_at"))
    for association_id, status, _decided_at in rows:
        if status != ApplicationStatus.REJECTED:
            block(association_id, gettext("%(association)s: your organisation already has an open application there."))
    for association_id in by_id:
        if association_id in member_of:
            block(association_id, gettext("%(association)s: your organisation is already a member."))
    for association_id, status, decided_at in rows:
        if status == ApplicationStatus.REJECTED:
            again = decided_at + settings.APPLICATION_COOLING_OFF
            ends = again if ends is None else min(ends, again)
            block(
                association_id,
                gettext("%(association)s: after a rejection you may apply again from %(date)s."),
                date=formats.date_format(timezone.localtime(again)),
            )
    for association in associations:
        if not association.is_open:
            block(association.pk, gettext("%(association)s: the association does not accept applications."))
    return blockers, ends


def reapply_available_from(application: MembershipApplication) -> datetime | None:
    """When a rejected application's organisation may apply again (None: not rejected)."""
    if application.status != ApplicationStatus.REJECTED or application.decided_at is None:
        return None
    return application.decided_at + settings.APPLICATION_COOLING_OFF


def attach_documents(*, application: MembershipApplication, user, files: list[CheckedUpload]) -> None:
    """Store uploads already checked by content (core.documents) under names the portal chooses."""
    for checked in files:
        ApplicationDocument(application=application).store(checked, user=user)


def _submit(*, application: MembershipApplication, user, comment: str = "") -> None:
    if not (application.motivation.strip() and application.competences.strip()):
        raise ApplicationIncomplete
    ratelimit.check("application_submit", application.organisation_id)
    event = application.submit(by=user, comment=comment)
    notify_application_event(event)


def _ensure_applicant(user, organisation: Organisation) -> None:
    if not permissions.represents(user, organisation.pk):
        raise PermissionDenied("only the organisation's representatives apply for it")


def application_create(
    *,
    user,
    organisation: Organisation,
    associations: list[Association],
    motivation: str,
    competences: str,
    directions,
    files: list[CheckedUpload],
    submit: bool,
) -> list[MembershipApplication]:
    """One application per association with its own copy of the documents, all or nothing.

    Raises DuplicateApplication when an open application to one of the associations exists (a
    second click of the same form, or two tabs), ApplicationBlocked when the organisation may not
    apply there now (a member already, a recent rejection, an archived association),
    ApplicationIncomplete when submitting without motivation or competences; nothing is written then.
    """
    _ensure_applicant(user, organisation)
    created = []
    try:
        with transaction.atomic():
            existing = _open_application(organisation, associations)
            if existing is not None:
                raise DuplicateApplication(existing)
            blockers = application_blockers(organisation=organisation, associations=associations)
            if blockers:
                # The other click may have committed between the two reads: it is still a duplicate.
                existing = _open_application(organisation, associations)
                if existing is not None:
                    raise DuplicateApplication(existing)
                raise ApplicationBlocked(blockers)
            for association in associations:
                application = MembershipApplication.objects.create(
                    organisation=organisation,
                    association=association,
                    applicant=user,
                    motivation=motivation,
                    competences=competences,
                )
                application.directions.set(directions)
                attach_documents(application=application, user=user, files=files)
                if submit:
                    _submit(application=application, user=user)
                created.append(application)
    except IntegrityError:  # an open application was created at the same moment
        existing = _open_application(organisation, associations)
        if existing is None:
            raise
        raise DuplicateApplication(existing) from None
    return created


def _open_application(organisation, associations):
    return (
        MembershipApplication.objects.open()
        .filter(organisation=organisation, association__in=associations)
        .order_by("-created_at")
        .first()
    )


def organisation_create_and_apply(
    *, user, organisation: dict, organisation_directions, **application
) -> list[MembershipApplication]:
    """A first application: the profile, the applications and their documents, all or nothing."""
    with transaction.atomic():
        created = organisation_create(user=user, directions=organisation_directions, **organisation)
        return application_create(user=user, organisation=created, **application)


def _lock_editable(application: MembershipApplication, *, statuses) -> None:
    """Lock the row and check it is still in `statuses`: a colleague may have submitted or withdrawn it."""
    current = (
        MembershipApplication.objects.select_for_update().filter(pk=application.pk).values_list("status", flat=True)
    ).first()
    if current not in statuses:
        raise Refused(Refusal.NOT_ALLOWED if current == application.status else Refusal.STALE, "no longer editable")


def application_update(
    *, application: MembershipApplication, user, motivation: str, competences: str, directions, files
) -> None:
    """Save an edited draft (or an application with information requested) and its new documents.

    Only the edited fields are written: a full save of the copy loaded earlier would put its old
    status back and undo a step taken meanwhile, leaving the history saying otherwise.
    """
    _ensure_applicant(user, application.organisation)
    with transaction.atomic():
        _lock_editable(application, statuses=(ApplicationStatus.DRAFT, ApplicationStatus.INFO_REQUESTED))
        application.motivation, application.competences = motivation, competences
        application.save(update_fields=["motivation", "competences"])
        application.directions.set(directions)
        attach_documents(application=application, user=user, files=files)


def application_submit(*, application: MembershipApplication, user) -> None:
    """Submit a draft; raises ApplicationIncomplete or Refused."""
    _ensure_applicant(user, application.organisation)
    with transaction.atomic():
        _submit(application=application, user=user)


def application_withdraw(*, application: MembershipApplication, user, comment: str = "") -> None:
    """Withdraw before a decision; Refused after one."""
    _ensure_applicant(user, application.organisation)
    with transaction.atomic():
        event = application.withdraw(by=user, comment=comment)
        notify_application_event(event)


def application_answer_information_request(
    *, application: MembershipApplication, user, comment: str, files: list[CheckedUpload]
) -> None:
    """Attach the new documents and resubmit with the applicant's answer, in one transaction."""
    _ensure_applicant(user, application.organisation)
    if application.status != ApplicationStatus.INFO_REQUESTED:
        raise Refused(Refusal.NOT_ALLOWED, "no information was requested")
    with transaction.atomic():
        attach_documents(application=application, user=user, files=files)
        _submit(application=application, user=user, comment=comment)


def document_remove(*, document: ApplicationDocument, user) -> None:
    """Remove a document from a draft; the file goes once the row is gone for good."""
    application = document.application
    _ensure_applicant(user, application.organisation)
    with transaction.atomic():
        _lock_editable(application, statuses=(ApplicationStatus.DRAFT,))
        document.delete_with_file()
