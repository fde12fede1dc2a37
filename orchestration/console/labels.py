"""Display labels for the stored wire values the console shows: statuses, power states.

The engine stores its statuses as English words (``Running``, ``Failed``…) because the
API faces send them as they are; the console translates only their display, here, and
leaves the values untouched (CSS classes, filters and links keep using the value).
Unknown values are shown as they are rather than hidden.
"""
from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Execution and task statuses (orchestration.models.ExecutionStatus / TaskStatus), plus
# the graph's "NotStarted" for a task that has no run yet.
STATUS: dict[str, str | Promise] = {
    "Started": pgettext_lazy("status", "Started"),
    "Queued": pgettext_lazy("status", "Queued"),
    "Running": pgettext_lazy("status", "Running"),
    "Waiting": pgettext_lazy("status", "Waiting"),
    "Success": pgettext_lazy("status", "Success"),
    "Failed": pgettext_lazy("status", "Failed"),
    "Cancelled": pgettext_lazy("status", "Cancelled"),
    "Pending": pgettext_lazy("status", "Pending"),
    "Skipped": pgettext_lazy("status", "Skipped"),
    "NotStarted": pgettext_lazy("status", "Not started"),
    "Total": pgettext_lazy("status", "Total"),  # the execution counters' sum
    # OrchTask statuses (orchestration.models.OrchTaskStatus) and per-resource results
    # (services.orchtask_runs.RESULTS, plus "NotRun" for a resource an earlier failure skipped).
    "Ready": pgettext_lazy("status", "Ready"),
    "Pausing": pgettext_lazy("status", "Pausing"),
    "Paused": pgettext_lazy("status", "Paused"),
    "Interrupted": pgettext_lazy("status", "Interrupted"),
    "NotRun": pgettext_lazy("status", "Not run"),
}

# vSphere task states (vsphere.models.TaskState) and vCenter sync outcomes (SyncStatus).
VSPHERE_TASK_STATE: dict[str, str | Promise] = {
    "queued": pgettext_lazy("vsphere task", "Queued"),
    "running": pgettext_lazy("vsphere task", "Running"),
    "success": pgettext_lazy("vsphere task", "Success"),
    "error": pgettext_lazy("vsphere task", "Error"),
}
SYNC_STATUS: dict[str, str | Promise] = {
    "never": _("Never synced"),
    "ok": pgettext_lazy("sync", "OK"),
    "error": pgettext_lazy("sync", "Error"),
}
POWER_STATE: dict[str, str | Promise] = {
    "poweredOn": _("Powered on"),
    "poweredOff": _("Powered off"),
    "suspended": _("Suspended"),
}
ENTITY_TYPE: dict[str, str | Promise] = {
    "Datacenter": _("Datacenter"),
    "ClusterComputeResource": _("Cluster"),
    "ComputeResource": _("Standalone host"),
    "HostSystem": _("Host"),
    "VirtualMachine": _("Virtual machine"),
    "Folder": _("Folder"),
    "Datastore": _("Datastore"),
    "ResourcePool": _("Resource pool"),
    "VirtualApp": _("vApp"),
}

# OrchTask operations (services.orchtasks.OPERATIONS), as their buttons read.
OPERATION: dict[str, str | Promise] = {
    "Execute": pgettext_lazy("orchtask operation", "Execute"),
    "Pause": pgettext_lazy("orchtask operation", "Pause"),
    "Resume": pgettext_lazy("orchtask operation", "Resume"),
    "Abort": pgettext_lazy("orchtask operation", "Abort"),
    "Retry": pgettext_lazy("orchtask operation", "Retry failed"),
    "Update": pgettext_lazy("orchtask operation", "Reset"),
}

# Execution options (orchestration.models Mode, LoopMode, SafetyCheck, Trigger), the
# Waiting reasons the engine sets (engine.endings._waiting_reason) and log types.
MODE: dict[str, str | Promise] = {
    "Automatic": _("Automatic"),
    "FailurePause": _("Pause on failure"),
    "Debug": _("Debug (step by step)"),
    "FirstBatchPause": _("Pause after the first batch"),
    "EveryBatchPause": _("Pause after every batch"),
    "ConfirmEveryHighRiskAction": _("Confirm every high-risk action"),
    "Skip": _("Skip"),
    "Manual": pgettext_lazy("trigger", "Manual"),
    "Timer": pgettext_lazy("trigger", "Timer"),
    "API": pgettext_lazy("trigger", "API"),
}
REASON: dict[str, str | Promise] = {
    "WaitingForApproval": _("Waiting for approval"),
    "FailurePaused": _("Paused after a failure"),
    "LoopBatchPaused": _("Loop paused between batches"),
    "WaitingForManualStart": _("Waiting for a manual start"),
    "WaitingForDebug": _("Waiting for the next debug step"),
    "Waiting": pgettext_lazy("status", "Waiting"),
}
LOG_TYPE: dict[str, str | Promise] = {
    "Execution": pgettext_lazy("log type", "Execution"),
    "TaskExecution": pgettext_lazy("log type", "Task"),
    "Action": pgettext_lazy("log type", "Action"),
    "Error": pgettext_lazy("log type", "Error"),
}

KINDS = {
    "mode": MODE,
    "reason": REASON,
    "log_type": LOG_TYPE,
    "operation": OPERATION,
    "status": STATUS,
    "vsphere_task": VSPHERE_TASK_STATE,
    "sync": SYNC_STATUS,
    "power": POWER_STATE,
    "entity": ENTITY_TYPE,
}


def label(value: str, kind: str = "status") -> str | Promise:
    """The translated display of ``value`` (a stored wire value), or the value itself."""
    return KINDS.get(kind, STATUS).get(value, value)


def choices(values, kind: str = "status") -> list[tuple[str, str | Promise]]:
    """``(value, translated label)`` pairs for a select, from model choices or plain values."""
    return [(v[0] if isinstance(v, tuple) else v, label(v[0] if isinstance(v, tuple) else v, kind)) for v in values]
