import json

from django.core.management.base import BaseCommand, CommandError

from orchestration.models import Face, Role, Tenant
from orchestration.services import audit, tenancy


class Command(BaseCommand):
    help = (
        'Create an access key for a user in a tenant and print {"AccessKeyId": …, "AccessKeySecret": …}. '
        "Creates the user and the membership if missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--company-id", type=int, required=True)
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", choices=Role.values, default=Role.ADMIN)
        parser.add_argument("--description", default="")

    def handle(self, *args, company_id: int, username: str, role: str, description: str, **options):
        tenant = Tenant.objects.filter(pk=company_id).first()
        if tenant is None:
            raise CommandError(f"no tenant with CompanyID {company_id}")
        user = tenancy.ensure_member(tenant, username, role)
        issued = tenancy.issue_access_key(tenant, user, description)
        audit.record(face=Face.SYSTEM, action="accesskey.create", ok=True, tenant_id=tenant.pk,
                     object_type="accesskey", object_id=issued.key.pk)
        self.stdout.write(
            json.dumps({"AccessKeyId": issued.key.id, "AccessKeySecret": issued.secret, "CompanyID": tenant.id})
        )
