from django.urls import path

from . import views, views_cabinet, views_review

app_name = "members"

urlpatterns = [
    path("", views.home, name="home"),
    path("associations/", views.association_list, name="association-list"),
    path("associations/<slug:slug>/", views.association_detail, name="association-detail"),
    # The member directory (members/views.py); "organisation-detail" is the cabinet page.
    path("members/", views.directory, name="directory"),
    path("members/<int:pk>/", views.organisation_detail, name="directory-detail"),
    # Reviewing applications (members/views_review.py)
    path("review/", views_review.review_queue, name="review-queue"),
    path("review/bulk/", views_review.review_bulk, name="review-bulk"),
    path("review/applications/<int:pk>/", views_review.review_detail, name="review-detail"),
    path("review/applications/<int:pk>/<slug:action>/", views_review.review_action, name="review-action"),
    # The applicant side (members/views_cabinet.py)
    path("apply/", views_cabinet.apply, name="apply"),
    path("privacy/", views_cabinet.privacy_policy, name="privacy"),
    path("cabinet/", views_cabinet.cabinet, name="cabinet"),
    path("cabinet/organisations/new/", views_cabinet.organisation_create, name="organisation-create"),
    path("cabinet/organisations/<int:pk>/", views_cabinet.organisation_detail, name="organisation-detail"),
    path("cabinet/organisations/<int:pk>/edit/", views_cabinet.organisation_edit, name="organisation-edit"),
    path("cabinet/organisations/<int:pk>/invite/", views_cabinet.organisation_invite, name="organisation-invite"),
    path("cabinet/join-requests/new/", views_cabinet.join_request_create, name="join-request-create"),
    path(
        "cabinet/join-requests/<int:pk>/<slug:decision>/",
        views_cabinet.join_request_decide,
        name="join-request-decide",
    ),
    path("cabinet/invitations/<str:token>/", views_cabinet.invitation_accept, name="invitation-accept"),
    path("cabinet/applications/new/", views_cabinet.application_create, name="application-create"),
    path("cabinet/applications/<int:pk>/", views_cabinet.application_detail, name="application-detail"),
    path("cabinet/applications/<int:pk>/edit/", views_cabinet.application_edit, name="application-edit"),
    path("cabinet/applications/<int:pk>/submit/", views_cabinet.application_submit, name="application-submit"),
    path("cabinet/applications/<int:pk>/withdraw/", views_cabinet.application_withdraw, name="application-withdraw"),
    path("cabinet/applications/<int:pk>/respond/", views_cabinet.application_respond, name="application-respond"),
    path("cabinet/documents/<int:pk>/", views_cabinet.document_download, name="document-download"),
    path("cabinet/documents/<int:pk>/delete/", views_cabinet.document_delete, name="document-delete"),
]
