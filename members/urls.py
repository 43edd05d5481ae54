from django.urls import path

from . import views, views_review

app_name = "members"

urlpatterns = [
    path("", views.home, name="home"),
    path("associations/", views.association_list, name="association-list"),
    path("associations/<slug:slug>/", views.association_detail, name="association-detail"),
    # Reviewing applications (members/views_review.py)
    path("review/", views_review.review_queue, name="review-queue"),
    path("review/bulk/", views_review.review_bulk, name="review-bulk"),
    path("review/applications/<int:pk>/", views_review.review_detail, name="review-detail"),
    path("review/applications/<int:pk>/<slug:action>/", views_review.review_action, name="review-action"),
]
