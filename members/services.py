"""Workflows across models: they change state, write history and notify people.

Status changes themselves are model methods (`MembershipApplication.approve` …);
the services here wrap them with permission checks and notifications, inside one
transaction, so that a notification exists exactly when its event does.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from notifications.services import notify, notify_address

from .models import (
    ApplicationDocument,
    ApplicationEvent,
    ApplicationStatus,
    AssociationMembership,
    Invitation,
    JoinRequest,
    JoinRequestStatus,
    MembershipApplication,
    MembershipStatus,
    Representative,
    RepresentativeRole,
    TransitionError,
)


def application_reviewers(application: MembershipApplication):
    """Coordinators of the application's association, or the administrators when it has none.

    People who represent the applying organisation are left out: they may not review it.
    """
    User = get_user_model()
    own = Representative.objects.filter(organisation_id=application.organisation_id).values("user_id")
    coordinators = User.objects.filter(is_active=True, coordinated_associations=application.association_id).exclude(
        pk__in=own
    )
    if coordinators.exists():
        return coordinators
    return User.objects.filter(is_active=True, is_superuser=True).exclude(pk__in=own)


def application_people(application: MembershipApplication):
    """The users who act for the applying organisation now (not an applicant who has left it)."""
    User = get_user_model()
    user_ids = Representative.objects.filter(organisation_id=application.organisation_id).values("user_id")
    return User.objects.filter(pk__in=user_ids, is_active=True)


# Reviewing: decisions of coordinators and administrators (issue 4).
# Each step wraps the model method and the notifications in one transaction, so a
# notification exists exactly when its event does. Imports are local to keep this
# section independent of the applicant side's imports.


class ReviewNotAllowed(Exception):
    """The application cannot take this step (its status does not allow it, or it changed meanwhile)."""


def _ensure_reviewer(application: MembershipApplication, reviewer) -> None:
    from django.core.exceptions import PermissionDenied

    if not MembershipApplication.objects.reviewable_by(reviewer).filter(pk=application.pk).exists():
        raise PermissionDenied("not a reviewer of this application")


def _review_step(application: MembershipApplication, reviewer, step) -> ApplicationEvent:
    from django.db import IntegrityError, transaction

    from .models import TransitionError

    _ensure_reviewer(application, reviewer)
    try:
        with transaction.atomic():
            event = step()
            notify_application_event(event)
    except TransitionError as exc:
        raise ReviewNotAllowed(str(exc)) from exc
    except IntegrityError as exc:  # the organisation became a member meanwhile
        raise ReviewNotAllowed("the organisation is already an active member") from exc
    return event


def application_take_into_review(*, application: MembershipApplication, reviewer, internal_note: str = ""):
    """Assign the application to the reviewer: submitted → in review."""
    return _review_step(
        application, reviewer, lambda: application.take_into_review(by=reviewer, internal_note=internal_note)
    )


def application_request_information(
    *, application: MembershipApplication, reviewer, comment: str, internal_note: str = ""
):
    """Ask the applicant for more information: in review → information requested (comment required)."""
    return _review_step(
        application,
        reviewer,
        lambda: application.request_information(by=reviewer, comment=comment, internal_note=internal_note),
    )


def application_approve(*, application: MembershipApplication, reviewer, comment: str = "", internal_note: str = ""):
    """Approve: in review → approved, and the organisation becomes a member, in one transaction."""
    return _review_step(
        application, reviewer, lambda: application.approve(by=reviewer, comment=comment, internal_note=internal_note)
    )


def application_reject(*, application: MembershipApplication, reviewer, comment: str, internal_note: str = ""):
    """Reject with a reason the applicant receives: in review → rejected."""
    return _review_step(
        application, reviewer, lambda: application.reject(by=reviewer, comment=comment, internal_note=internal_note)
    )


class BulkDecision:
    APPROVE = "approve"
    REJECT = "reject"


def applications_bulk_decide(
    *, reviewer, application_ids, decision: str, comment: str = "", internal_note: str = ""
) -> tuple[list, list]:
    """Approve or reject several applications, each in its own transaction.

    Submitted applications are first taken into review by the reviewer (both steps are
    recorded), as the workflow decides only from "in review". Returns (decided,
    not_decided): the decided applications, and (application id, application or None,
    reason) for every one that could not be decided — none is skipped silently.
    """
    from django.utils.translation import gettext

    if decision not in (BulkDecision.APPROVE, BulkDecision.REJECT):
        raise ValueError(f"unknown decision {decision!r}")
    if decision == BulkDecision.REJECT and not comment.strip():
        raise ValueError("a reason is required to reject applications")
    ids = list(dict.fromkeys(int(pk) for pk in application_ids))
    found = MembershipApplication.objects.reviewable_by(reviewer).select_related("organisation", "association")
    found = found.in_bulk(ids)
    decided, not_decided = [], []
    for pk in ids:
        application = found.get(pk)
        if application is None:
            not_decided.append((pk, None, gettext("not found among the applications you review")))
            continue
        try:
            _bulk_one(application, reviewer, decision, comment, internal_note)
        except ReviewNotAllowed:
            application.refresh_from_db(fields=["status"])
            not_decided.append(
                (
                    pk,
                    application,
                    gettext("its status is now “%(status)s”, which does not allow this decision")
                    % {"status": application.get_status_display()},
                )
            )
        else:
            decided.append(application)
    return decided, not_decided


def _bulk_one(application, reviewer, decision, comment, internal_note):
    from django.db import transaction

    def step():
        with transaction.atomic():
            if application.status == ApplicationStatus.SUBMITTED:
                application.take_into_review(by=reviewer)
            if decision == BulkDecision.APPROVE:
                return application.approve(by=reviewer, comment=comment, internal_note=internal_note)
            return application.reject(by=reviewer, comment=comment, internal_note=internal_note)

    return _review_step(application, reviewer, step)


def review_reminders_send(*, now=None) -> int:
    """One digest a day to each reviewer of the applications waiting longer than APPLICATION_REMINDER_AFTER.

    1. Applications submitted or in review whose status has not changed for that long.
    2. An application in review goes to its assigned reviewer; otherwise to the association's
       reviewers (coordinators, or the administrators when it has none).
    3. The notification's dedupe key (one per reviewer and day) keeps a second run the
       same day from sending again. Returns the number of digests written.
    """
    from collections import defaultdict

    from django.conf import settings
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    from .models import PENDING_REVIEW_STATUSES

    now = now or timezone.now()
    after = settings.APPLICATION_REMINDER_AFTER
    overdue = (
        MembershipApplication.objects.filter(status__in=PENDING_REVIEW_STATUSES, status_changed_at__lt=now - after)
        .select_related("organisation", "association")
        .order_by("status_changed_at", "pk")
    )
    User = get_user_model()
    association_reviewers = {}
    by_reviewer = defaultdict(list)
    for application in overdue:
        assigned = _assigned_reviewer(application) if application.status == ApplicationStatus.IN_REVIEW else None
        if assigned:
            reviewer_ids = [assigned.pk]
        else:
            # The reviewers depend on the organisation too: its own representatives are left out.
            pair = (application.association_id, application.organisation_id)
            if pair not in association_reviewers:
                association_reviewers[pair] = list(application_reviewers(application).values_list("pk", flat=True))
            reviewer_ids = association_reviewers[pair]
        for reviewer_id in reviewer_ids:
            by_reviewer[reviewer_id].append(application)
    users = User.objects.filter(is_active=True).in_bulk(list(by_reviewer))
    key = f"review-reminder:{timezone.localdate(now).isoformat()}"
    written = 0
    for reviewer_id, applications in by_reviewer.items():
        user = users.get(reviewer_id)
        if user is None or user.notifications.filter(dedupe_key=key).exists():
            continue
        items = [
            {
                "id": a.pk,
                "organisation": a.organisation.short_name,
                "association": a.association.name,
                "association_en": a.association.name_en,
                "waiting_days": (now - a.status_changed_at).days,
                "url": _url("members:review-detail", a.pk),
            }
            for a in applications
        ]
        params = {"count": len(items), "after_hours": int(after.total_seconds() // 3600), "applications": items}
        try:
            with transaction.atomic():
                notify(
                    recipient=user,
                    kind="application_reminder_digest",
                    params=params,
                    url=reverse("members:review-queue"),
                    dedupe_key=key,
                )
        except IntegrityError:  # another run wrote today's digest at the same moment
            continue
        written += 1
    return written


def _url(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def _assigned_reviewer(application: MembershipApplication):
    """The assigned reviewer while they may still review the application (active, still its coordinator)."""
    if not application.assigned_to_id:
        return None
    assigned = get_user_model().objects.filter(pk=application.assigned_to_id, is_active=True).first()
    if assigned and MembershipApplication.objects.reviewable_by(assigned).filter(pk=application.pk).exists():
        return assigned
    return None


def notify_application_event(event: ApplicationEvent) -> None:
    """Write the notifications an application's status change calls for.

    submitted        → a receipt to the applicant side, a notice to the reviewers
                       (a resubmission after an information request goes to the assigned reviewer)
    info_requested,
    approved,
    rejected         → the applicant side, with the comment
    withdrawn        → the reviewers (the assigned one if any)
    """
    application = event.application
    params = {
        "application_id": application.pk,
        "organisation": application.organisation.short_name,
        "inn": application.organisation.inn,
        "association": application.association.name,
        "association_en": application.association.name_en or application.association.name,
        "comment": event.comment,
        "from_status": event.from_status,
        "to_status": event.to_status,
    }
    applicant_url = _url("members:application-detail", application.pk)
    review_url = _url("members:review-detail", application.pk)
    to = event.to_status
    if to == ApplicationStatus.SUBMITTED:
        for user in application_people(application):
            notify(recipient=user, kind="application_received", params=params, url=applicant_url)
        assigned = _assigned_reviewer(application)
        if event.from_status == ApplicationStatus.INFO_REQUESTED and assigned:
            reviewers = [assigned]
        else:
            reviewers = application_reviewers(application)
        for user in reviewers:
            notify(recipient=user, kind="application_submitted", params=params, url=review_url)
    elif to in (ApplicationStatus.INFO_REQUESTED, ApplicationStatus.APPROVED, ApplicationStatus.REJECTED):
        kind = {
            ApplicationStatus.INFO_REQUESTED: "application_info_requested",
            ApplicationStatus.APPROVED: "application_approved",
            ApplicationStatus.REJECTED: "application_rejected",
        }[to]
        for user in application_people(application):
            notify(recipient=user, kind=kind, params=params, url=applicant_url)
    elif to == ApplicationStatus.WITHDRAWN and event.from_status != ApplicationStatus.DRAFT:
        assigned = _assigned_reviewer(application)
        reviewers = [assigned] if assigned else application_reviewers(application)
        for user in reviewers:
            notify(recipient=user, kind="application_withdrawn", params=params, url=review_url)


# The applicant side: organisations, colleagues and applications.


class ApplicationIncomplete(ValueError):
    """Motivation and competences are needed before an application can be submitted."""


class DuplicateApplication(Exception):
    """An open application of the organisation to the association exists already."""

    def __init__(self, existing):
        super().__init__("an open application exists")
        self.existing = existing


def _association_name(association) -> str:
    return association.title


def application_blockers(*, organisation, associations) -> dict:
    """Why the organisation may not apply to some of the associations now: {association_id: message}.

    1. An open application to the association exists (draft, submitted, in review, information requested).
    2. The organisation is already an active member.
    3. A rejection within the cooling-off period (settings.APPLICATION_COOLING_OFF).
    """
    ids = [a.pk for a in associations]
    by_id = {a.pk: a for a in associations}
    blockers = {}
    open_ids = MembershipApplication.objects.open().filter(organisation=organisation, association_id__in=ids)
    for association_id in open_ids.values_list("association_id", flat=True):
        blockers[association_id] = gettext(
            "%(association)s: your organisation already has an open application there."
        ) % {"association": _association_name(by_id[association_id])}
    members = AssociationMembership.objects.filter(
        organisation=organisation, association_id__in=ids, status=MembershipStatus.ACTIVE
    ).values_list("association_id", flat=True)
    for association_id in members:
        blockers.setdefault(
            association_id,
            gettext("%(association)s: your organisation is already a member.")
            % {"association": _association_name(by_id[association_id])},
        )
    since = timezone.now() - settings.APPLICATION_COOLING_OFF
    rejected = MembershipApplication.objects.filter(
        organisation=organisation,
        association_id__in=ids,
        status=ApplicationStatus.REJECTED,
        decided_at__gt=since,
    ).values_list("association_id", "decided_at")
    for association_id, decided_at in rejected:
        again = timezone.localtime(decided_at + settings.APPLICATION_COOLING_OFF)
        blockers.setdefault(
            association_id,
            gettext("%(association)s: after a rejection you may apply again from %(date)s.")
            % {"association": _association_name(by_id[association_id]), "date": formats.date_format(again)},
        )
    return blockers


def reapply_available_from(application: MembershipApplication):
    """When a rejected application's organisation may apply again (None: not rejected)."""
    if application.status != ApplicationStatus.REJECTED or application.decided_at is None:
        return None
    return application.decided_at + settings.APPLICATION_COOLING_OFF


def organisation_create(*, user, organisation, directions) -> None:
    """Save a new organisation with the user as its owner, in one transaction."""
    with transaction.atomic():
        organisation.save()
        organisation.directions.set(directions)
        Representative.objects.create(organisation=organisation, user=user, role=RepresentativeRole.OWNER)


def attach_documents(*, application, user, files) -> None:
    """Store checked uploads (members.forms.CheckedUpload) under a name chosen from their content type."""
    for checked in files:
        upload = checked.upload
        upload.seek(0)
        document = ApplicationDocument(
            application=application,
            original_name=upload.name[:255],
            content_type=checked.content_type,
            size=upload.size,
            sha256=ApplicationDocument.digest(upload),
            uploaded_by=user,
        )
        upload.seek(0)
        document.file.save(f"document.{checked.extension}", File(upload), save=False)
        document.save()


def _submit(*, application, user, comment: str = "") -> None:
    if not (application.motivation.strip() and application.competences.strip()):
        raise ApplicationIncomplete("motivation and competences are required")
    event = application.submit(by=user, comment=comment)
    notify_application_event(event)


def application_create(
    *, user, organisation, associations, motivation: str, competences: str, directions, files, submit: bool
) -> list[MembershipApplication]:
    """One application per association with its own copy of the documents, all or nothing.

    Raises DuplicateApplication when an open application to one of the associations
    exists (a second click of the same form, or two tabs); nothing is written then.
    """
    created = []
    try:
        with transaction.atomic():
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
    except IntegrityError:
        existing = (
            MembershipApplication.objects.open()
            .filter(organisation=organisation, association__in=associations)
            .order_by("-created_at")
            .first()
        )
        if existing is None:
            raise
        raise DuplicateApplication(existing) from None
    return created


def organisation_create_and_apply(
    *, user, organisation, organisation_directions, **application
) -> list[MembershipApplication]:
    """A first application: the profile, the applications and their documents, all or nothing."""
    with transaction.atomic():
        organisation_create(user=user, organisation=organisation, directions=organisation_directions)
        return application_create(user=user, organisation=organisation, **application)


def application_update(*, application, user, form) -> None:
    """Save an edited draft (or an application with information requested) and its new documents.

    1. Lock the row and check it is still editable: a colleague may have submitted or withdrawn it
       since it was loaded (TransitionError then, nothing written).
    2. Write only the edited fields: a full save of the copy loaded earlier would put its old
       status back and undo that step, leaving the history saying otherwise.
    """
    with transaction.atomic():
        editable = MembershipApplication.objects.select_for_update().filter(
            pk=application.pk, status__in=(ApplicationStatus.DRAFT, ApplicationStatus.INFO_REQUESTED)
        )
        if editable.first() is None:
            raise TransitionError("the application can no longer be changed")
        form.save(commit=False)
        application.save(update_fields=["motivation", "competences"])
        form.save_m2m()
        attach_documents(application=application, user=user, files=form.cleaned_data["documents"])


def application_submit(*, application: MembershipApplication, user) -> None:
    """Submit a draft; raises ApplicationIncomplete or TransitionError."""
    with transaction.atomic():
        _submit(application=application, user=user)


def application_withdraw(*, application: MembershipApplication, user, comment: str = "") -> None:
    """Withdraw before a decision; raises TransitionError after one."""
    with transaction.atomic():
        event = application.withdraw(by=user, comment=comment)
        notify_application_event(event)


def application_answer_information_request(*, application: MembershipApplication, user, comment: str, files) -> None:
    """Attach the new documents and resubmit with the applicant's answer, in one transaction."""
    if application.status != ApplicationStatus.INFO_REQUESTED:
        raise TransitionError("no information was requested")
    with transaction.atomic():
        attach_documents(application=application, user=user, files=files)
        _submit(application=application, user=user, comment=comment)


def _owners(organisation):

    User = get_user_model()
    return User.objects.filter(
        is_active=True,
        representations__organisation=organisation,
        representations__role=RepresentativeRole.OWNER,
    )


def join_request_create(*, user, organisation, message: str = ""):
    """Ask to represent an organisation; its owners are told. Returns the pending request."""
    if organisation.representatives.filter(user=user).exists():
        return None
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(organisation=organisation, user=user, message=message)
            params = {
                "organisation": organisation.short_name,
                "inn": organisation.inn,
                "user": user.get_full_name(),
                "email": user.email,
                "message": message,
            }
            url = reverse("members:organisation-detail", args=[organisation.pk])
            for owner in _owners(organisation):
                notify(recipient=owner, kind="join_request_received", params=params, url=url)
    except IntegrityError:
        return JoinRequest.objects.get(organisation=organisation, user=user, status=JoinRequestStatus.PENDING)
    return join_request


def join_request_decide(*, join_request, user, accept: bool) -> bool:
    """The owner accepts or declines once; the requester is told. False if decided meanwhile."""
    with transaction.atomic():
        done = join_request.accept(by=user) if accept else join_request.decline(by=user)
        if done:
            organisation = join_request.organisation
            notify(
                recipient=join_request.user,
                kind="join_request_accepted" if accept else "join_request_declined",
                params={"organisation": organisation.short_name, "inn": organisation.inn},
                url=reverse("members:cabinet"),
            )
    return done


INVITATION_SALT = "members.invitation"
INVITATION_MAX_AGE = 14 * 24 * 3600


def invitation_token(invitation) -> str:

    return signing.dumps(invitation.pk, salt=INVITATION_SALT)


def invitation_from_token(token: str):
    """The open invitation a token stands for, or None when it is forged, expired or used."""
    try:
        pk = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.BadSignature:
        return None
    return Invitation.objects.select_related("organisation").filter(pk=pk, accepted_at=None).first()


def invitation_send(*, organisation, email: str, invited_by):
    """Invite a colleague: a portal notification if they have an account, else an e-mail through the outbox.

    Sent twice at once (a double click), the second attempt meets the partial unique
    index on open invitations and returns the first one, which alone is delivered.
    """
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(organisation=organisation, email=email, invited_by=invited_by)
            url = reverse("members:invitation-accept", args=[invitation_token(invitation)])
            params = {
                "organisation": organisation.short_name,
                "inn": organisation.inn,
                "by": invited_by.get_full_name(),
            }
            existing = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
            if existing:
                notify(recipient=existing, kind="organisation_invitation", params=params, url=url)
            else:
                # No account, so no profile language: the e-mail is written in the sender's.
                notify_address(
                    email=email,
                    language=translation.get_language() or settings.LANGUAGE_CODE,
                    kind="organisation_invitation_email",
                    params=params,
                    url=url,
                )
    except IntegrityError:
        return Invitation.objects.get(organisation=organisation, email=email, accepted_at=None)
    return invitation


class InvitationForSomeoneElse(Exception):
    """The invitation was sent to another e-mail address than the signed-in user's."""


def invitation_accept(*, invitation, user) -> bool:
    if invitation.email.lower() != user.email.lower():
        raise InvitationForSomeoneElse(invitation.email)
    return invitation.accept(user=user)
