"""Native API routes (``/api/v1/``). Other apps register their viewsets here too."""
from rest_framework.routers import DefaultRouter

from orchestration.api import views

router = DefaultRouter()
router.register("tenants", views.TenantViewSet)
router.register("projects", views.ProjectViewSet)
router.register("regions", views.RegionViewSet)
router.register("members", views.MembershipViewSet)
router.register("access-keys", views.AccessKeyViewSet)

urlpatterns = router.urls
