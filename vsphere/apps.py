from django.apps import AppConfig


class VSphereConfig(AppConfig):
    name = "vsphere"
    verbose_name = "vSphere"
