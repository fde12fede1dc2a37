"""Who signed a request: access-key lookup, clock skew, replay protection and the key's rate.

Shared by every signed face (Alibaba OOS, Baidu OOS, UCloud, …). Each face verifies its
own signature scheme with the secret found here, then acts as the key's owner within
the key's tenant. The errors below are face-neutral; every face maps them to its own
codes and envelope.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from orchestration import authorization
from orchestration.errors import InvalidParameter, ServiceError
from orchestration.faces import throttling
from orchestration.models import AccessKey, SignatureNonce, Tenant

# A signed request is accepted this far from the server's clock, either way.
MAX_CLOCK_SKEW = timedelta(minutes=15)
# Nonces are remembered long enough to cover every timestamp still accepted.
NONCE_TTL = 2 * MAX_CLOCK_SKEW
PURGE_EVERY_SECONDS = 60.0
MAX_NONCE_LENGTH = 128
# Remembered signatures share the nonce table, told apart from nonces by this prefix.
SIGNATURE_PREFIX = "signature:"


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


class SignatureReused(AuthenticationError):
    """An exact copy of a state-changing request already accepted within the replay window."""

    http_status = 400

    def __init__(self, window: timedelta):
        super().__init__(
            "This exact signed request was already accepted in the last "
            f"{int(window.total_seconds())} seconds and is refused as a replay; "
            "an intended repeat must differ in at least one parameter.",
            code="signature_reused",
        )


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
        return authorization.allows(self.user, self.tenant, scope)

    def require(self, scope: str) -> None:
        """Refuse unless the owner's role in the key's tenant grants ``scope``."""
        authorization.require(self.user, self.tenant, scope)


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
    """The key signed a request correctly: count it against the key's rate, then record the use.

    Raises :class:`~orchestration.faces.throttling.RateLimited` past ``settings.API_KEY_RATE``.
    Faces call this before remembering a nonce or signature, so a throttled request can be
    retried as it is.
    """
    throttling.count_request(caller.key.pk)
    caller.key.mark_used()


def check_clock(moment: datetime) -> None:
    """Refuse a signing time more than :data:`MAX_CLOCK_SKEW` from now."""
    if abs(timezone.now() - moment) > MAX_CLOCK_SKEW:
        raise RequestExpired(moment)


_last_purge = 0.0


def remember_nonce(key_id: str, nonce: str) -> None:
    """Store ``nonce`` for ``key_id``; raises :class:`NonceReused` if any process stored it before."""
    if not nonce or len(nonce) > MAX_NONCE_LENGTH:
        raise InvalidParameter("SignatureNonce", f"must be 1–{MAX_NONCE_LENGTH} characters")
    if not _first_use(key_id, nonce, NONCE_TTL):
        raise NonceReused(nonce)


def signature_window() -> timedelta:
    """How long an exact signature stays refused (``settings.SIGNATURE_REPLAY_WINDOW_SECONDS``)."""
    return timedelta(seconds=getattr(settings, "SIGNATURE_REPLAY_WINDOW_SECONDS", 900))


def remember_signature(key_id: str, signature: str) -> None:
    """Refuse a signature ``key_id`` already used within :func:`signature_window`.

    For schemes without nonce or timestamp (UCloud), where the signature alone tells a
    replay; raises :class:`SignatureReused`. After the window the same signature is
    accepted again: the scheme gives nothing that could tell an old copy from a new call.
    """
    window = signature_window()
    if not _first_use(key_id, SIGNATURE_PREFIX + signature.lower(), window):
        raise SignatureReused(window)


_last_purge = 0.0


def _first_use(key_id: str, token: str, window: timedelta) -> bool:
    """Store ``token`` for ``key_id``; False if stored within ``window`` (by any process).

    An older row for the same token is dropped first, so a token is refused for exactly
    its window even when the periodic purge has not run yet.
    """
    global _last_purge
    now = timezone.now()
    try:
        with transaction.atomic():
            SignatureNonce.objects.filter(access_key_id=key_id, nonce=token, seen_at__lt=now - window).delete()
            SignatureNonce.objects.create(access_key_id=key_id, nonce=token, seen_at=now)
    except IntegrityError:
        return False
    if time.monotonic() - _last_purge > PURGE_EVERY_SECONDS:
        _last_purge = time.monotonic()
        purge_nonces()
    return True


def purge_nonces() -> int:
    """Forget nonces and signatures older than every replay window; returns how many went."""
    keep = max(NONCE_TTL, signature_window())
    return SignatureNonce.objects.filter(seen_at__lt=timezone.now() - keep).delete()[0]
