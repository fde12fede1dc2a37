import json

from django.core.management.base import BaseCommand, CommandError

from orchestration.models import Tenant
from orchestration.services import tenancy


class Command(BaseCommand):
    help = 'Create a tenant and print {"CompanyID": …, "Name": …}.'

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--email", default="")

    def handle(self, *args, name: str, email: str, **options):
        if Tenant.objects.filter(name=name).exists():
            raise CommandError(f"a tenant named {name!r} already exists")
        tenant = tenancy.create_tenant(name=name, email=email)
        self.stdout.write(json.dumps({"CompanyID": tenant.id, "Name": tenant.name}))
