from django.urls import path

from . import cabinet

app_name = "api-tokens"

urlpatterns = [
    path("", cabinet.token_list, name="list"),
    path("<int:pk>/revoke/", cabinet.token_revoke_view, name="revoke"),
]
