from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("cabinet/organisations/new/", views.organisation_create, name="organisation-create"),
    path("cabinet/organisations/<int:pk>/edit/", views.organisation_edit, name="organisation-edit"),
    path("cabinet/organisations/<int:pk>/invite/", views.organisation_invite, name="organisation-invite"),
    path("cabinet/join-requests/new/", views.join_request_create, name="join-request-create"),
    path("cabinet/join-requests/<int:pk>/<slug:decision>/", views.join_request_decide, name="join-request-decide"),
    path("cabinet/invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
]
