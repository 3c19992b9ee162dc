from django.core.management.base import BaseCommand

from prm.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load the demo data of every app: program, partners, a user per role, deals and leads (safe to run again)."

    def handle(self, *args, **options):
        written = seed_demo()
        if written:
            self.stdout.write(f"{written} demo notifications are in the portal's bell; their e-mails were not sent.")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Password for every demo login: {DEMO_PASSWORD}"))
