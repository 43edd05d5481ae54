from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("privacy/", views.privacy_policy, name="privacy"),
    path("cabinet/profile/", views.profile, name="profile"),
]
