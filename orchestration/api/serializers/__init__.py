from .tenancy import (
    AccessKeyCreatedSerializer,
    AccessKeySerializer,
    MembershipSerializer,
    ProjectSerializer,
    RegionSerializer,
    TenantSerializer,
)

__all__ = [
    "AccessKeyCreatedSerializer",
    "AccessKeySerializer",
    "MembershipSerializer",
    "ProjectSerializer",
    "RegionSerializer",
    "TenantSerializer",
]
