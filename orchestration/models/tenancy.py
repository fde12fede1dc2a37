"""Tenancy: tenants, projects, regions, memberships and access keys.

Every tenant-owned model uses :class:`TenantScopedQuerySet` and names the path to its
tenant in ``tenant_lookup``; ``Model.objects.for_user(user, scope)`` is the one and
only way views, admin classes and faces restrict rows to what a caller may see.
"""
from __future__ import annotations

import secrets
import string

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orchestration.encryption import EncryptedTextField


class Role(models.TextChoices):
    """Membership roles, from least to most privileged."""

    VIEWER = "viewer", _("Viewer")
    OPERATOR = "operator", _("Operator")
    ADMIN = "admin", _("Admin")


class Scope(models.TextChoices):
    """What a caller wants to do with rows: read them, run things on them, or manage them."""

    VIEW = "view"
    RUN = "run"
    MANAGE = "manage"


# The roles that grant each scope.
SCOPE_ROLES: dict[str, tuple[str, ...]] = {
    Scope.VIEW: (Role.VIEWER, Role.OPERATOR, Role.ADMIN),
    Scope.RUN: (Role.OPERATOR, Role.ADMIN),
    Scope.MANAGE: (Role.ADMIN,),
}


def is_platform_staff(user) -> bool:
    """Whether ``user`` belongs to the platform team (superusers).

    Platform staff own what spans tenants: vCenters and their service accounts, the
    grants of vCenters to tenants, and whether a tenant is enabled. Tenant roles never
    reach these, however high.
    """
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


def member_tenant_ids(user, scope: str) -> list[int]:
    """Ids of the enabled tenants in which ``user`` holds a role granting ``scope``.

    The ids themselves, not a subquery: ``tenant_id IN (7)`` lets the planner walk an index
    that leads with the tenant in the list's order; a semi-join would sort instead. Kept on
    the user object, as Django's ModelBackend keeps permissions (``_perm_cache``): a page
    asks for them once per panel, and a user object lives for one request.
    """
    cached = user.__dict__.setdefault("_tenant_ids_cache", {})
    if scope not in cached:
        cached[scope] = list(Membership.objects.filter(
            user=user, role__in=SCOPE_ROLES[scope], tenant__enabled=True
        ).values_list("tenant_id", flat=True).distinct())
    return cached[scope]


class TenantScopedQuerySet(models.QuerySet):
    """Rows restricted to the tenants in which a user holds a role granting ``scope``."""

    def for_user(self, user, scope: str = Scope.VIEW) -> TenantScopedQuerySet:
        """The rule of :func:`orchestration.authorization.allows`, as a filter."""
        if getattr(user, "is_system", False):  # orchestration.authorization.SYSTEM
            return self.all()
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(self.visible(member_tenant_ids(user, scope), scope))

    def visible(self, tenant_ids, scope: str) -> models.Q:
        """Rows of these tenants; querysets with rows shared beyond a tenant widen this."""
        return models.Q(**{f"{self.model.tenant_lookup}__in": tenant_ids})


def _new_project_id() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "org-" + "".join(secrets.choice(alphabet) for _ in range(6))


def _new_access_key_id() -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "AK" + "".join(secrets.choice(alphabet) for _ in range(22))


def new_access_key_secret() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(40))


class Tenant(models.Model):
    """A customer organisation; its primary key is the APIs' integer ``CompanyID``."""

    id = models.BigAutoField(primary_key=True, verbose_name="CompanyID")
    name = models.CharField(max_length=128, unique=True)
    email = models.EmailField(blank=True)
    enabled = models.BooleanField(default=True, db_index=True)
    allow_self_approval = models.BooleanField(
        default=True,
        verbose_name=_("members may approve their own executions"),
        help_text=_("Off: an approval step or high-risk action of an execution must be approved by someone "
                    "other than the member who started it (four-eyes rule)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    tenant_lookup = "pk"
    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"

    @property
    def company_id(self) -> int:
        return self.id


class Project(models.Model):
    """A group of resources inside a tenant (the APIs' ``ProjectID``, e.g. ``org-3fk2a1``)."""

    id = models.CharField(
        primary_key=True,
        max_length=32,
        default=_new_project_id,
        validators=[RegexValidator(r"^org-[a-z0-9]{1,28}$", "ProjectID looks like org-3fk2a1.")],
        verbose_name="ProjectID",
    )
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_lookup = "tenant"
    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="project_name_unique_per_tenant")]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


class Region(models.Model):
    """A location (``RegionId`` such as ``cn-bj2``) that vCenters are mapped to. Shared by all tenants."""

    id = models.CharField(
        primary_key=True,
        max_length=64,
        validators=[RegexValidator(r"^[a-z][a-z0-9-]{0,63}$", "RegionId uses lowercase letters, digits and '-'.")],
        verbose_name="RegionId",
    )
    alias = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.id} ({self.alias})" if self.alias else self.id


class Membership(models.Model):
    """A user's role in a tenant."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_lookup = "tenant"
    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "user_id"]
        constraints = [models.UniqueConstraint(fields=["user", "tenant"], name="membership_unique_user_tenant")]

    def __str__(self) -> str:
        return f"{self.user} in {self.tenant} as {self.role}"


class AccessKeyQuerySet(TenantScopedQuerySet):
    def for_user(self, user, scope: str = Scope.VIEW) -> AccessKeyQuerySet:
        """Tenant admins see every key of their tenants; other members only their own."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        managed = Membership.objects.filter(user=user, role=Role.ADMIN, tenant__enabled=True).values("tenant_id")
        member_of = Membership.objects.filter(user=user, tenant__enabled=True).values("tenant_id")
        return self.filter(models.Q(tenant__in=managed) | models.Q(owner=user, tenant__in=member_of))


class AccessKey(models.Model):
    """A key pair that signs requests on the cloud-compatible faces, acting as its owner.

    The secret is encrypted at rest and handed out once, when the key is created.
    """

    id = models.CharField(primary_key=True, max_length=64, default=_new_access_key_id, verbose_name="AccessKeyId")
    secret = EncryptedTextField(default=new_access_key_secret, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_keys")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="access_keys")
    description = models.CharField(max_length=200, blank=True)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    tenant_lookup = "tenant"
    objects = AccessKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.id

    def mark_used(self) -> None:
        """Record use without touching other columns (cheap enough for every signed call)."""
        now = timezone.now()
        AccessKey.objects.filter(pk=self.pk).update(last_used_at=now)
        self.last_used_at = now
