"""Time the main pages at scale. See benchmarks/README.md."""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings")
os.environ.setdefault("DEBUG", "true")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--partners", type=int, default=500)
    parser.add_argument("--notifications", type=int, default=2000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks._database import throwaway_database

    with throwaway_database():
        call_command("seed_demo")
        from partners.models import Membership, Partner, Program
        from prm.accounts.models import User
        from prm.notifications.models import Notification

        program = Program.objects.get()
        Partner.objects.bulk_create(
            Partner(program=program, name=f"Bench partner {i:05d}", country="BR") for i in range(args.partners)
        )
        ana = User.objects.get(email="ana.admin@solaris.example")
        Notification.objects.bulk_create(
            Notification(recipient=ana, kind="account.token_created", dedupe_key=f"bench:{i}", params={"name": str(i)})
            for i in range(args.notifications)
        )
        users = {
            "partner admin": ana,
            "channel manager": User.objects.get(email="manager@vendor.example"),
        }
        pages = ["/", "/notifications/", "/api/v1/me/", "/api/v1/partners/?limit=50"]
        print(
            f"partners={Partner.objects.count()} memberships={Membership.objects.count()} "
            f"notifications={Notification.objects.count()}"
        )
        for label, user in users.items():
            client = Client()
            client.force_login(user)
            for page in pages:
                client.get(page)
                reset_queries()
                with CaptureQueriesContext(connection) as queries:
                    client.get(page)
                times = []
                for _ in range(20):
                    start = time.perf_counter()
                    response = client.get(page)
                    times.append((time.perf_counter() - start) * 1000)
                print(
                    f"{label:16} {page:28} {response.status_code} median {statistics.median(times):6.1f} ms "
                    f"queries {len(queries)}"
                )


if __name__ == "__main__":
    main()
