from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts.security import mfa_continue

from . import security, views

# One sign-in for the whole site: /admin/login/ sends visitors to the portal's (allauth's) sign-in
# with `next`, so the admin gets its limits and two-factor; a signed-in non-staff user gets 403.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("csp-report/", security.csp_report, name="csp-report"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("accounts/2fa/continue/", mfa_continue, name="mfa-continue"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("cabinet/notifications/", include("notifications.urls")),
    path("cabinet/tokens/", include("api.cabinet_urls")),
    path("cabinet/privacy/", include("privacy.urls")),
    path("", include("pages.urls")),
    path("", include("associations.urls")),
    path("", include("members.urls")),
    path("", include("applications.urls")),
    path("projects/", include("projects.urls")),
    path("api/", include("api.urls")),
    path("", include("dashboard.urls")),
    path("history/", include("audit.urls")),
]

admin.site.site_header = "Cluster Portal"
# allauth's limits (sign-up, password reset) answer with the portal's 429 page.
handler429 = "core.ratelimit.handler429"
admin.site.site_title = "Cluster Portal"
handler500 = "cluster_portal.views.server_error"
