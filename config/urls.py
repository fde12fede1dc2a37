from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from orchestration.api.errors import json_error_view
from orchestration.api.urls import routes as orchestration_routes
from orchestration.health import healthz, readyz
from orchestration.observability import metrics
from templates_app.api.urls import routes as templates_routes
from vsphere.api.native_urls import routes as vsphere_routes

# One router for the whole native API, so /api/v1/ lists every endpoint.
api_router = DefaultRouter()
for prefix, viewset, basename in [*orchestration_routes, *templates_routes]:
    api_router.register(prefix, viewset, basename=basename)
for prefix, viewset, basename in vsphere_routes:
    api_router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api-auth/", include("rest_framework.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("v1/vsphere/", include("vsphere.api.urls")),  # the vSphere task-list API
    path("console/", include("orchestration.console.urls")),
    path("", include("orchestration.faces.urls")),  # Alibaba/UCloud RPC at /, Baidu OOS
]

handler404 = json_error_view(404, "not_found", "Not found.")
handler500 = json_error_view(500, "server_error", "The server failed to handle the request; it has been logged.")
