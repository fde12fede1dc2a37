"""``ACS::VSphere::UploadFile`` and ``ACS::VSphere::DownloadFile``: files in and out of
the guest through VMware Tools (``InitiateFileTransferToGuest``/``FromGuest``), at most
:data:`FILE_LIMIT_BYTES` (1 MiB) each way; bigger files belong on a share, not in a
template. Permissions are set where the guest is POSIX (Windows ignores them); owners
are left to the guest user the credential logs in as.
"""
from __future__ import annotations

import base64
import binascii
from typing import Any

from orchestration.actions.registry import register
from orchestration.engine import results
from vsphere.services import guest_operations as guest
from vsphere.services.faults import VSphereError

from .base import vm_schema
from .guest import CREDENTIAL_PROPERTY, GuestAction

FILE_LIMIT_BYTES = 1024 * 1024
ENCODINGS = ("PlainText", "Base64")


class GuestFileAction(GuestAction):
    """Runs one transfer per selected VM inside ``start`` (bounded by the size limit)."""

    synchronous = False

    def transfer(self, ctx, vm, login: guest.GuestLogin) -> dict[str, Any]:
        raise NotImplementedError

    def start(self, ctx):
        try:
            login = self.login(ctx)
            vms = self.targets(ctx)
        except VSphereError as exc:
            return results.Failed(str(exc), retryable=False)
        if not vms:
            return results.Failed("No VM in the synced inventory matches the selection.", retryable=False)
        rows = []
        for vm in vms:
            row = {"VMId": vm.moref, "Name": vm.name, "VCenterId": vm.vcenter.vsphere_uuid}
            try:
                row.update(self.transfer(ctx, vm, login), State="success")
            except VSphereError as exc:
                row.update(State="error", Error=str(exc))
            rows.append(row)
        ctx.state["ops"] = rows
        failed = [row for row in rows if row["State"] == "error"]
        if failed:
            reasons = "; ".join(f"{row['Name']} ({row['VMId']}): {row['Error']}" for row in failed)
            return results.Failed(f"{len(failed)} of {len(rows)} VM(s) failed: {reasons}")
        out: dict[str, Any] = {"Files": rows}
        if len(rows) == 1:
            out.update(rows[0])
        return results.Done(out)

    def cancel(self, ctx):
        """Transfers finish inside ``start``: there is nothing left to stop."""


@register
class UploadFile(GuestFileAction):
    name = "ACS::VSphere::UploadFile"
    description = "Writes a file (at most 1 MiB, text or Base64) into each selected VM through VMware Tools."
    api = "UploadFile"
    risk = "High"  # can replace any file the guest user may write
    permissions = ("vsphere:UploadFile",)
    popularity = 60
    properties_schema = vm_schema({
        "GuestPath": {"type": "string", "minLength": 1, "description": "Absolute path of the file in the guest."},
        "Content": {"type": "string", "maxLength": 2 * FILE_LIMIT_BYTES,
                    "description": "The file's content (at most 1 MiB once decoded)."},
        "ContentEncoding": {"type": "string", "enum": list(ENCODINGS), "default": "PlainText"},
        "Overwrite": {"type": "boolean", "default": True},
        "Permissions": {"type": "string", "pattern": "^0?[0-7]{3,4}$",
                        "description": "POSIX mode such as 0644 (ignored by Windows guests)."},
        "GuestCredential": CREDENTIAL_PROPERTY,
    }, required=("GuestPath", "Content", "GuestCredential"))

    def start(self, ctx):
        try:
            ctx.state["data"] = len(self.content(ctx.properties))
        except VSphereError as exc:
            return results.Failed(str(exc), retryable=False)
        return super().start(ctx)

    @staticmethod
    def content(properties: dict[str, Any]) -> bytes:
        text = properties.get("Content", "")
        if properties.get("ContentEncoding") == "Base64":
            try:
                data = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                raise VSphereError("Content is not valid Base64") from None
        else:
            data = text.encode()
        if len(data) > FILE_LIMIT_BYTES:
            raise VSphereError(f"the file is {len(data)} bytes; UploadFile takes at most {FILE_LIMIT_BYTES} bytes")
        return data

    def transfer(self, ctx, vm, login):
        data = self.content(ctx.properties)
        mode = ctx.properties.get("Permissions")
        guest.upload(vm.vcenter, vm.moref, login, ctx.properties["GuestPath"], data,
                     overwrite=ctx.properties.get("Overwrite", True), permissions=int(mode, 8) if mode else None)
        return {"GuestPath": ctx.properties["GuestPath"], "Size": len(data)}


@register
class DownloadFile(GuestFileAction):
    name = "ACS::VSphere::DownloadFile"
    description = "Reads a file (at most 1 MiB) from each selected VM through VMware Tools; its content is an output."
    api = "DownloadFile"
    risk = "Medium"
    permissions = ("vsphere:DownloadFile",)
    popularity = 55
    properties_schema = vm_schema({
        "GuestPath": {"type": "string", "minLength": 1, "description": "Absolute path of the file in the guest."},
        "ContentEncoding": {"type": "string", "enum": list(ENCODINGS), "default": "PlainText",
                            "description": "PlainText (UTF-8) or Base64 (any bytes)."},
        "GuestCredential": CREDENTIAL_PROPERTY,
    }, required=("GuestPath", "GuestCredential"))

    def transfer(self, ctx, vm, login):
        path = ctx.properties["GuestPath"]
        got = guest.download(vm.vcenter, vm.moref, login, path, limit=FILE_LIMIT_BYTES)
        if got.truncated:
            raise VSphereError(f"{path} is {got.size} bytes; DownloadFile reads at most {FILE_LIMIT_BYTES} bytes")
        if ctx.properties.get("ContentEncoding") == "Base64":
            content = base64.b64encode(got.data).decode()
        else:
            try:
                content = got.data.decode("utf-8")
            except UnicodeDecodeError:
                raise VSphereError(f"{path} is not UTF-8 text; download it with ContentEncoding Base64") from None
        return {"GuestPath": path, "Size": len(got.data), "Content": content}
