import json

from django.core.management.base import BaseCommand, CommandError

from orchestration.models import Project, Tenant
from orchestration.services import tenancy


class Command(BaseCommand):
    help = 'Create a project in a tenant and print {"ProjectID": …}.'

    def add_arguments(self, parser):
        parser.add_argument("--company-id", type=int, required=True)
        parser.add_argument("--name", required=True)

    def handle(self, *args, company_id: int, name: str, **options):
        tenant = Tenant.objects.filter(pk=company_id).first()
        if tenant is None:
            raise CommandError(f"no tenant with CompanyID {company_id}")
        if Project.objects.filter(tenant=tenant, name=name).exists():
            raise CommandError(f"tenant {company_id} already has a project named {name!r}")
        project = tenancy.create_project(tenant, name)
        self.stdout.write(json.dumps({"ProjectID": project.id, "Name": project.name, "CompanyID": tenant.id}))
