"""The admin's lists of synced vSphere rows show their vCenter by name, never decrypting its password."""
from __future__ import annotations

import pytest

from vsphere.models import VSphereTask

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/admin/vsphere/vspheretask/", "/admin/vsphere/vspheretask/?q=task",
                                 "/admin/vsphere/vsphereevent/", "/admin/vsphere/inventoryobject/"])
def test_synced_rows_are_listed_without_reading_the_vcenter_password(client, superuser, vcenter, settings, url):
    VSphereTask.objects.create(vcenter=vcenter, key="task-1", task_reference="task-1", name_en="Power on",
                               status="success", create_time=1)
    # The stored password is now unreadable (a rotated key): listing must not need it.
    settings.FIELD_ENCRYPTION_KEY = "a different key than the one the password was stored with"
    client.force_login(superuser)
    response = client.get(url)
    assert response.status_code == 200
    if "vspheretask" in url:
        assert f">{vcenter.name}<" in response.content.decode()  # the row's vCenter column
