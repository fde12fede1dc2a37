from .tenancy import AccessKeyViewSet, MembershipViewSet, ProjectViewSet, RegionViewSet, TenantViewSet

__all__ = ["AccessKeyViewSet", "MembershipViewSet", "ProjectViewSet", "RegionViewSet", "TenantViewSet"]
