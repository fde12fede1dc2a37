"""Signature nonces already seen, so a signed request cannot be replayed.

A row per (access key, nonce); the unique constraint makes "first one wins" hold across
any number of web processes and machines. Schemes without a nonce (UCloud) store the
whole signature instead, prefixed ``signature:``. Rows older than the replay windows are
purged by :mod:`orchestration.faces.credentials`.
"""
from __future__ import annotations

from django.db import models


class SignatureNonce(models.Model):
    access_key_id = models.CharField(max_length=64)
    nonce = models.CharField(max_length=128)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["access_key_id", "nonce"], name="signature_nonce_unique_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.access_key_id}:{self.nonce}"
