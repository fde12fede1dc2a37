import json

from django.core.management.base import BaseCommand, CommandError

from vsphere.models import VCenter
from vsphere.services.sync import sync_vcenter


class Command(BaseCommand):
    help = "Run one inventory and task sync of a vCenter now and print the summary as JSON."

    def add_arguments(self, parser):
        parser.add_argument("vsphere_uuid")

    def handle(self, *args, vsphere_uuid: str, **opts):
        vcenter = VCenter.objects.filter(vsphere_uuid=vsphere_uuid).first()
        if vcenter is None:
            raise CommandError(f"no vCenter with vsphere_uuid {vsphere_uuid}")
        summary = sync_vcenter(vcenter)
        self.stdout.write(json.dumps(summary, default=str))
        if not summary["ok"]:
            raise CommandError(summary["error"])
