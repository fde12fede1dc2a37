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


def test_the_task_list_shows_times_and_the_name_in_the_viewers_language(client, superuser, vcenter):
    VSphereTask.objects.create(vcenter=vcenter, key="task-7", task_reference="task-7", name="打开虚拟机电源",
                               name_en="Power On virtual machine", status="success",
                               create_time=1_796_187_417, finish_time=1_796_187_422)
    client.force_login(superuser)
    english = client.get("/admin/vsphere/vspheretask/").content.decode()
    assert "2026-12-02 04:56:57" in english and "2026-12-02 04:57:02" in english  # epoch seconds, as UTC times
    assert "Power On virtual machine" in english and "打开虚拟机电源" not in english
    chinese = client.get("/admin/vsphere/vspheretask/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "打开虚拟机电源" in chinese
