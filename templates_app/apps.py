from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_builtins(sender, **kwargs) -> None:
    from templates_app.services.builtin import sync_builtin_templates

    sync_builtin_templates()


class TemplatesAppConfig(AppConfig):
    name = "templates_app"
    verbose_name = "Templates"

    def ready(self) -> None:
        # After migrate, so a fresh database (and the test database) has the built-ins.
        post_migrate.connect(_load_builtins, sender=self, dispatch_uid="templates_app.load_builtins")
