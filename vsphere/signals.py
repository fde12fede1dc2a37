"""Keep each vCenter's django-q2 schedules in step with its row."""
from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from vsphere.models import VCenter
from vsphere.services import connection, schedules


@receiver(post_save, sender=VCenter, dispatch_uid="vsphere-vcenter-schedules")
def vcenter_saved(sender, instance: VCenter, **kwargs) -> None:
    schedules.ensure_schedules(instance)


@receiver(post_delete, sender=VCenter, dispatch_uid="vsphere-vcenter-deleted")
def vcenter_deleted(sender, instance: VCenter, **kwargs) -> None:
    schedules.remove_schedules(instance.pk)
    connection.drop(instance)
