"""Who signed a UCloud-style request, and whether it is a replay.

UCloud's signature is a SHA1 over the sorted parameters and the private key: no
timestamp, no nonce, and ``ucloud-sdk-python3`` signs the same form for the same call.
So a captured state-changing form could be sent again forever; instead its signature is
remembered (:func:`~orchestration.faces.credentials.remember_signature`) and an exact
copy is refused with RetCode 175 for ``settings.SIGNATURE_REPLAY_WINDOW_SECONDS``.
Reads (``actions.READ_ONLY``) are not remembered: repeating them changes nothing.
"""
from __future__ import annotations

from orchestration.faces import credentials
from orchestration.faces.credentials import Caller

from . import signing
from .actions import READ_ONLY
from .errors import UCloudError
from .params import UParams


def authenticate(action: str, params: UParams, flat: dict[str, str]) -> Caller:
    """The caller once ``Signature`` matches, the key's rate allows it and it is not a replay."""
    key_id = params.str("PublicKey")
    if not key_id:
        raise UCloudError(172, "Missing PublicKey")
    given = params.str("Signature")
    if not given:
        raise UCloudError(170, "Missing Signature")
    caller, secret = credentials.find_caller(key_id)
    if not signing.verify(flat, secret, given):
        raise UCloudError(171, "Signature VerifyAC Error: the Signature does not match the parameters "
                               "(sorted name+value pairs followed by the private key, SHA1)")
    credentials.accept(caller)
    if action not in READ_ONLY:
        credentials.remember_signature(caller.key.pk, given)
    return caller
