from django.apps import AppConfig


class VSphereConfig(AppConfig):
    name = "vsphere"
    verbose_name = "vSphere"

    def ready(self) -> None:
        from vsphere import read_operations, signals  # noqa: F401  (registers read operations, connects signals)
