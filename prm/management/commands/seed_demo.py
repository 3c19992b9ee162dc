from django.core.management.base import BaseCommand

from prm.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load the demo data of every app: program, partners, a user per role, deals and leads (safe to run again)."

    def handle(self, *args, **options):
        seed_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Password for every demo login: {DEMO_PASSWORD}"))
