"""Direct pyVmomi access to the simulator for arranging test situations."""
from __future__ import annotations

from pyVmomi import vim

from vsphere.models import VCenter
from vsphere.services import connection


def si_of(vcenter: VCenter) -> vim.ServiceInstance:
    return connection.service_instance(vcenter)


def find_vm(vcenter: VCenter, name: str) -> vim.VirtualMachine:
    content = si_of(vcenter).content
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    try:
        for vm in view.view:
            if vm.name == name:
                return vm
    finally:
        view.Destroy()
    raise LookupError(name)


def power_cycle(vm: vim.VirtualMachine, times: int = 1) -> None:
    """Off/on pairs: each call returns a finished task in the simulator."""
    for _ in range(times):
        if vm.runtime.powerState == "poweredOn":
            vm.PowerOffVM_Task()
        vm.PowerOnVM_Task()
