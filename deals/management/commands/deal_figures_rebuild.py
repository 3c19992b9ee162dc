from django.core.management.base import BaseCommand

from deals.figures import rebuild


class Command(BaseCommand):
    help = (
        "Recompute the partners' deal figures from the registrations and install their triggers for the "
        "current TIME_ZONE (run it after a change of TIME_ZONE). Registrations cannot be written meanwhile."
    )

    def handle(self, *args, **options):
        rebuild()
        self.stdout.write(self.style.SUCCESS("Partner deal figures rebuilt."))
