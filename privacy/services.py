"""A person's rights over their personal data (Federal Law No. 152-FZ): a copy, deletion, consent.

- `personal_data_export(user)` — everything the portal holds about the person, as JSON-ready data,
  in a fixed number of queries (pinned by tests/test_privacy.py);
- `account_delete(user=…)` — the account is anonymised, not removed, so decisions and histories
  keep pointing at it and show «удалённый пользователь» (`User.full_display_name`);
- `consent_withdraw(user=…)` / `consent_give(user=…)` — the consent history after sign-up; a
  withdrawal tells the administrators, blocks further use of the portal (`privacy.middleware`) and
  is followed by deletion within 30 days (`deletions_due_process`) unless consent is given again.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from auditlog.models import LogEntry
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Prefetch, Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from accounts.models import REMOVED_EMAIL_DOMAIN, User
from applications.models import ApplicationDocument, ApplicationEvent, MembershipApplication
from associations.models import Association
from core import permissions, versioned_cache
from core.transitions import RequestStatus
from members.models import Invitation, JoinRequest, Organisation, Representative, RepresentativeRole
from notifications.models import Notification
from notifications.services import notification_title, notify
from projects.models import ParticipationRequest, ProjectDocument, StageChange

from .models import WITHDRAWAL_DEADLINE, ConsentEvent, ConsentKind, EventKind, PersonalDataEvent

FORMAT_VERSION = 1
# Notifications in other people's inboxes that name the person (members.services): the keys replaced.
NAMING_NOTIFICATIONS = {
    "join_request_received": ("user", "email"),
    "organisation_invitation": ("by",),
    "organisation_invitation_email": ("by",),
}
REMOVED_LABEL = {"ru": "удалённый пользователь", "en": "removed user"}
DATABASE_SESSION_ENGINES = ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db")


class DeletionBlocked(Exception):
    """The account may not be deleted now; `reason` says why (a page explains it)."""

    LAST_ADMINISTRATOR = "last_administrator"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# Consent


@dataclass(frozen=True)
class ConsentRecord:
    kind: str
    at: datetime
    policy_version: str
    at_signup: bool = False


def consent_history(user, events=None) -> list[ConsentRecord]:
    """The consent given at sign-up (stored on the account), then each later withdrawal and renewal."""
    records = []
    if user.pd_consent_at:
        records.append(ConsentRecord(ConsentKind.GIVEN, user.pd_consent_at, user.pd_policy_version, at_signup=True))
    if events is None:
        events = ConsentEvent.objects.filter(user=user)
    records += [ConsentRecord(event.kind, event.created_at, event.policy_version) for event in events]
    return records


def consent_withdrawn(user) -> ConsentEvent | None:
    """The withdrawal in force: the last consent event, if it is one."""
    last = ConsentEvent.objects.filter(user=user).order_by("-created_at", "-pk").first()
    return last if last is not None and last.kind == ConsentKind.WITHDRAWN else None


def consent_withdraw(*, user, keep_session: str = "") -> ConsentEvent:
    """Record a withdrawal and tell the administrators: processing stops, deletion follows in 30 days.

    The person's other sessions end (the one that withdrew, `keep_session`, is marked by the page:
    `privacy.middleware`). Withdrawn twice, the first withdrawal stands (its deadline too).
    """
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        current = consent_withdrawn(user)
        if current is not None:
            return current
        event = ConsentEvent.objects.create(
            user=user, kind=ConsentKind.WITHDRAWN, policy_version=settings.PRIVACY_POLICY_VERSION
        )
        params = {"user_id": user.pk, "due": event.deletion_due.date().isoformat()}
        url = reverse("admin:accounts_user_change", args=[user.pk])
        for admin in permissions.active_users().filter(is_superuser=True).exclude(pk=user.pk):
            notify(recipient=admin, kind="privacy_consent_withdrawn", params=params, url=url)
        _end_sessions(user.pk, keep=keep_session)
    return event


def consent_give(*, user) -> ConsentEvent | None:
    """Give consent again after a withdrawal (to the policy in force); None when it is in force already."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        if consent_withdrawn(user) is None:
            return None
        return ConsentEvent.objects.create(
            user=user, kind=ConsentKind.GIVEN, policy_version=settings.PRIVACY_POLICY_VERSION
        )


# Export


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _organisation_profile(organisation: Organisation) -> dict:
    return {
        "id": organisation.pk,
        "legal_form": organisation.legal_form,
        "kind": organisation.kind,
        "inn": organisation.inn,
        "ogrn": organisation.ogrn,
        "kpp": organisation.kpp,
        "full_name": organisation.full_name,
        "short_name": organisation.short_name,
        "region": organisation.region.code,
        "city": organisation.city,
        "address": organisation.address,
        "website": organisation.website,
        "email": organisation.email,
        "phone": organisation.phone,
        "size": organisation.size,
        "directions": [direction.slug for direction in organisation.directions.all()],
        "okved": organisation.okved,
        "description": organisation.description,
        "show_email": organisation.show_email,
        "show_phone": organisation.show_phone,
        "created_at": _iso(organisation.created_at),
        "updated_at": _iso(organisation.updated_at),
    }


def _documents(documents) -> list[dict]:
    """Names, types, sizes and dates: the contents stay on the pages that hold them."""
    return [
        {
            "name": document.original_name,
            "type": document.content_type,
            "size": document.size,
            "sha256": document.sha256,
            "uploaded_at": _iso(document.uploaded_at),
        }
        for document in documents
    ]


def _audit_entries(user) -> list[dict]:
    """The audit log's entries of the person's own changes."""
    entries = LogEntry.objects.filter(actor_id=user.pk).select_related("content_type").order_by("timestamp", "pk")
    return [
        {
            "at": _iso(entry.timestamp),
            "action": entry.get_action_display(),
            "object_type": entry.content_type.model,
            "object_id": entry.object_pk,
            "object": entry.object_repr,
            "changes": entry.changes,
        }
        for entry in entries
    ]


def personal_data_export(user) -> dict:
    """Everything the portal holds about the person, in 15 queries whatever the amount (the download is recorded).

    The queries: the download's record; e-mail addresses; consent events; privacy events;
    representations with their organisations (+ directions); coordinated associations;
    applications submitted (+ directions, + the history without internal notes, + documents);
    join requests; invitations sent and received; participation requests; notifications;
    application documents and project documents uploaded; application and stage steps taken;
    the audit log's entries.
    """
    with transaction.atomic():
        PersonalDataEvent.objects.create(user=user, kind=EventKind.EXPORTED)
        email_addresses = list(EmailAddress.objects.filter(user=user))
        consent_events = list(ConsentEvent.objects.filter(user=user))
        privacy_events = list(PersonalDataEvent.objects.filter(user=user))
        representations = list(
            Representative.objects.filter(user=user)
            .select_related("organisation__region")
            .prefetch_related("organisation__directions")
            .order_by("created_at", "pk")
        )
        coordinated = list(Association.objects.filter(coordinators=user).order_by("slug"))
        applications = list(
            MembershipApplication.objects.filter(applicant=user)
            .select_related("organisation", "association")
            .prefetch_related(
                "directions",
                Prefetch(
                    "events",
                    queryset=ApplicationEvent.objects.only(
                        "application_id", "actor_id", "from_status", "to_status", "comment", "created_at"
                    ),
                ),
                "documents",
            )
            .order_by("created_at", "pk")
        )
        join_requests = list(JoinRequest.objects.filter(user=user).select_related("organisation").order_by("pk"))
        invitations = list(
            Invitation.objects.filter(Q(invited_by=user) | Q(accepted_by=user) | Q(email__iexact=user.email))
            .select_related("organisation")
            .order_by("pk")
        )
        participation_requests = list(
            ParticipationRequest.objects.filter(requested_by=user).select_related("project", "organisation")
        )
        notifications = list(Notification.objects.filter(recipient=user).order_by("created_at", "pk"))
        application_documents = list(ApplicationDocument.objects.filter(uploaded_by=user))
        project_documents = list(ProjectDocument.objects.filter(uploaded_by=user).select_related("project"))
        application_steps = list(
            ApplicationEvent.objects.filter(actor=user).only(
                "application_id", "from_status", "to_status", "comment", "created_at"
            )
        )
        stage_changes = list(StageChange.objects.filter(changed_by=user).select_related("project"))
        audit = _audit_entries(user)

    return {
        "format_version": FORMAT_VERSION,
        "exported_at": _iso(timezone.now()),
        "account": {
            "id": user.pk,
            "email": user.email,
            "last_name": user.last_name,
            "first_name": user.first_name,
            "patronymic": user.patronymic,
            "language": user.language,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "is_active": user.is_active,
            "roles": {
                "cluster_administrator": user.is_superuser,
                "cluster_staff": user.is_cluster_staff,
                "coordinator_of": [association.slug for association in coordinated],
            },
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in email_addresses
            ],
            "consent": [
                {
                    "kind": record.kind,
                    "at": _iso(record.at),
                    "policy_version": record.policy_version,
                    "at_signup": record.at_signup,
                }
                for record in consent_history(user, consent_events)
            ],
            "personal_data_requests": [{"kind": event.kind, "at": _iso(event.created_at)} for event in privacy_events],
        },
        "representations": [
            {
                "organisation_id": representation.organisation_id,
                "organisation": representation.organisation.short_name,
                "inn": representation.organisation.inn,
                "role": representation.role,
                "since": _iso(representation.created_at),
            }
            for representation in representations
        ],
        "organisations_owned": [
            _organisation_profile(representation.organisation)
            for representation in representations
            if representation.role == RepresentativeRole.OWNER
        ],
        "applications": [
            {
                "id": application.pk,
                "organisation": application.organisation.short_name,
                "association": application.association.slug,
                "status": application.status,
                "motivation": application.motivation,
                "competences": application.competences,
                "directions": [direction.slug for direction in application.directions.all()],
                "created_at": _iso(application.created_at),
                "submitted_at": _iso(application.submitted_at),
                "decided_at": _iso(application.decided_at),
                # The history as the applicant's page shows it: never the reviewers' internal notes.
                "history": [
                    {
                        "at": _iso(event.created_at),
                        "from": event.from_status,
                        "to": event.to_status,
                        "comment": event.comment,
                        "by_you": event.actor_id == user.pk,
                    }
                    for event in application.events.all()
                ],
                "documents": _documents(application.documents.all()),
            }
            for application in applications
        ],
        "join_requests": [
            {
                "organisation": join_request.organisation.short_name,
                "inn": join_request.organisation.inn,
                "message": join_request.message,
                "status": join_request.status,
                "created_at": _iso(join_request.created_at),
                "decided_at": _iso(join_request.decided_at),
            }
            for join_request in join_requests
        ],
        "invitations_sent": [
            {
                "organisation": invitation.organisation.short_name,
                "email": invitation.email,
                "created_at": _iso(invitation.created_at),
                "accepted_at": _iso(invitation.accepted_at),
            }
            for invitation in invitations
            if invitation.invited_by_id == user.pk
        ],
        "invitations_received": [
            {
                "organisation": invitation.organisation.short_name,
                "created_at": _iso(invitation.created_at),
                "accepted_at": _iso(invitation.accepted_at),
            }
            for invitation in invitations
            if invitation.invited_by_id != user.pk
        ],
        "participation_requests": [
            {
                "project": request.project.slug,
                "organisation": request.organisation.short_name,
                "role": request.role,
                "message": request.message,
                "status": request.status,
                "created_at": _iso(request.created_at),
                "decided_at": _iso(request.decided_at),
                "decision_comment": request.decision_comment,
            }
            for request in participation_requests
        ],
        "notifications": [
            {
                "kind": notification.kind,
                "title": notification_title(_as_recipient(notification, user)),
                "params": notification.params,
                "url": notification.url,
                "created_at": _iso(notification.created_at),
                "read_at": _iso(notification.read_at),
                "email_status": notification.email_status,
                "email_sent_at": _iso(notification.email_sent_at),
            }
            for notification in notifications
        ],
        "documents_uploaded": {
            "applications": [
                {"application_id": document.application_id, **_documents([document])[0]}
                for document in application_documents
            ],
            "projects": [
                {"project": document.project.slug, "title": document.title, **_documents([document])[0]}
                for document in project_documents
            ],
        },
        "actions": {
            "application_steps": [
                {
                    "application_id": step.application_id,
                    "at": _iso(step.created_at),
                    "from": step.from_status,
                    "to": step.to_status,
                    "comment": step.comment,
                }
                for step in application_steps
            ],
            "project_stage_changes": [
                {
                    "project": change.project.slug,
                    "at": _iso(change.created_at),
                    "from": change.from_stage,
                    "to": change.to_stage,
                    "comment": change.comment,
                }
                for change in stage_changes
            ],
        },
        "audit_log": audit,
    }


def _as_recipient(notification: Notification, user) -> Notification:
    """The notification with its recipient set from the user at hand (no query per row)."""
    notification.recipient = user
    return notification


def export_chunks(data: dict):
    """The export as JSON text, piece by piece (the response streams it)."""
    yield from DjangoJSONEncoder(ensure_ascii=False, indent=2).iterencode(data)


# Deletion


def may_delete(user) -> str | None:
    """Why the account may not be deleted now (a DeletionBlocked reason), or None."""
    if user.is_superuser and not permissions.active_users().filter(is_superuser=True).exclude(pk=user.pk).exists():
        return DeletionBlocked.LAST_ADMINISTRATOR
    return None


def account_delete(*, user) -> None:
    """Delete the person's account at their request (152-FZ): anonymise it in one transaction.

    1. Refused (DeletionBlocked) for the last active administrator: the portal needs one.
    2. The request and its completion are recorded (`PersonalDataEvent`, the user's id only).
    3. What ties the person to organisations and associations goes: representations,
       coordinator places, the reviewer's assignment of open applications, their pending join
       requests, invitations to their address. An organisation they owned alone stays, without
       representatives: it is a legal entity and its register data are not the person's.
    4. Their inbox is deleted; their name and address are replaced in other people's
       notifications and in the audit log by «удалённый пользователь».
    5. The account row stays, so histories keep pointing at it: no name, a unique undeliverable
       address (`removed-…@removed.invalid`, which `User.is_removed` recognises), an unusable
       password, inactive, no roles; its sessions end, its e-mail addresses, second factors and
       API tokens go.
    """
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_removed:
            return
        reason = may_delete(user)
        if reason:
            raise DeletionBlocked(reason)
        PersonalDataEvent.objects.create(user=user, kind=EventKind.DELETION_REQUESTED)
        old_email, old_names = user.email, {user.full_display_name, user.short_display_name}

        Representative.objects.filter(user=user).delete()
        user.coordinated_associations.clear()
        MembershipApplication.objects.open().filter(assigned_to=user).update(assigned_to=None)
        JoinRequest.objects.filter(user=user, status=RequestStatus.PENDING).delete()
        JoinRequest.objects.filter(user=user).update(message="")
        # UPDATEs fire no signal: what is cached from these rows follows here.
        versioned_cache.model_changed(MembershipApplication)
        versioned_cache.model_changed(JoinRequest)
        Invitation.objects.filter(email__iexact=old_email, accepted_at__isnull=True).delete()

        Notification.objects.filter(Q(recipient=user) | Q(email__iexact=old_email)).delete()
        _scrub_notifications(old_email, old_names)
        _scrub_audit_log(user, old_names)
        _remove_credentials(user)

        placeholder = f"removed-{uuid.uuid4().hex}@{REMOVED_EMAIL_DOMAIN}"
        Invitation.objects.filter(email__iexact=old_email).update(email=placeholder)
        user.email = placeholder
        user.last_name = user.first_name = user.patronymic = ""
        user.set_unusable_password()
        user.is_active = user.is_staff = user.is_superuser = user.is_cluster_staff = False
        user.save(
            update_fields=[
                "email",
                "last_name",
                "first_name",
                "patronymic",
                "password",
                "is_active",
                "is_staff",
                "is_superuser",
                "is_cluster_staff",
            ]
        )
        user.groups.clear()
        user.user_permissions.clear()
        _end_sessions(user.pk)
        PersonalDataEvent.objects.create(user=user, kind=EventKind.DELETION_COMPLETED)


def _replace(value, old_names: set[str], label: str):
    if isinstance(value, str):
        return label if value in old_names else value
    if isinstance(value, list):
        return [_replace(item, old_names, label) for item in value]
    if isinstance(value, dict):
        return {key: _replace(item, old_names, label) for key, item in value.items()}
    return value


def _scrub_notifications(old_email: str, old_names: set[str]) -> None:
    """Other people's notifications that name the person: the name in both languages, no address."""
    naming = Q()
    for kind, keys in NAMING_NOTIFICATIONS.items():
        for key in keys:
            values = [old_email] if key == "email" else list(old_names)
            naming |= Q(kind=kind, **{f"params__{key}__in": values})
    for notification in Notification.objects.filter(naming):
        for key in NAMING_NOTIFICATIONS[notification.kind]:
            if key == "email":
                notification.params[key] = ""
            elif notification.params.get(key) in old_names:
                notification.params[key] = REMOVED_LABEL["ru"]
                notification.params[f"{key}_en"] = REMOVED_LABEL["en"]
        notification.save(update_fields=["params"])


def _scrub_audit_log(user, old_names: set[str]) -> None:
    """The audit log keeps who changed what; the person's name in its entries becomes the label."""
    LogEntry.objects.filter(actor=user).update(actor_email=None, remote_addr=None)
    # JSON text holds the name as typed (PostgreSQL) or \u-escaped (SQLite's json.dumps).
    names = Q()
    for name in old_names:
        names |= Q(text__contains=name) | Q(text__contains=json.dumps(name)[1:-1])
    entries = LogEntry.objects.annotate(text=Cast("changes", models.TextField())).filter(names)
    label = REMOVED_LABEL["ru"]
    for entry in entries:
        entry.changes = _replace(entry.changes, old_names, label)
        entry.changes_text = ""
        entry.object_repr = label if entry.object_repr in old_names else entry.object_repr
        entry.save(update_fields=["changes", "changes_text", "object_repr"])
    user_type = ContentType.objects.get_for_model(User)
    LogEntry.objects.filter(content_type=user_type, object_pk=str(user.pk)).update(
        object_repr=label, changes=None, changes_text=""
    )


def _remove_credentials(user) -> None:
    """The ways to act as the person: e-mail addresses, second factors, API tokens (`api` is a sibling
    app, so its model is named, not imported)."""
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    apps.get_model("api", "AccessToken").objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def _end_sessions(user_id: int, *, keep: str = "") -> None:
    """End every stored session of the account (one would fail its hash check anyway: the password changed)."""
    if settings.SESSION_ENGINE not in DATABASE_SESSION_ENGINES:
        return
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.session_key != keep and session.get_decoded().get("_auth_user_id") == str(user_id):
            store(session_key=session.session_key).delete()


def deletions_due_process(*, now=None) -> int:
    """Delete the accounts whose consent was withdrawn 30 days ago and not given again (a daily task).

    The last administrator is left (logged): their account needs an administrator's decision.
    """
    now = now or timezone.now()
    latest = ConsentEvent.objects.filter(user=models.OuterRef("pk")).order_by("-created_at", "-pk")
    due = (
        User.objects.exclude(email__endswith="@" + REMOVED_EMAIL_DOMAIN)
        .annotate(
            last_kind=models.Subquery(latest.values("kind")[:1]),
            last_at=models.Subquery(latest.values("created_at")[:1]),
        )
        .filter(last_kind=ConsentKind.WITHDRAWN, last_at__lte=now - WITHDRAWAL_DEADLINE)
    )
    deleted = 0
    for user in due:
        try:
            account_delete(user=user)
        except DeletionBlocked:
            continue
        deleted += 1
    return deleted
