"""``addvcenter``: register a new platform vCenter (a second registration of one is refused)."""
import json

from django.core.management.base import BaseCommand, CommandError

from orchestration.errors import ServiceError
from orchestration.models import Face, Tenant
from orchestration.services import audit
from vsphere.services.faults import VSphereError
from vsphere.services.vcenters import grants_summary, register_vcenter


class Command(BaseCommand):
    help = ('Connect to a new vCenter, register it for the platform (optionally granted to one tenant) and print '
            '{"vsphere_uuid": …, "tenants": […]}. A vCenter already registered is refused: use grantvcenter.')

    def add_arguments(self, parser):
        parser.add_argument("--company-id", type=int, default=None,
                            help="CompanyID of a tenant to grant it to at once (more with grantvcenter)")
        parser.add_argument("--name", required=True)
        parser.add_argument("--host", required=True)
        parser.add_argument("--port", type=int, default=443)
        parser.add_argument("--user", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--region", default=None, help="RegionId; created if new")
        parser.add_argument("--protocol", choices=["https", "http"], default="https")
        parser.add_argument("--no-verify-tls", action="store_true", help="do not verify the TLS certificate")

    def handle(self, *args, **opts):
        tenant = None
        if opts["company_id"] is not None:
            tenant = Tenant.objects.filter(pk=opts["company_id"]).first()
            if tenant is None:
                raise CommandError(f"no tenant with CompanyID {opts['company_id']}")
        try:
            vcenter = register_vcenter(
                tenant=tenant, name=opts["name"], host=opts["host"], port=opts["port"], user=opts["user"],
                password=opts["password"], region_id=opts["region"], protocol=opts["protocol"],
                verify_tls=not opts["no_verify_tls"],
            )
        except VSphereError as exc:
            raise CommandError(f"cannot connect to {opts['host']}:{opts['port']}: {exc.message}")
        except ServiceError as exc:
            raise CommandError(exc.message)
        audit.record(face=Face.SYSTEM, action="vcenter.create", ok=True, object_type="vcenter", object_id=vcenter.pk)
        self.stdout.write(json.dumps(grants_summary(vcenter)))
