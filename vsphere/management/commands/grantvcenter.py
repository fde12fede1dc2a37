"""``grantvcenter``: grant a registered vCenter to a tenant, or revoke the grant (``--revoke``)."""
import json

from django.core.management.base import BaseCommand, CommandError

from orchestration.models import Face, Tenant
from orchestration.services import audit
from vsphere.models import VCenter
from vsphere.services.vcenters import grant_vcenter, grants_summary, revoke_vcenter


class Command(BaseCommand):
    help = ('Grant a vCenter to a tenant (its members then see it and act on its VMs), or revoke it with '
            '--revoke, and print {"vsphere_uuid": …, "tenants": […], "changed": true|false}.')

    def add_arguments(self, parser):
        parser.add_argument("vsphere_uuid")
        parser.add_argument("--company-id", type=int, required=True, help="CompanyID of the tenant")
        parser.add_argument("--revoke", action="store_true", help="withdraw the grant instead")

    def handle(self, *args, vsphere_uuid: str, **opts):
        vcenter = VCenter.objects.filter(vsphere_uuid=vsphere_uuid).first()
        if vcenter is None:
            raise CommandError(f"no vCenter with vsphere_uuid {vsphere_uuid}")
        tenant = Tenant.objects.filter(pk=opts["company_id"]).first()
        if tenant is None:
            raise CommandError(f"no tenant with CompanyID {opts['company_id']}")
        changed = (revoke_vcenter if opts["revoke"] else grant_vcenter)(vcenter, tenant)
        audit.record(face=Face.SYSTEM, action="vcenter.revoke" if opts["revoke"] else "vcenter.grant", ok=True,
                     tenant_id=tenant.pk, object_type="vcenter", object_id=vcenter.pk)
        self.stdout.write(json.dumps({**grants_summary(vcenter), "changed": changed}))
