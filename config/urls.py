from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from orchestration.api.errors import json_error_view

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("orchestration.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api-auth/", include("rest_framework.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]

handler404 = json_error_view(404, "not_found", "Not found.")
handler500 = json_error_view(500, "server_error", "The server failed to handle the request; it has been logged.")
