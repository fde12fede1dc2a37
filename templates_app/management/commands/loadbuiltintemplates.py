import json

from django.core.management.base import BaseCommand

from templates_app.services.builtin import sync_builtin_templates


class Command(BaseCommand):
    help = "Create or update the built-in public templates; prints what happened to each."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(sync_builtin_templates()))
