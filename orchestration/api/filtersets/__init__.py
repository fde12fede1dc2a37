from .tenancy import AccessKeyFilterSet, MembershipFilterSet, ProjectFilterSet, RegionFilterSet, TenantFilterSet

__all__ = ["AccessKeyFilterSet", "MembershipFilterSet", "ProjectFilterSet", "RegionFilterSet", "TenantFilterSet"]
