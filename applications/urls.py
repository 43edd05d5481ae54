from django.urls import path

from .views import cabinet, review

app_name = "applications"

urlpatterns = [
    path("apply/", cabinet.apply, name="apply"),
    path("cabinet/applications/new/", cabinet.application_create, name="application-create"),
    path("cabinet/applications/<int:pk>/", cabinet.application_detail, name="application-detail"),
    path("cabinet/applications/<int:pk>/edit/", cabinet.application_edit, name="application-edit"),
    path("cabinet/applications/<int:pk>/submit/", cabinet.application_submit, name="application-submit"),
    path("cabinet/applications/<int:pk>/withdraw/", cabinet.application_withdraw, name="application-withdraw"),
    path("cabinet/applications/<int:pk>/respond/", cabinet.application_respond, name="application-respond"),
    path("cabinet/documents/<int:pk>/", cabinet.document_download, name="document-download"),
    path("cabinet/documents/<int:pk>/delete/", cabinet.document_delete, name="document-delete"),
    path("review/", review.review_queue, name="review-queue"),
    path("review/bulk/", review.review_bulk, name="review-bulk"),
    path("review/export.<str:fmt>", review.review_export, name="review-export"),
    path("review/applications/<int:pk>/", review.review_detail, name="review-detail"),
    path("review/applications/<int:pk>/<slug:action>/", review.review_action, name="review-action"),
]
