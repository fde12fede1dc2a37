from django.apps import AppConfig


class VSphereConfig(AppConfig):
    name = "vsphere"
    verbose_name = "vSphere"

    def ready(self) -> None:
        from vsphere import signals  # noqa: F401  (connects the schedule signals)
