from django.urls import path

from . import views

app_name = "pages"

urlpatterns = [
    path("", views.home, name="home"),
    path("associations/", views.association_list, name="association-list"),
    path("associations/<slug:slug>/", views.association_detail, name="association-detail"),
    path("members/<int:pk>/", views.directory_detail, name="directory-detail"),
    path("cabinet/", views.cabinet, name="cabinet"),
    path("cabinet/organisations/<int:pk>/", views.organisation_detail, name="organisation-detail"),
]
