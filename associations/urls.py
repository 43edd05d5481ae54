from django.urls import path

from . import views

app_name = "associations"

urlpatterns = [
    path("members/", views.directory, name="directory"),
]
