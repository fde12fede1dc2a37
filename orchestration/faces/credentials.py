"""Who signed a request: access-key lookup, clock skew and replay protection.

Shared by every signed face (Alibaba OOS, Baidu OOS, UCloud, …). Each face verifies its
own signature scheme with the secret found here, then acts as the key's owner within
the key's tenant. The errors below are face-neutral; every face maps them to its own
codes and envelope.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from orchestration.errors import Forbidden, InvalidParameter, ServiceError
from orchestration.models import AccessKey, Scope, SignatureNonce, Tenant

# A signed request is accepted this far from the server's clock, either way.
MAX_CLOCK_SKEW = timedelta(minutes=15)
# Nonces are remembered long enough to cover every timestamp still accepted.
NONCE_TTL = 2 * MAX_CLOCK_SKEW
PURGE_EVERY_SECONDS = 60.0
MAX_NONCE_LENGTH = 128


class AuthenticationError(ServiceError):
    """The request could not be attributed to an enabled access key."""

    kind = "unauthenticated"
    http_status = 401


class UnknownAccessKey(AuthenticationError):
    http_status = 404

    def __init__(self, key_id: str):
        super().__init__(f"Specified access key {key_id!r} is not found.", code="unknown_key")


class DisabledAccessKey(AuthenticationError):
    """The key, its owner or its tenant is disabled."""

    http_status = 403

    def __init__(self, key_id: str, what: str):
        self.what = what
        super().__init__(f"Access key {key_id!r} cannot be used: {what} is disabled.", code="disabled_key")


class RequestExpired(AuthenticationError):
    http_status = 400

    def __init__(self, moment: datetime):
        super().__init__(
            f"The request timestamp {moment.strftime('%Y-%m-%dT%H:%M:%SZ')} is more than "
            f"{int(MAX_CLOCK_SKEW.total_seconds() // 60)} minutes away from the server time "
            f"{timezone.now().strftime('%Y-%m-%dT%H:%M:%SZ')}.",
            code="expired",
        )


class NonceReused(AuthenticationError):
    http_status = 400

    def __init__(self, nonce: str):
        super().__init__(f"Specified signature nonce {nonce!r} was used already.", code="nonce_reused")


@dataclass(frozen=True)
class Caller:
    """An authenticated signer: the key, the user it acts as, and the tenant it is bound to."""

    key: AccessKey
    user: object
    tenant: Tenant

    @property
    def username(self) -> str:
        return self.user.get_username()

    def can(self, scope: str) -> bool:
        return Tenant.objects.for_user(self.user, scope).filter(pk=self.tenant.pk).exists()

    def require(self, scope: str) -> None:
        """Refuse unless the owner's role in the key's tenant grants ``scope``."""
        if not self.can(scope):
            verb = {Scope.VIEW: "read", Scope.RUN: "run or change", Scope.MANAGE: "manage"}.get(scope, scope)
            raise Forbidden(
                f"User {self.username} may not {verb} objects of tenant {self.tenant.pk}.", code="Forbidden"
            )


def find_caller(key_id: str) -> tuple[Caller, str]:
    """The enabled key ``key_id`` as a :class:`Caller`, and its plaintext secret (to verify a signature)."""
    key = AccessKey.objects.select_related("owner", "tenant").filter(pk=key_id).first() if key_id else None
    if key is None:
        raise UnknownAccessKey(key_id)
    if not key.enabled:
        raise DisabledAccessKey(key_id, "the access key")
    if not key.owner.is_active:
        raise DisabledAccessKey(key_id, f"its owner {key.owner.get_username()}")
    if not key.tenant.enabled:
        raise DisabledAccessKey(key_id, f"its tenant {key.tenant.pk}")
    return Caller(key=key, user=key.owner, tenant=key.tenant), key.secret


def accept(caller: Caller) -> None:
    """Record that the key signed a request successfully."""
    caller.key.mark_used()


def check_clock(moment: datetime) -> None:
    """Refuse a signing time more than :data:`MAX_CLOCK_SKEW` from now."""
    if abs(timezone.now() - moment) > MAX_CLOCK_SKEW:
        raise RequestExpired(moment)


_last_purge = 0.0


def remember_nonce(key_id: str, nonce: str) -> None:
    """Store ``nonce`` for ``key_id``; raises :class:`NonceReused` if any process stored it before."""
    global _last_purge
    if not nonce or len(nonce) > MAX_NONCE_LENGTH:
        raise InvalidParameter("SignatureNonce", f"must be 1–{MAX_NONCE_LENGTH} characters")
    now = timezone.now()
    try:
        with transaction.atomic():
            SignatureNonce.objects.create(access_key_id=key_id, nonce=nonce, seen_at=now)
    except IntegrityError:
        raise NonceReused(nonce) from None
    if time.monotonic() - _last_purge > PURGE_EVERY_SECONDS:
        _last_purge = time.monotonic()
        purge_nonces()


def purge_nonces() -> int:
    """Forget nonces older than the replay window; returns how many went."""
    return SignatureNonce.objects.filter(seen_at__lt=timezone.now() - NONCE_TTL).delete()[0]
