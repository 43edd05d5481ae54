from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("cabinet/notifications/", include("notifications.urls")),
    path("", include("pages.urls")),
    path("", include("associations.urls")),
    path("", include("members.urls")),
    path("", include("applications.urls")),
    path("projects/", include("projects.urls")),
]

admin.site.site_header = "Cluster Portal"
admin.site.site_title = "Cluster Portal"
