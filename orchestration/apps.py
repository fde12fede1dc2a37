from django.apps import AppConfig


class OrchestrationConfig(AppConfig):
    name = "orchestration"
    verbose_name = "Orchestration"

    def ready(self) -> None:
        from django_q.signals import post_spawn

        from orchestration import heap
        from orchestration.actions import api_calls, control, read_calls, timer  # noqa: F401  (registers the built-in actions)
        from orchestration.engine import shutdown, ticker
        from orchestration.services import parameter_references

        # {{ oos:Name }} and {{ oos-secret:Name }} resolve from this tenant's parameter store.
        parameter_references.install()

        # Workers hand their leases back on SIGTERM, and qcluster stops within seconds.
        shutdown.install()
        # A sleeping ticker hears of a trigger or schedule saved with an earlier time.
        ticker.announce_due_times()
        # A worker's start-up objects stay out of the collector's full passes (see heap).
        post_spawn.connect(heap.on_worker_start, dispatch_uid="orchestration-worker-heap")
