from django.urls import path

from . import views

app_name = "associations"

urlpatterns = [
    path("members/", views.directory, name="directory"),
    path("members/export.<str:fmt>", views.directory_export, name="directory-export"),
]
