import signal
import threading

from django.core.management.base import BaseCommand

from orchestration.engine.ticker import run_forever
from orchestration.heap import freeze_loaded


class Command(BaseCommand):
    help = (
        "Run the engine's due-time loop: queues executions whose wake-up is due (sleeps, retries, "
        "polls, expired leases) and fires timer triggers. Run one next to the qcluster workers. "
        "SIGTERM or SIGINT stops it after the current pass (it holds no leases)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between looks (default 0.5)")

    def handle(self, *args, interval: float, **options):
        stop = threading.Event()

        def request_stop(signum, frame):
            stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        self.stdout.write(f"engine ticker running every {interval}s", ending="\n")
        self.stdout.flush()
        freeze_loaded()  # the ticker's start-up objects stay out of the collector's full passes
        run_forever(interval, stop=stop)
        self.stdout.write("engine ticker stopped")
