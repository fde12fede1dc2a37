from django.apps import AppConfig


class OrchestrationConfig(AppConfig):
    name = "orchestration"
    verbose_name = "Orchestration"

    def ready(self) -> None:
        from orchestration.engine import shutdown

        # Workers hand their leases back on SIGTERM, and qcluster stops within seconds.
        shutdown.install()
