from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="project-list"),
    path("new/", views.project_create, name="project-create"),
    path("export.<str:fmt>", views.project_export, name="project-export"),
    path("<slug:slug>/", views.project_detail, name="project-detail"),
    path("<slug:slug>/edit/", views.project_edit, name="project-edit"),
    path("<slug:slug>/stage/", views.project_change_stage, name="project-stage"),
    path("<slug:slug>/participants/add/", views.participant_add, name="participant-add"),
    path("<slug:slug>/participants/<int:pk>/remove/", views.participant_remove, name="participant-remove"),
    path("<slug:slug>/milestones/add/", views.milestone_edit, name="milestone-add"),
    path("<slug:slug>/milestones/<int:pk>/", views.milestone_edit, name="milestone-edit"),
    path("<slug:slug>/documents/add/", views.document_add, name="document-add"),
    path("<slug:slug>/documents/<int:pk>/", views.document_download, name="document-download"),
    path("<slug:slug>/participate/", views.participation_request, name="participation-request"),
    path("<slug:slug>/requests/<int:pk>/decide/", views.participation_decide, name="participation-decide"),
]
