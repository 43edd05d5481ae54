from django.urls import path, re_path

from . import docs, views

app_name = "api"

urlpatterns = [
    path("v1/", views.Index.as_view(), name="index"),
    path("v1/regions/", views.RegionList.as_view(), name="region-list"),
    path("v1/directions/", views.DirectionList.as_view(), name="direction-list"),
    path("v1/associations/", views.AssociationList.as_view(), name="association-list"),
    path("v1/associations/<slug:slug>/", views.AssociationDetail.as_view(), name="association-detail"),
    path("v1/projects/", views.ProjectList.as_view(), name="project-list"),
    path("v1/projects/<slug:slug>/", views.ProjectDetail.as_view(), name="project-detail"),
    path("v1/organisations/", views.OrganisationList.as_view(), name="organisation-list"),
    path("v1/organisations/<int:pk>/", views.OrganisationDetail.as_view(), name="organisation-detail"),
    path(
        "v1/organisations/<int:pk>/memberships/",
        views.OrganisationMemberships.as_view(),
        name="organisation-memberships",
    ),
    path("v1/organisations/<int:pk>/projects/", views.OrganisationProjects.as_view(), name="organisation-projects"),
    path("v1/me/organisations/", views.OwnOrganisations.as_view(), name="own-organisations"),
    path("v1/me/applications/", views.OwnApplications.as_view(), name="own-applications"),
    path("v1/me/applications/<int:pk>/", views.OwnApplicationDetail.as_view(), name="own-application-detail"),
    path("v1/me/notifications/", views.OwnNotifications.as_view(), name="own-notifications"),
    path("v1/review/applications/", views.ReviewApplications.as_view(), name="review-applications"),
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.docs_page, name="docs"),
    re_path(r"^[\s\S]*$", views.NotFound.as_view(), name="not-found"),
]
