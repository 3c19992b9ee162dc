from django.core.management.base import BaseCommand, CommandError

from prm.errors import ServiceError
from prm.money.ecb import RatesSourceError, load


class Command(BaseCommand):
    help = (
        "Load the European Central Bank's euro reference rates (eurofxref XML: the daily file or a historic one) "
        "from EXCHANGE_RATES_URL, another address or a file. Safe to run again: rates are inserted or updated."
    )

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--url", help="Address of an eurofxref XML file (default: the EXCHANGE_RATES_URL setting).")
        source.add_argument("--file", dest="path", metavar="PATH", help="A local eurofxref XML file.")

    def handle(self, *args, url=None, path=None, **options):
        try:
            result = load(url=url, path=path)
        except (RatesSourceError, ServiceError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Exchange rates of {len(result.dates)} day(s), {result.dates[0]} to {result.dates[-1]}: "
                f"{result.created} added, {result.changed} changed, {result.unchanged} unchanged."
            )
        )
