from django.core.management.base import BaseCommand

from orchestration.engine.ticker import run_forever


class Command(BaseCommand):
    help = (
        "Run the engine's due-time loop: queues executions whose wake-up is due (sleeps, retries, "
        "polls, expired leases) and fires timer triggers. Run one next to the qcluster workers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between looks (default 0.5)")

    def handle(self, *args, interval: float, **options):
        self.stdout.write(f"engine ticker running every {interval}s")
        run_forever(interval)
