"""The CSV import of leads: checks on upload, batched processing, duplicates, the error report, the
staff pages with their progress, the API, resuming after a crash and who may do it."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalogue.models import Product
from leads import imports
from leads.imports import jobs, parsing
from leads.models import AssignmentRule, Lead, LeadImport, LeadImportState, LeadStatus
from leads.tasks import lead_import_process
from partners.roles import StaffRole
from prm.errors import ServiceError
from tests import factories

HEADER = "contact_name,email,phone,company,company_size,industry,country,region,city,latitude,longitude,product_interest,rating,source,notes"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def marketing(db, mfa):
    user = factories.staff_user(StaffRole.MARKETING)
    mfa(user)
    return user


@pytest.fixture
def staff_client(client, marketing):
    client.force_login(marketing)
    return client


def upload(content, name="leads.csv"):
    if isinstance(content, str):
        content = content.encode()
    return SimpleUploadedFile(name, content, content_type="text/csv")


def lines(*rows, header=HEADER):
    return "\n".join([header, *rows]) + "\n"


def row(email, company="Cliente Ltda.", country="BR", name="Maria Souza", product="", **extra):
    values = {
        "contact_name": name,
        "email": email,
        "phone": "+55 11 5555-0000",
        "company": company,
        "company_size": extra.get("company_size", "50-249"),
        "industry": extra.get("industry", "retail"),
        "country": country,
        "region": "SP",
        "city": "São Paulo",
        "latitude": extra.get("latitude", ""),
        "longitude": extra.get("longitude", ""),
        "product_interest": product,
        "rating": extra.get("rating", "A"),
        "source": "webinar",
        "notes": extra.get("notes", ""),
    }
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(values.values())
    return out.getvalue()


def run(job, **kwargs):
    return imports.lead_import_run(job_id=job.pk, **kwargs)


def stored_files(settings):
    root = settings.MEDIA_ROOT / "lead-imports"
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# --- Rows ---------------------------------------------------------------------------------------


def test_good_bad_and_duplicate_rows(marketing, settings):
    cloud = Product.objects.create(name_en="Cloud")
    edge = Product.objects.create(name_en="Edge")
    Lead.objects.create(
        contact_name="Open",
        email="open@lead.example",
        company="Open Co",
        country="BR",
    )
    Lead.objects.create(
        contact_name="Lost",
        email="lost@lead.example",
        company="Lost Co",
        country="BR",
        status=LeadStatus.LOST,
        partner=factories.PartnerFactory(),
    )
    content = lines(
        row("good@one.example", product="cloud"),  # 2: product by name, any case
        row("good@two.example", product=str(edge.pk), latitude="-23.5", longitude="-46.6"),  # 3: by id
        row("not-an-email"),  # 4
        row("x@three.example", country="ZZ"),  # 5
        row("x@four.example", company=""),  # 6
        row("GOOD@one.example"),  # 7: duplicate of row 2
        row("open@lead.example"),  # 8: duplicate of an open lead
        row("lost@lead.example"),  # 9: the lost lead is closed: imported
        row("x@five.example", product="Unknown product"),  # 10
        row("x@six.example", rating="Z"),  # 11
        "",  # 12: a blank line is ignored
        row("x@seven.example", latitude="12"),  # 13: latitude without longitude
        row("good@three.example", industry="Retail", company_size="1-9"),  # 14: industry by its name
    )
    job = imports.lead_import_start(actor=marketing, upload=upload(content))
    assert job.total_rows == 12 and job.state == LeadImportState.QUEUED
    assert len(stored_files(settings)) == 1

    job = run(job)

    assert job.state == LeadImportState.DONE
    assert (job.processed, job.imported, job.duplicates, job.failed) == (12, 4, 2, 6)
    imported = Lead.objects.filter(created_by=marketing).order_by("pk")
    assert [lead.email for lead in imported] == [
        "good@one.example",
        "good@two.example",
        "lost@lead.example",
        "good@three.example",
    ]
    assert all(lead.status == LeadStatus.POOL and lead.partner_id is None for lead in imported)
    assert imported[0].product == cloud and imported[1].product == edge
    assert imported[1].latitude == -23.5 and imported[3].industry == "retail"
    errors = [(e.row, e.column, e.value, e.message) for e in job.errors.order_by("row")]
    assert errors == [
        (4, "email", "not-an-email", "Enter a valid email address."),
        (5, "country", "ZZ", "Choose the country from the list."),
        (6, "company", "", "Enter the company."),
        (7, "email", "good@one.example", "Duplicate of row 2 of this file."),
        (8, "email", "open@lead.example", "An open lead with this email already exists."),
        (10, "product_interest", "Unknown product", "Choose a product from the catalogue."),
        (11, "rating", "Z", "Choose a rating: A, B or C."),
        (13, "latitude", "12", "Give both the latitude and the longitude, or neither."),
    ]


def test_a_second_run_of_a_finished_job_changes_nothing(marketing):
    job = imports.lead_import_start(actor=marketing, upload=upload(lines(row("a@b.example"))))
    run(job)
    assert run(job).imported == 1
    lead_import_process(job.pk)
    assert Lead.objects.count() == 1


def test_bom_semicolons_and_aliases_are_accepted(marketing):
    content = (
        "\ufeffContact name;E-mail;Company;Country;Region/State;Product interest\nAna;ana@x.example;X SA;fr;IDF;\n"
    )
    job = run(imports.lead_import_start(actor=marketing, upload=upload(content.encode("utf-8"))))
    assert (job.imported, job.failed) == (1, 0)
    lead = Lead.objects.get()
    assert (lead.contact_name, lead.country, lead.region) == ("Ana", "FR", "IDF")


def test_a_row_longer_than_the_header_is_an_error(marketing):
    content = "contact_name,email,company,country\nAna,ana@x.example,X,BR,extra\nBia,bia@x.example,Y,BR\n"
    job = run(imports.lead_import_start(actor=marketing, upload=upload(content)))
    assert (job.imported, job.failed) == (1, 1)
    assert job.errors.get().message == "This row has more values than the header has columns."


# --- Refused files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not UTF-8 text"),
        ("contact_name,email,company,country\nJosé,j@x.example,Café,BR\n".encode("latin-1"), "not UTF-8 text"),
        (b"contact_name,email,company,country\nAna,a@x.example,X\x00,BR\n", "not UTF-8 text"),
        (b"", "The file is empty."),
        (b"contact_name,company,country\nAna,X,BR\n", "lacks these columns: email"),
        (b"contact_name,email,company,country,budget\nAna,a@x.example,X,BR,1\n", "not known: budget"),
        (b"contact_name,email,email,company,country\n", "appears twice"),
        (HEADER.encode() + b"\n\n", "no rows of leads"),
    ],
)
def test_files_are_checked_by_content_and_nothing_is_stored(marketing, settings, content, message):
    with pytest.raises(ServiceError) as refused:
        imports.lead_import_start(actor=marketing, upload=upload(content))
    assert message in str(refused.value.message)
    assert refused.value.field == "file"
    assert not LeadImport.objects.exists()
    assert not stored_files(settings)


def test_a_file_over_the_size_cap_is_refused(marketing, monkeypatch):
    monkeypatch.setattr(parsing, "MAX_BYTES", 100)
    with pytest.raises(ServiceError, match="larger than"):
        imports.lead_import_start(actor=marketing, upload=upload(lines(row("a@b.example"), row("c@d.example"))))
    assert not LeadImport.objects.exists()


def test_the_page_shows_why_a_file_is_refused(staff_client, settings):
    response = staff_client.post(reverse("staff_lead_import"), {"file": upload(b"\xff\xfe\x00b\x00i\x00n")})
    assert response.status_code == 400
    assert "not UTF-8 text" in response.content.decode()
    assert not LeadImport.objects.exists() and not stored_files(settings)


# --- Batches, crashes and concurrency -------------------------------------------------------------


def test_a_5000_row_file_imports_in_batches_of_2000(marketing, monkeypatch, django_assert_max_num_queries):
    content = lines(*(row(f"lead{n}@bulk.example", company=f"Company {n}") for n in range(5000)))
    job = imports.lead_import_start(actor=marketing, upload=upload(content))
    batches = []
    original = jobs._import_batch

    def spy(run_, batch, *, offset):
        batches.append((offset, len(batch)))
        return original(run_, batch, offset=offset)

    monkeypatch.setattr(jobs, "_import_batch", spy)
    progress = []
    original_save = LeadImport.save

    def watch(self, *args, **kwargs):
        if "processed" in (kwargs.get("update_fields") or ()):
            progress.append(self.processed)
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(LeadImport, "save", watch)
    with django_assert_max_num_queries(60):  # constant per batch, not per row
        job = run(job)
    assert batches == [(0, 2000), (2000, 2000), (4000, 1000)]
    assert progress == [2000, 4000, 5000]  # one progress update per batch
    assert (job.state, job.imported, job.failed) == (LeadImportState.DONE, 5000, 0)
    assert Lead.objects.count() == 5000


def test_a_crash_mid_file_resumes_after_the_last_committed_batch(marketing, monkeypatch):
    content = lines(*(row(f"lead{n}@crash.example") for n in range(25)), row("lead3@crash.example"))
    job = imports.lead_import_start(actor=marketing, upload=upload(content))
    original = jobs._import_batch
    calls = []

    def crash_on_third(run_, batch, *, offset):
        calls.append(offset)
        if len(calls) == 3:
            raise SystemExit("worker killed")
        return original(run_, batch, offset=offset)

    monkeypatch.setattr(jobs, "_import_batch", crash_on_third)
    with pytest.raises(SystemExit):
        run(job, batch_size=10)
    job.refresh_from_db()
    assert (job.state, job.processed, job.imported) == (LeadImportState.RUNNING, 20, 20)
    # A live run is not taken over...
    assert run(job, batch_size=10).processed == 20
    # ...a stale one is, by the resume sweep's task.
    monkeypatch.setattr(jobs, "_import_batch", original)
    LeadImport.objects.filter(pk=job.pk).update(updated_at=job.updated_at - imports.STALE_AFTER * 2)
    queued = []
    monkeypatch.setattr(jobs, "enqueue", queued.append)
    assert imports.lead_imports_resume() == 1 and queued == [job.pk]
    job = run(job, batch_size=10)
    assert (job.state, job.runs, job.processed, job.imported, job.duplicates) == (LeadImportState.DONE, 2, 26, 25, 1)
    assert Lead.objects.count() == 25


def test_a_job_that_keeps_stopping_fails_visibly(marketing, staff_client):
    job = imports.lead_import_start(actor=marketing, upload=upload(lines(row("a@b.example"))))
    LeadImport.objects.filter(pk=job.pk).update(state=LeadImportState.RUNNING, runs=imports.MAX_RUNS)
    LeadImport.objects.filter(pk=job.pk).update(updated_at=job.updated_at - imports.STALE_AFTER * 2)
    job = run(job)
    assert job.state == LeadImportState.FAILED and "stopped 3 times" in job.error
    page = staff_client.get(reverse("staff_lead_import_detail", args=[job.pk])).content.decode()
    assert "The import stopped" in page and "the rest were not imported" in page


def test_a_missing_file_fails_the_job(marketing):
    job = imports.lead_import_start(actor=marketing, upload=upload(lines(row("a@b.example"))))
    job.file.delete(save=False)
    job = run(job)
    assert job.state == LeadImportState.FAILED and job.error == "The uploaded file is missing."


# --- Assignment -----------------------------------------------------------------------------------


def test_assign_needs_the_right_to_assign(marketing):
    with pytest.raises(ServiceError, match="may not assign"):
        imports.lead_import_start(actor=marketing, upload=upload(lines(row("a@b.example"))), assign=True)
    assert not LeadImport.objects.exists()


def test_the_imported_leads_are_offered_by_the_rules_when_asked(world):
    manager = world["channel_manager"]
    AssignmentRule.objects.create(name="Everything", order=1)
    content = lines(row("a@b.example"), row("c@d.example"))
    job = run(imports.lead_import_start(actor=manager, upload=upload(content), assign=True))
    assert (job.imported, job.assigned) == (2, 2)
    assert set(Lead.objects.values_list("status", flat=True)) == {LeadStatus.OFFERED}


# --- Pages ----------------------------------------------------------------------------------------


def test_upload_page_job_page_progress_and_error_report(staff_client, marketing):
    page = staff_client.get(reverse("staff_lead_import"))
    assert page.status_code == 200
    body = page.content.decode()
    for column in imports.COLUMNS:
        assert f"<code>{column}</code>" in body
    assert 'name="assign"' not in body  # channel marketing does not assign leads

    content = lines(row("good@x.example"), row("bad-email"), row("=HYPERLINK(1)@x"))
    response = staff_client.post(reverse("staff_lead_import"), {"file": upload(content)})
    job = LeadImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("staff_lead_import_detail", args=[job.pk])
    assert job.created_by == marketing

    progress_url = reverse("staff_lead_import_progress", args=[job.pk])
    queued = staff_client.get(reverse("staff_lead_import_detail", args=[job.pk])).content.decode()
    assert f'hx-get="{progress_url}"' in queued and 'hx-trigger="every 2s"' in queued
    assert "0 of 3 rows" in queued

    lead_import_process(job.pk)
    fragment = staff_client.get(progress_url)
    assert fragment.status_code == 200 and "no-cache" in fragment["Cache-Control"]
    text = fragment.content.decode()
    assert "hx-get" not in text  # finished: the polling stops
    assert 'aria-valuenow="100"' in text and "Done" in text
    assert reverse("staff_lead_import_errors", args=[job.pk]) in text

    report = staff_client.get(reverse("staff_lead_import_errors", args=[job.pk]))
    assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
    assert "attachment" in report["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig"))))
    assert rows == [
        ["row", "column", "value", "error"],
        ["3", "email", "bad-email", "Enter a valid email address."],
        ["4", "email", "'=HYPERLINK(1)@x", "Enter a valid email address."],  # no formula in a spreadsheet
    ]


def test_the_upload_form_through_celery(staff_client, celery_inline, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("staff_lead_import"), {"file": upload(lines(row("a@b.example")))})
    assert response.status_code == 302
    assert LeadImport.objects.get().state == LeadImportState.DONE
    assert Lead.objects.filter(email="a@b.example").exists()


@pytest.mark.parametrize("role", ["partner_a_admin", "partner_a_sales", "partner_b_user", "cam_a", "executive"])
def test_partner_users_and_staff_who_do_not_import_are_refused(world, mfa, client, marketing, role):
    job = imports.lead_import_start(actor=marketing, upload=upload(lines(row("a@b.example"))))
    user = world[role]
    if user.is_staff:
        mfa(user)
    client.force_login(user)
    for name, args in (
        ("staff_lead_import", []),
        ("staff_lead_import_detail", [job.pk]),
        ("staff_lead_import_progress", [job.pk]),
        ("staff_lead_import_errors", [job.pk]),
        ("api_lead_import_list", []),
        ("api_lead_import_detail", [job.pk]),
        ("api_lead_import_errors", [job.pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 403, name
    assert client.post(reverse("staff_lead_import"), {"file": upload(lines(row("c@d.example")))}).status_code == 403
    response = client.post(reverse("api_lead_import_list"), {"file": upload(lines(row("c@d.example")))})
    assert response.status_code == 403
    assert LeadImport.objects.count() == 1


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("staff_lead_import"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert client.get(reverse("api_lead_import_list")).status_code in (401, 403)


def test_a_missing_job_is_404(staff_client):
    assert staff_client.get(reverse("staff_lead_import_detail", args=[999999])).status_code == 404
    assert staff_client.get(reverse("api_lead_import_detail", args=[999999])).status_code == 404


# --- API ------------------------------------------------------------------------------------------


def test_the_api_starts_an_import_and_reports_progress_and_errors(staff_client):
    content = lines(row("good@x.example"), row("bad-email"), row("good@x.example"))
    response = staff_client.post(reverse("api_lead_import_list"), {"file": upload(content)})
    assert response.status_code == 201, response.content
    data = response.json()
    job = LeadImport.objects.get(pk=data["id"])
    status_url = f"http://testserver{reverse('api_lead_import_detail', args=[job.pk])}"
    assert data["status_url"] == status_url and response["Location"] == status_url
    assert (data["state"], data["total_rows"], data["processed"]) == ("queued", 3, 0)

    lead_import_process(job.pk)
    data = staff_client.get(status_url).json()
    assert (data["state"], data["processed"], data["imported"], data["duplicates"], data["failed"]) == (
        "done",
        3,
        1,
        1,
        1,
    )
    assert data["percent"] == 100
    errors = staff_client.get(data["errors_url"]).json()
    assert errors["count"] == 2
    assert [(e["row"], e["column"], e["error"], e["is_duplicate"]) for e in errors["results"]] == [
        (3, "email", "Enter a valid email address.", False),
        (4, "email", "Duplicate of row 2 of this file.", True),
    ]
    listing = staff_client.get(reverse("api_lead_import_list")).json()
    assert [item["id"] for item in listing["results"]] == [job.pk]


def test_the_api_refuses_a_bad_file_with_its_reason(staff_client, settings):
    response = staff_client.post(reverse("api_lead_import_list"), {"file": upload(b"\x00\x01binary")})
    assert response.status_code == 400
    assert "not UTF-8 text" in response.json()["file"][0]
    response = staff_client.post(reverse("api_lead_import_list"), {})
    assert response.status_code == 400 and "file" in response.json()
    assert not LeadImport.objects.exists() and not stored_files(settings)


def test_the_api_is_in_the_openapi_schema(staff_client):
    schema = staff_client.get(reverse("api_schema"), {"format": "json"}).json()
    assert "/api/v1/lead-imports/" in schema["paths"]
    assert "post" in schema["paths"]["/api/v1/lead-imports/"]
    assert "/api/v1/lead-imports/{id}/" in schema["paths"] or "/api/v1/lead-imports/{pk}/" in schema["paths"]


def test_a_large_upload_spooled_to_disk_is_checked_and_stored(staff_client, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # every upload becomes a temporary file, as large ones do
    content = lines(*(row(f"lead{n}@disk.example") for n in range(50)))
    response = staff_client.post(reverse("staff_lead_import"), {"file": upload(content)})
    assert response.status_code == 302
    job = LeadImport.objects.get()
    assert job.total_rows == 50
    assert run(job).imported == 50
