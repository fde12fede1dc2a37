"""Models of the orchestration app, split by domain."""
from .tags import ResourceTag
from .tenancy import AccessKey, Membership, Project, Region, Role, Scope, Tenant, TenantScopedQuerySet

__all__ = [
    "AccessKey",
    "Membership",
    "Project",
    "Region",
    "ResourceTag",
    "Role",
    "Scope",
    "Tenant",
    "TenantScopedQuerySet",
]
