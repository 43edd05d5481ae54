"""The daily digest that reminds reviewers of applications waiting too long."""

from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core import permissions
from notifications.services import notify

from ..models import PENDING_REVIEW_STATUSES, ApplicationStatus, MembershipApplication
from .notifications import application_reviewers, assigned_reviewer


def review_reminders_send(*, now=None) -> int:
    """One digest a day to each reviewer of the applications waiting longer than APPLICATION_REMINDER_AFTER.

    1. Applications submitted or in review whose status has not changed for that long.
    2. An application in review goes to its assigned reviewer; otherwise to the association's
       reviewers (coordinators, or the administrators when it has none).
    3. The notification's dedupe key (one per reviewer and day) keeps a second run the
       same day from sending again. Returns the number of digests written.
    """
    now = now or timezone.now()
    after = settings.APPLICATION_REMINDER_AFTER
    overdue = (
        MembershipApplication.objects.filter(status__in=PENDING_REVIEW_STATUSES, status_changed_at__lt=now - after)
        .select_related("organisation", "association")
        .order_by("status_changed_at", "pk")
    )
    reviewers_of_pair = {}
    by_reviewer = defaultdict(list)
    for application in overdue:
        assigned = assigned_reviewer(application) if application.status == ApplicationStatus.IN_REVIEW else None
        if assigned:
            reviewer_ids = [assigned.pk]
        else:
            # The reviewers depend on the organisation too: its own representatives are left out.
            pair = (application.association_id, application.organisation_id)
            if pair not in reviewers_of_pair:
                reviewers_of_pair[pair] = list(application_reviewers(application).values_list("pk", flat=True))
            reviewer_ids = reviewers_of_pair[pair]
        for reviewer_id in reviewer_ids:
            by_reviewer[reviewer_id].append(application)
    users = permissions.active_users().in_bulk(list(by_reviewer))
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
                "url": reverse("applications:review-detail", args=[a.pk]),
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
                    url=reverse("applications:review-queue"),
                    dedupe_key=key,
                )
        except IntegrityError:  # another run wrote today's digest at the same moment
            continue
        written += 1
    return written
