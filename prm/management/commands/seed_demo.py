from django.core.management.base import BaseCommand

from prm.demo import DEMO_PASSWORD, seed_demo, seed_demo_scale


class Command(BaseCommand):
    help = "Load the demo program, partners, users and deal registrations (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            metavar="N",
            help="Also grow the deal registrations table to N rows with generated data (for benchmarks).",
        )

    def handle(self, *args, scale=None, **options):
        seed_demo()
        if scale:
            seed_demo_scale(scale, log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Password for every demo login: {DEMO_PASSWORD}"))
