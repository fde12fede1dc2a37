from django.apps import AppConfig


class VSphereConfig(AppConfig):
    name = "vsphere"
    verbose_name = "vSphere"

    def ready(self) -> None:
        from orchestration import event_stream
        from orchestration.engine.ticker import run_schedules_precisely
        from vsphere import read_operations, signals  # noqa: F401  (registers read operations, connects signals)
        from vsphere.actions import baidu_operators, guest, guest_files, select_targets, vm  # noqa: F401  (registers the actions)
        from vsphere.event_source import SOURCE
        from vsphere.services.schedules import TASK_SYNC_FUNC

        event_stream.register_source(SOURCE)

        # The default 10 s task sync needs the engine ticker's precision, not django-q2's ~30 s.
        run_schedules_precisely(TASK_SYNC_FUNC)
