"""UCloud's request signature, as ``ucloud-sdk-python3`` computes it (``ucloud.core.auth``).

The parameters (every one but ``Signature``, ``PublicKey`` included), flattened the way
the SDK flattens them (``Steps.0``, ``Tag.Key``; booleans ``true``/``false``), sorted by
name and concatenated as name + value, followed by the private key; the signature is
the SHA1 hex digest of that UTF-8 string.
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Any


def encode_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value % 1 == 0 else str(value)
    return str(value)


def flatten(params: dict[str, Any]) -> dict[str, str]:
    """Nested JSON values as the SDK's form encoding names them."""
    flat: dict[str, str] = {}
    for key, value in params.items():
        if isinstance(value, dict):
            for sub, sub_value in flatten(value).items():
                flat[f"{key}.{sub}"] = sub_value
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    for sub, sub_value in flatten(item).items():
                        flat[f"{key}.{index}.{sub}"] = sub_value
                else:
                    flat[f"{key}.{index}"] = encode_value(item)
        else:
            flat[key] = encode_value(value)
    return flat


def signature(flat: dict[str, str], private_key: str) -> str:
    text = "".join(key + value for key, value in sorted(flat.items()) if key != "Signature") + private_key
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def verify(flat: dict[str, str], private_key: str, given: str) -> bool:
    return hmac.compare_digest(signature(flat, private_key), (given or "").lower())
