"""The review pages under /review/: the queue, an application, decisions.

Applications are read through `MembershipApplication.objects.viewable_by(user)`: an administrator
reviews all, a coordinator their associations', and cluster staff read every association's without
deciding (`core.permissions.may_view_applications`): their pages show no decision, and a decision they
post answers 403. The applicant of an application may see it (in the cabinet) but not review it: 403;
anyone else: 404.
"""

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from associations.choices import overseen_association_choices
from associations.models import AssociationMembership
from core import exports, fragments, permissions, versioned_cache
from core.pagination import CountedPaginator, first_rows
from core.transitions import Refused

from .. import services
from ..filters import ReviewFilterSet, queue_columns, queue_export_rows
from ..forms import BulkDecisionForm, ReviewDecisionForm
from ..models import ApplicationStatus, MembershipApplication
from ..selectors import APPLICATION_GROUP, viewable_applications

QUEUE_PAGE_SIZE = 50


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    from_statuses: tuple
    comment_required: bool
    with_comment: bool
    comment_label: str
    done: str
    service: str


ACTIONS = {
    a.name: a
    for a in (
        Action(
            "take",
            gettext_lazy("Take into review"),
            (ApplicationStatus.SUBMITTED,),
            False,
            False,
            "",
            gettext_lazy("The application is assigned to you and in review."),
            "application_take_into_review",
        ),
        Action(
            "request-information",
            gettext_lazy("Request information"),
            (ApplicationStatus.IN_REVIEW,),
            True,
            True,
            gettext_lazy("Question for the applicant"),
            gettext_lazy("The applicant is asked for more information."),
            "application_request_information",
        ),
        Action(
            "approve",
            gettext_lazy("Approve"),
            (ApplicationStatus.IN_REVIEW,),
            False,
            True,
            gettext_lazy("Comment for the applicant"),
            gettext_lazy("The application is approved: the organisation is now a member."),
            "application_approve",
        ),
        Action(
            "reject",
            gettext_lazy("Reject"),
            (ApplicationStatus.IN_REVIEW,),
            True,
            True,
            gettext_lazy("Reason for the applicant"),
            gettext_lazy("The application is rejected; the applicant receives the reason."),
            "application_reject",
        ),
    )
}


def _get_viewable_application(request: HttpRequest, pk: int) -> MembershipApplication:
    """An application the user sees under /review/; 403 to its own applicant side, 404 to anyone else."""
    applications = MembershipApplication.objects.viewable_by(request.user).select_related(
        "organisation__region", "association", "assigned_to", "applicant"
    )
    try:
        return applications.get(pk=pk)
    except MembershipApplication.DoesNotExist:
        if MembershipApplication.objects.of_user(request.user).filter(pk=pk).exists():
            raise PermissionDenied from None
        raise Http404 from None


def _may_decide(request: HttpRequest, application: MembershipApplication) -> bool:
    return permissions.may_review_application(
        request.user, association_id=application.association_id, organisation_id=application.organisation_id
    )


def _get_reviewable_application(request: HttpRequest, pk: int) -> MembershipApplication:
    """An application the user decides on; 403 to those who may only read it (cluster staff)."""
    application = _get_viewable_application(request, pk)
    if not _may_decide(request, application):
        raise PermissionDenied
    return application


def _action_form(action: Action, data=None) -> ReviewDecisionForm:
    return ReviewDecisionForm(
        data,
        prefix=action.name,
        comment_required=action.comment_required,
        with_comment=action.with_comment,
        comment_label=action.comment_label,
    )


def _detail_context(application, *, can_decide: bool, forms=None) -> dict:
    forms = forms or {}
    actions = [
        (action, forms.get(action.name) or _action_form(action))
        for action in ACTIONS.values()
        if can_decide and application.status in action.from_statuses
    ]
    organisation = application.organisation
    return {
        "application": application,
        "organisation": organisation,
        "can_decide": can_decide,
        "actions": actions,
        "events": first_rows(application.events.select_related("actor")),
        "documents": application.documents.all(),  # at most ApplicationDocument.POLICY.max_count
        "other_applications": first_rows(
            organisation.applications.exclude(pk=application.pk)
            .exclude(status=ApplicationStatus.DRAFT)
            .select_related("association")
            .order_by("-created_at")
        ),
        "memberships": first_rows(
            AssociationMembership.objects.filter(organisation=organisation).select_related("association")
        ),
    }


# A row shows the application's organisation, association and region (their groups), and its
# status, waiting time and reviewer (in the key): drawn once, reused until one of them changes.
QUEUE_ROW_GROUPS = ("organisations", "associations", "references")
# What a row's key reads (the page's query, 50 rows), and what a row drawn reads besides (only for
# the rows not in the cache: an organisation's row is wide, and 200 objects a page cost 4 ms).
QUEUE_KEY_FIELDS = (
    "status",
    "status_changed_at",
    "assigned_to__email",
    "assigned_to__last_name",
    "assigned_to__first_name",
    "assigned_to__patronymic",
)
QUEUE_ROW_FIELDS = (
    *QUEUE_KEY_FIELDS,
    "organisation__short_name",
    "organisation__inn",
    "organisation__region__name",
    "organisation__region__name_en",
    "association__name",
    "association__name_en",
)


def waiting_step(since, now) -> str:
    """A token that changes whenever the row's waiting time in words (`elapsed`: two adjacent units,
    «5 часов, 3 минуты», «2 дня, 4 часа», «1 неделя, 2 дня») may change: the minute under a day, the
    hour under a week, beyond it the whole day of waiting and the date (a month of waiting may turn
    over at midnight, when the month is shorter than the day it started on). Cheaper than writing
    the words for every row to see whether they changed."""
    waited = (now - since).total_seconds()
    if waited < 7 * 86400:
        unit = 60 if waited < 86400 else 3600
        return str(int(waited // unit) * unit)
    return f"{int(waited // 86400)}d{now.date().toordinal()}"


def waiting_step_until(since, now):
    """The first moment after `now` at which `waiting_step(since, …)` may differ from its value now."""
    waited = (now - since).total_seconds()
    if waited < 7 * 86400:
        unit = 60 if waited < 86400 else 3600  # a day and a week are whole minutes and hours
        return since + timedelta(seconds=(int(waited // unit) + 1) * unit)
    next_day = since + timedelta(days=int(waited // 86400) + 1)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=now.tzinfo)
    return min(next_day, midnight)


def queue_rows(applications, *, can_decide: bool, complete) -> list:
    """[(application, its row's HTML)] for the queue's table (core/fragments.py). `applications` hold
    the key's fields (`QUEUE_KEY_FIELDS`); `complete` is the queryset the rows to draw are read from
    whole, by their ids (the same applications, scoped to the reader)."""
    now = timezone.now()

    def read_whole(missing: list) -> list:
        whole = complete.select_related("organisation__region", "association", "assigned_to")
        by_pk = whole.only(*QUEUE_ROW_FIELDS).order_by().in_bulk([application.pk for application in missing])
        return [by_pk.get(application.pk) for application in missing]  # None: gone meanwhile

    def key(application) -> str:
        reviewer = application.assigned_to.short_display_name if application.assigned_to_id else ""
        since = application.status_changed_at
        waiting = f"{since.timestamp()}:{waiting_step(since, now)}" if since else ""
        return f"{application.pk}:{application.status}:{waiting}:{reviewer}:{can_decide:d}"

    return fragments.rendered_each(
        applications,
        "applications/review/includes/_queue_row.html",
        as_name="application",
        groups=QUEUE_ROW_GROUPS,
        key=key,
        context={"can_decide": can_decide},
        complete=read_whole,
    )


# The filters' form is the same for every reader overseeing the same associations: kept per
# language, query (but the page) and those associations until an association or a reference changes.
FILTER_GROUPS = ("associations", "references")
FILTER_TIMEOUT = 300  # seconds: bounds what a bump lost while Redis was away leaves readable


def filters_html(filters: ReviewFilterSet, query: str) -> SafeString:
    """The queue's filters drawn (a form of six fields, 120 options: 5 ms a request otherwise)."""
    overseen = ",".join(str(pk) for pk, _name in overseen_association_choices(filters.request.user))
    digest = hashlib.blake2b(f"{overseen}|{query}".encode(), digest_size=16).hexdigest()
    html = versioned_cache.cached(
        f"review-filters:{get_language()}:{digest}",
        FILTER_GROUPS,
        lambda: render_to_string("applications/review/includes/_filters.html", {"form": filters.form}),
        FILTER_TIMEOUT,
    )
    return mark_safe(html)  # nosec B308 B703: a template's output


# The number of applications a filtered queue holds: the same on each of its pages, and until an
# application, the people behind it, an organisation or an association changes. Kept per reader (the
# applications of the organisations they represent are not theirs to review) and query but the page;
# counted every time when the waiting time is filtered, which changes as time passes.
COUNT_GROUPS = (APPLICATION_GROUP, "organisations", "associations")
COUNT_TIMEOUT = 300  # seconds: bounds what a bump lost while Redis was away leaves readable
QUEUE_GROUPS = tuple(dict.fromkeys((*COUNT_GROUPS, *FILTER_GROUPS, *QUEUE_ROW_GROUPS)))  # read ahead at once


def queue_count(filters: ReviewFilterSet, query: str) -> int:
    """How many applications the filtered queue holds (a COUNT over the reader's scope: 3 ms at 350k)."""
    if filters.form.is_valid() and filters.form.cleaned_data.get("age"):
        return filters.qs.count()
    digest = hashlib.blake2b(query.encode(), digest_size=16).hexdigest()
    name = f"review-count:{filters.request.user.pk}:{digest}"
    return versioned_cache.cached(name, COUNT_GROUPS, filters.qs.count, COUNT_TIMEOUT)


def _queue_filters(request: HttpRequest) -> tuple[ReviewFilterSet, bool]:
    """The queue's filters over the applications the user sees (the page and its export), and whether
    the user decides on applications or only reads them (cluster staff)."""
    can_decide = permissions.may_review(request.user)
    if not (can_decide or permissions.may_view_applications(request.user)):
        raise PermissionDenied
    filters = ReviewFilterSet(request.GET, queryset=viewable_applications(request.user), request=request)
    return filters, can_decide


# The queue's page below its heading: the same until an application, the people behind it, an
# organisation, an association or a reference changes, or a row's waiting time in words would
# change (`waiting_step_until`; a minute for an application that waits less than a day). Kept per
# reader (their scope), language and query; drawn every time when the waiting time is filtered,
# whose rows change as time passes.
QUEUE_PAGE_GROUPS = (APPLICATION_GROUP, "organisations", "associations", "references")
QUEUE_PAGE_TIMEOUT = 300  # seconds: bounds what a bump lost while Redis was away leaves readable


def _queue_body(request: HttpRequest, can_decide: bool) -> dict:
    """{"html": the page below its heading with a placeholder for the form token, "until": the
    moment (a timestamp) a row's waiting time in words changes}."""
    filters = ReviewFilterSet(request.GET, queryset=viewable_applications(request.user), request=request)
    applications = filters.qs.select_related(None).select_related("assigned_to").only(*QUEUE_KEY_FIELDS)
    query = request.GET.copy()
    query.pop("page", None)
    query = query.urlencode()
    count = queue_count(filters, query)
    page = CountedPaginator(applications, QUEUE_PAGE_SIZE, count=count).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = queue_rows(page.object_list, can_decide=can_decide, complete=viewable_applications(request.user))
    changes = [waiting_step_until(row.status_changed_at, now) for row, _html in rows if row.status_changed_at]
    until = min(changes, default=now + timedelta(seconds=QUEUE_PAGE_TIMEOUT))
    ctx = {
        "form": filters.form,
        "filters_html": filters_html(filters, query),
        "page": page,
        "rows": rows,
        "query": query,
        "can_decide": can_decide,
        "bulk_form": BulkDecisionForm() if can_decide else None,
        "can_export": True,
        "csrf_token": fragments.CSRF_PLACEHOLDER,
    }
    html = render_to_string("applications/review/includes/_queue_body.html", ctx)
    return {"html": html, "until": until.timestamp()}


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    can_decide = permissions.may_review(request.user)
    if not (can_decide or permissions.may_view_applications(request.user)):
        raise PermissionDenied
    versioned_cache.read_ahead(*QUEUE_GROUPS)
    if request.GET.get("age"):
        body = _queue_body(request, can_decide)
    else:
        digest = hashlib.blake2b(request.GET.urlencode().encode(), digest_size=16).hexdigest()
        body = versioned_cache.cached(
            f"review-page:{request.user.pk}:{get_language()}:{can_decide:d}:{digest}",
            QUEUE_PAGE_GROUPS,
            lambda: _queue_body(request, can_decide),
            QUEUE_PAGE_TIMEOUT,
            fresh=lambda body: time.time() < body["until"],
        )
    ctx = {"body": fragments.with_csrf_token(body["html"], request), "can_decide": can_decide}
    return render(request, "applications/review/queue.html", ctx)


@login_required
@require_GET
def review_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every application of the filtered queue (all pages, its order) as CSV or XLSX. With the status
    "All statuses" it is the list of all the applications the user sees."""
    fmt = exports.export_format(fmt)
    filters, _can_decide = _queue_filters(request)
    rows = queue_export_rows(filters.qs)
    return exports.export_response(fmt=fmt, name="applications", columns=queue_columns(), rows=rows)


@login_required
@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_viewable_application(request, pk)
    ctx = _detail_context(application, can_decide=_may_decide(request, application))
    return render(request, "applications/review/detail.html", ctx)


@login_required
@require_POST
def review_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    application = _get_reviewable_application(request, pk)
    if action not in ACTIONS:
        raise Http404
    spec = ACTIONS[action]
    form = _action_form(spec, request.POST)
    if not form.is_valid():
        ctx = _detail_context(application, can_decide=True, forms={action: form})
        return render(request, "applications/review/detail.html", ctx, status=400)
    try:
        getattr(services, spec.service)(application=application, reviewer=request.user, **form.cleaned_data)
    except Refused:
        application.refresh_from_db(fields=["status"])
        messages.error(
            request,
            _("Nothing was changed: the application is now “%(status)s”, which does not allow this step.")
            % {"status": application.get_status_display()},
        )
    else:
        messages.success(request, spec.done)
    return redirect("applications:review-detail", pk=application.pk)


@login_required
@require_POST
def review_bulk(request: HttpRequest) -> HttpResponse:
    if not permissions.may_review(request.user):
        raise PermissionDenied
    form = BulkDecisionForm(request.POST)
    query = QueryDict(request.POST.get("query", "")).urlencode()
    back = reverse("applications:review-queue") + (f"?{query}" if query else "")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    decided, not_decided = services.applications_bulk_decide(
        reviewer=request.user,
        application_ids=data["applications"],
        decision=data["decision"],
        comment=data["comment"],
        internal_note=data["internal_note"],
    )
    if decided:
        messages.success(request, _decided_message(len(decided)))
    for pk, application, reason in not_decided:
        name = application.organisation.short_name if application else f"#{pk}"
        messages.warning(request, _("Not decided: %(name)s — %(reason)s.") % {"name": name, "reason": reason})
    return redirect(back)


def _decided_message(count: int) -> str:
    return ngettext(
        "The decision is taken on %(count)s application.",
        "The decision is taken on %(count)s applications.",
        count,
    ) % {"count": count}
