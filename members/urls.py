from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.home, name="home"),
    path("associations/", views.association_list, name="association-list"),
    path("associations/<slug:slug>/", views.association_detail, name="association-detail"),
]
