import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from analytics.services import rollup

MAX_DAYS = 20 * 366  # twenty years back at most


class Command(BaseCommand):
    help = "Rebuild the dashboards' daily figures of past days (by default the last three years, up to yesterday)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3 * 365, help="how many days back from yesterday")
        parser.add_argument("--since", help="first day (YYYY-MM-DD), instead of --days")
        parser.add_argument("--until", help="last day (YYYY-MM-DD), yesterday at most; yesterday by default")

    def handle(self, *args, **options):
        with timezone.override(timezone.get_default_timezone()):
            yesterday = timezone.localdate() - datetime.timedelta(days=1)
        try:
            until = datetime.date.fromisoformat(options["until"]) if options["until"] else yesterday
            since = (
                datetime.date.fromisoformat(options["since"])
                if options["since"]
                else until - datetime.timedelta(days=options["days"] - 1)
            )
        except ValueError as error:
            raise CommandError(f"Not a date: {error}") from None
        except OverflowError:
            raise CommandError("The span reaches past the calendar.") from None
        if not 1 <= options["days"] <= MAX_DAYS:
            raise CommandError(f"--days takes 1 to {MAX_DAYS} days.")
        if until > yesterday:
            raise CommandError("Today is read live: the last day is yesterday at most.")
        if since > until:
            raise CommandError("The span is empty.")
        run = rollup(since=since, until=until, trigger="backfill")
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(f"{run.rows} daily figures from {since} to {until} in {seconds:.1f} s.")
