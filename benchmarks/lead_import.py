"""CSV import of leads at scale: a generated file with good, bad and duplicate rows. See benchmarks/README.md."""

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings")
os.environ.setdefault("DEBUG", "true")

HEADER = (
    "contact_name,email,phone,company,company_size,industry,country,region,city,latitude,longitude,"
    "product_interest,rating,source,notes"
)
PLACES = [
    ("BR", "SP", "São Paulo", -23.55, -46.63),
    ("BR", "RJ", "Rio de Janeiro", -22.91, -43.17),
    ("FR", "Île-de-France", "Paris", 48.86, 2.35),
    ("FR", "Auvergne-Rhône-Alpes", "Lyon", 45.76, 4.84),
    ("US", "CA", "San Francisco", 37.77, -122.42),
    ("MX", "CDMX", "Ciudad de México", 19.43, -99.13),
    ("DE", "Bayern", "München", 48.14, 11.58),
]
PRODUCTS = ["Core Platform", "Analytics", "Security Suite"]
INDUSTRIES = ["manufacturing", "retail", "finance", "healthcare", "technology"]
SIZES = ["1-9", "10-49", "50-249", "250-999", "1000+"]
# Bad rows, one kind in turn: (what is wrong, a function of the row's values that breaks it).
BAD = [
    ("email", lambda v: v.update(email="not-an-email")),
    ("country", lambda v: v.update(country="XX")),
    ("product", lambda v: v.update(product_interest="Unknown product")),
    ("required", lambda v: v.update(company="")),
    ("rating", lambda v: v.update(rating="Z")),
]


def write_csv(path: Path, rows: int, bad_share: float, duplicate_share: float, existing: int, seed: int) -> dict:
    """The file: ``rows`` data rows, a share of them bad (each kind of BAD in turn), a share repeating
    an email of an earlier row of the file, and a share of the emails of the ``existing`` open leads."""
    rng = random.Random(seed)
    counts = {"bad": 0, "duplicate_in_file": 0, "duplicate_open": 0}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER.split(","))
        for index in range(rows):
            country, region, city, lat, lon = rng.choice(PLACES)
            values = {
                "contact_name": f"Contato {index}",
                "email": f"lead{index}@cliente{index % 7919}.example",
                "phone": f"+55 11 5555-{index % 10000:04d}",
                "company": f"Cliente {index % 7919} Ltda.",
                "company_size": rng.choice(SIZES),
                "industry": rng.choice(INDUSTRIES),
                "country": country,
                "region": region,
                "city": city,
                "latitude": f"{lat + rng.uniform(-0.5, 0.5):.5f}" if rng.random() < 0.4 else "",
                "longitude": "",
                "product_interest": rng.choice(PRODUCTS) if rng.random() < 0.7 else "",
                "rating": rng.choice("ABC"),
                "source": "trade show",
                "notes": "Visited the booth; asked for a demo." if rng.random() < 0.3 else "",
            }
            if values["latitude"]:
                values["longitude"] = f"{lon + rng.uniform(-0.5, 0.5):.5f}"
            roll = rng.random()
            if roll < bad_share:
                BAD[counts["bad"] % len(BAD)][1](values)
                counts["bad"] += 1
            elif roll < bad_share + duplicate_share and index > 0:
                earlier = rng.randrange(index)
                values["email"] = f"lead{earlier}@cliente{earlier % 7919}.example"
                counts["duplicate_in_file"] += 1
            elif roll < bad_share + 2 * duplicate_share and existing:
                values["email"] = f"open{rng.randrange(existing)}@existing.example"
                counts["duplicate_open"] += 1
            writer.writerow(values.values())
    return counts


def seed_database(existing: int):
    from catalogue.models import Product
    from leads.models import Lead, LeadStatus
    from partners.roles import StaffRole
    from tests import factories

    for name in PRODUCTS:
        Product.objects.create(name_en=name)
    user = factories.staff_user(StaffRole.MARKETING)
    Lead.objects.bulk_create(
        (
            Lead(
                status=LeadStatus.POOL,
                contact_name=f"Open {index}",
                email=f"open{index}@existing.example",
                company=f"Existing {index}",
                country="BR",
                rating="B",
                source="benchmark",
            )
            for index in range(existing)
        ),
        batch_size=10_000,
    )
    return user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000, help="data rows of the generated file")
    parser.add_argument("--bad", type=float, default=0.01, help="share of bad rows (default 1%%)")
    parser.add_argument("--duplicates", type=float, default=0.01, help="share of duplicate rows of each kind")
    parser.add_argument("--existing", type=int, default=10_000, help="open leads in the database beforehand")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    import django
    from django.conf import settings

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from benchmarks._database import throwaway_database

    media = tempfile.TemporaryDirectory(prefix="lead-import-bench-")
    settings.MEDIA_ROOT = media.name
    with media, throwaway_database():
        from leads import imports
        from leads.models import Lead, LeadImportState

        user = seed_database(args.existing)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        path = Path(media.name) / "generated.csv"
        counts = write_csv(path, args.rows, args.bad, args.duplicates, args.existing, args.seed)
        size = path.stat().st_size
        print(
            f"file: {args.rows:,} rows, {size / 1e6:.1f} MB — {counts['bad']:,} bad, {counts['duplicate_in_file']:,}"
            f" repeating an earlier row, {counts['duplicate_open']:,} of an open lead; {args.existing:,} open leads;"
            f" load average {os.getloadavg()[0]:.2f}"
        )
        started = time.perf_counter()
        upload = SimpleUploadedFile("leads.csv", path.read_bytes(), content_type="text/csv")
        job = imports.lead_import_start(actor=user, upload=upload)
        checked = time.perf_counter()
        job = imports.lead_import_run(job_id=job.pk)
        done = time.perf_counter()
        imported = Lead.objects.filter(source="trade show").count()
        print(
            f"upload check and storage: {checked - started:.2f} s; import run: {done - checked:.2f} s;"
            f" in all {done - started:.2f} s = {args.rows / (done - started):,.0f} rows/s"
        )
        print(
            f"job {job.get_state_display()}: {job.processed:,} rows processed, {job.imported:,} imported,"
            f" {job.failed:,} with errors, {job.duplicates:,} duplicates; load average {os.getloadavg()[0]:.2f}"
        )
        problems = []
        if job.state != LeadImportState.DONE:
            problems.append(f"the job ended {job.state}")
        if job.processed != args.rows or job.imported + job.failed + job.duplicates != args.rows:
            problems.append("processed rows and outcomes do not add up to the file")
        if imported != job.imported:
            problems.append(f"{imported:,} leads in the database, the job says {job.imported:,}")
        if job.failed != counts["bad"]:
            problems.append(f"{job.failed:,} rows with errors, {counts['bad']:,} bad rows written")
        report = sum(1 for _row in imports.error_report_rows(job)) - 1
        if report < job.failed:
            problems.append(f"the error report has {report:,} rows for {job.failed:,} failed rows")
        print(
            "verified: outcomes add up, bad rows reported" if not problems else "PROBLEMS:\n  " + "\n  ".join(problems)
        )
        if problems:
            sys.exit(1)


if __name__ == "__main__":
    main()
